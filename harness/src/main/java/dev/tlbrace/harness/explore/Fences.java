package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.MemoryModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which ordering points a {@link Program} (a fixed variant) needs: explore it under LKMM once
 * to collect every barrier, acquire, release, fully ordered RMW and lock handoff its paths
 * pass, then once per point with that one point weakened ({@link SimMemory}). A point is NEEDED
 * when weakening it gives a counterexample; what it pairs with is read off that counterexample:
 * the store the stale read missed, and the function that made it. Exhaustive by default, so a
 * point that is not needed is proved so (up to the search's execution limit, which the row
 * says it hit).
 */
public final class Fences {
    private Fences() { }

    /** One ordering point's verdict. */
    public record Row(OrderingPoint point, boolean needed, Execution counterexample, String schedule,
                      List<String> pairsWith, long schedules, long millis, boolean exhaustive, String cutShort) {
        /** The invariant (outcome) that breaks without this point, or null. */
        public String breaks() {
            return counterexample == null || counterexample.verdict() == null ? null
                    : counterexample.verdict().outcome();
        }
    }

    /** What a whole run found: the clean baseline and one row per ordering point. */
    public record Report(Explorer.Result baseline, List<Row> rows, int bound) { }

    private static final Pattern STORED_AT = Pattern.compile("stored at step (\\d+)");

    /**
     * Trace points of the scenarios' own instruments (a guest access and the oracle that judges
     * it), not kernel code: their orderings are the oracle's, not the protocol's.
     */
    static final String ORACLE_PREFIX = "guest: ";

    /** @param bound preemptions plus stale reads, or {@link Explorer#UNBOUNDED} for the exhaustive search */
    public static Report run(Program program, int bound, int maxSteps) {
        return run(program, bound, maxSteps, Long.MAX_VALUE, 1);
    }

    public static Report run(Program program, int bound, int maxSteps, long maxExecutions, int jobs) {
        return run(program, bound, maxSteps, maxExecutions, 0, jobs);
    }

    /**
     * @param maxExecutions per search, {@link Long#MAX_VALUE} for none (the default: every row is a proof)
     * @param timeLimitMillis per search, 0 for none
     */
    public static Report run(Program program, int bound, int maxSteps, long maxExecutions, long timeLimitMillis, int jobs) {
        Explorer base = new Explorer(program, bound, maxSteps, MemoryModel.LKMM, null).maxExecutions(maxExecutions)
                .timeLimit(timeLimitMillis).jobs(jobs);
        Explorer.Result baseline = base.explore();
        List<Row> rows = new ArrayList<>();
        if (baseline.violated() || !baseline.exhaustive()) {
            return new Report(baseline, rows, bound);
        }
        for (OrderingPoint p : base.orderingPoints()) {
            if (p.function() != null && p.function().startsWith(ORACLE_PREFIX)) {
                continue;
            }
            Explorer weak = new Explorer(program, bound, maxSteps, MemoryModel.LKMM, p::equals).maxExecutions(maxExecutions)
                    .timeLimit(timeLimitMillis).jobs(jobs);
            Explorer.Result r = weak.explore();
            if (r.violated()) {
                Execution e = r.counterexample();
                rows.add(new Row(p, true, e, Schedule.format(e.choices()), pairsWith(e), r.schedules(), r.millis(), true, null));
            } else {
                rows.add(new Row(p, false, null, null, List.of(), r.schedules(), r.millis(), r.exhaustive(),
                        r.exhaustive() ? null : r.timedOut() ? "stopped at the time limit"
                                : r.truncated() ? "stopped at the execution limit"
                                : r.errors() > 0 ? r.errors() + " ended in an error: the model's own state broke without it"
                                : r.stepBoundHits() + " hit the step bound"));
            }
        }
        return new Report(baseline, rows, bound);
    }

    /**
     * The other side of each stale read in {@code e}: the role and function whose store was
     * missed, e.g. {@code (Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++}.
     */
    static List<String> pairsWith(Execution e) {
        Set<String> out = new LinkedHashSet<>();
        for (Step s : e.steps()) {
            if (!s.stale() || s.access() == null) {
                continue;
            }
            Matcher m = STORED_AT.matcher(s.access());
            while (m.find()) {
                int n = Integer.parseInt(m.group(1));
                if (n >= 1 && n <= e.steps().size()) {
                    Step w = e.steps().get(n - 1);
                    out.add("(" + e.roles().get(w.role()) + ") " + w.function());
                }
            }
        }
        return List.copyOf(out);
    }
}
