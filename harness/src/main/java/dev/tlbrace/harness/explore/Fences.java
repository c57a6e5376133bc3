package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.MemoryModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which ordering points a {@link Program} (a fixed variant) needs under a weak memory model
 * ({@code lkmm} by default; {@code armv8} asks what arm64 hardware needs): every barrier,
 * acquire, release, fully ordered RMW and lock handoff its paths pass. A point is NEEDED when the
 * program with that one point weakened has a counterexample; what it pairs with is read off that
 * counterexample: the store the stale read missed, and the function that made it. Exhaustive by
 * default, so a point that is not needed is proved so. Two methods, the same rows:
 * <ul>
 * <li>{@link Method#ONE_PASS} (graph models, exhaustive): the fence-inference construction
 *     (Kuperstein, Vechev, Yahav, "Automatic inference of memory fences", FMCAD 2010): explore
 *     once with every point weakened, each point's events labelled with it ({@link PointLabels}:
 *     a barrier is a fence event the model may leave out, an acquire, release or ordered RMW an
 *     access whose tags the model reads per point). Weakening only removes ordering, so the
 *     graphs of that one search include those of every single weakening. For each graph that
 *     ends badly (taken before the judge runs, whose own stores are not the roles'), the model is
 *     asked whether it is consistent with every point put back but p: then p is NEEDED, and the
 *     graph's schedule, re-run with p alone weakened, its counterexample (or, where that schedule
 *     does not fit there, p's own search's). The same question with every point put back is the
 *     baseline (is the fix clean at all, and which points its paths pass: the rows); an error or
 *     a step-bound hit consistent with all but p makes p UNKNOWN, as its own search would. The
 *     lock handoff ({@code spin_lock}, {@code spin_unlock}) stays out of the pass
 *     ({@link PointLabels#inOnePass}: weakened, a lock may read an older store, which changes
 *     what the code does, and an unlock that is no longer lock.cat's UL forbids the same CPU's
 *     next lock): each is searched on its own, as below. Falls back to {@link Method#PER_POINT}
 *     when the fix is not clean under the model or the pass stops at a limit, where that method
 *     says why.</li>
 * <li>{@link Method#PER_POINT}: explore once to collect the points, then once per point with that
 *     one point weakened ({@link SimMemory}); the only method under {@code tso} and with a
 *     preemption bound.</li>
 * </ul>
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

    /**
     * What a whole run found: the clean baseline and one row per ordering point; {@code onePass}:
     * the baseline's count is the one pass's executions, every point's graphs among them.
     */
    public record Report(Explorer.Result baseline, List<Row> rows, int bound, boolean onePass) {
        public Report(Explorer.Result baseline, List<Row> rows, int bound) {
            this(baseline, rows, bound, false);
        }
    }

    /** How the rows are found: one search for every point, or one search per point (see the class comment). */
    public enum Method {
        ONE_PASS("one-pass"), PER_POINT("per-point");

        private final String id;

        Method(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Method byId(String id) {
            for (Method m : values()) {
                if (m.id.equals(id)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + id + "'; valid: one-pass, per-point");
        }
    }

    private static final Pattern STORED_AT = Pattern.compile("stored at step (\\d+)");

    /**
     * Trace points of the scenarios' own instruments (a guest access and the oracle that judges
     * it), not kernel code: their orderings are the oracle's, not the protocol's.
     */
    static final String ORACLE_PREFIX = "guest: ";
    /** The same for a device's access through its own page table (an HMM mirror). */
    static final String DEVICE_ORACLE_PREFIX = "device: ";

    /** @param bound preemptions plus stale reads, or {@link Explorer#UNBOUNDED} for the exhaustive search */
    public static Report run(Program program, int bound, int maxSteps) {
        return run(program, bound, maxSteps, Long.MAX_VALUE, 1);
    }

    public static Report run(Program program, int bound, int maxSteps, long maxExecutions, int jobs) {
        return run(program, bound, maxSteps, maxExecutions, 0, jobs, MemoryModel.LKMM);
    }

    /**
     * @param maxExecutions per search, {@link Long#MAX_VALUE} for none (the default: every row is a proof)
     * @param timeLimitMillis per search, 0 for none
     * @param model the model every search runs under: a weak one, else no point could be needed
     */
    public static Report run(Program program, int bound, int maxSteps, long maxExecutions, long timeLimitMillis, int jobs,
            MemoryModel model) {
        return run(program, bound, maxSteps, maxExecutions, timeLimitMillis, jobs, model, Method.ONE_PASS);
    }

    /** @param method {@link Method#ONE_PASS} where it applies (a graph model, no bound), else per point */
    public static Report run(Program program, int bound, int maxSteps, long maxExecutions, long timeLimitMillis, int jobs,
            MemoryModel model, Method method) {
        if (method == Method.ONE_PASS && model.graphs() && bound == Explorer.UNBOUNDED) {
            Report r = OnePass.run(program, maxSteps, maxExecutions, timeLimitMillis, jobs, model);
            if (r != null) {
                return r;
            }
        }
        return perPoint(program, bound, maxSteps, maxExecutions, timeLimitMillis, jobs, model);
    }

    static boolean isOracle(OrderingPoint p) {
        return p.function() != null && (p.function().startsWith(ORACLE_PREFIX) || p.function().startsWith(DEVICE_ORACLE_PREFIX));
    }

    /** {@link Method#PER_POINT}. */
    static Report perPoint(Program program, int bound, int maxSteps, long maxExecutions, long timeLimitMillis, int jobs,
            MemoryModel model) {
        if (model == MemoryModel.SC) {
            throw new IllegalArgumentException("fences under sc: no ordering point can be needed; use lkmm, armv8 or tso");
        }
        Explorer base = new Explorer(program, bound, maxSteps, model, null).maxExecutions(maxExecutions)
                .timeLimit(timeLimitMillis).jobs(jobs);
        Explorer.Result baseline = base.explore();
        List<Row> rows = new ArrayList<>();
        if (baseline.violated() || !baseline.exhaustive()) {
            return new Report(baseline, rows, bound);
        }
        for (OrderingPoint p : base.orderingPoints()) {
            if (!isOracle(p)) {
                rows.add(weakenOne(program, p, bound, maxSteps, maxExecutions, timeLimitMillis, jobs, model));
            }
        }
        return new Report(baseline, rows, bound);
    }

    /** One point's own search, with it weakened. */
    static Row weakenOne(Program program, OrderingPoint p, int bound, int maxSteps, long maxExecutions, long timeLimitMillis,
            int jobs, MemoryModel model) {
        Explorer weak = new Explorer(program, bound, maxSteps, model, p::equals).maxExecutions(maxExecutions)
                .timeLimit(timeLimitMillis).jobs(jobs);
        Explorer.Result r = weak.explore();
        if (r.violated()) {
            Execution e = r.counterexample();
            return new Row(p, true, e, Schedule.format(e.choices()), pairsWith(e), r.schedules(), r.millis(), true, null);
        }
        return new Row(p, false, null, null, List.of(), r.schedules(), r.millis(), r.exhaustive(),
                r.exhaustive() ? null : r.timedOut() ? "stopped at the time limit"
                        : r.truncated() ? "stopped at the execution limit"
                        : broken(r.errors(), r.stepBoundHits()));
    }

    /** Why a search that ran to its end is still not a proof. */
    static String broken(long errors, long stepBoundHits) {
        return errors > 0 ? errors + " ended in an error: the model's own state broke without it"
                : stepBoundHits + " hit the step bound";
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
