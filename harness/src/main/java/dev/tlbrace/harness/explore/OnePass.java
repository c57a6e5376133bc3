package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.MemoryModel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * {@link Fences.Method#ONE_PASS}: one exhaustive search with every labelled ordering point
 * weakened, then questions to the model about the graphs it ended with (see {@link Fences}).
 * Each graph that ends badly (a bad verdict or a deadlock, as the per-point search counts them)
 * is asked first with every point put back (the baseline), then with every point still open
 * weakened at once: a graph the model forbids so is forbidden with any one of them alone
 * weakened (weakening only removes ordering), so one answer usually settles them all; else each
 * such point alone. A point already NEEDED is asked again only about a graph whose execution is
 * a shorter counterexample than the one it has (cost, then steps, then choices), so the rows do
 * not depend on which job finished first.
 */
final class OnePass {
    private static final IntPredicate NONE_WEAK = p -> false;

    private final PointLabels labels = new PointLabels();
    /** The points some graph the model allows with every point in place passes, in first-seen order. */
    private final Set<OrderingPoint> strongSeen = ConcurrentHashMap.newKeySet();
    private final List<OrderingPoint> strongOrder = new ArrayList<>();
    private final Map<Integer, Execution> best = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> stepBound = new ConcurrentHashMap<>();
    private volatile boolean baselineBroken;
    final AtomicLong questions = new AtomicLong();

    private OnePass() { }

    /** The report, or null where the per-point method must answer (the fix is not clean, or the pass stopped at a limit). */
    static Fences.Report run(Program program, int maxSteps, long maxExecutions, long timeLimitMillis, int jobs,
            MemoryModel model) {
        OnePass v = new OnePass();
        Explorer pass = new Explorer(program, Explorer.UNBOUNDED, maxSteps, model, null).labelled(v.labels)
                .maxExecutions(maxExecutions).timeLimit(timeLimitMillis).jobs(jobs);
        Explorer.Reduced r = pass.exhaustAll(e -> {
            v.judge(e, pass.lastMemory());
            return v.baselineBroken; // the per-point method shows the baseline's own counterexample
        });
        if (v.baselineBroken || r.truncated()) {
            return null;
        }
        Explorer.Result baseline = new Explorer.Result(null, List.of(), -1, -1, r.executions(), 0, 0, 0, r.millis(),
                r.pruned(), false, false, r.blocked(), false);
        List<Fences.Row> rows = new ArrayList<>();
        List<OrderingPoint> points;
        synchronized (v.strongOrder) {
            points = List.copyOf(v.strongOrder);
        }
        for (OrderingPoint p : points) {
            if (Fences.isOracle(p)) {
                continue;
            }
            if (!PointLabels.inOnePass(p)) {
                rows.add(Fences.weakenOne(program, p, Explorer.UNBOUNDED, maxSteps, maxExecutions, timeLimitMillis, jobs, model));
                continue;
            }
            int i = v.labels.index(p);
            Execution bad = v.best.get(i);
            if (bad != null) {
                rows.add(v.needed(program, p, bad, pass, maxSteps, maxExecutions, timeLimitMillis, jobs, model, r));
                continue;
            }
            long err = count(v.errors, i);
            long steps = count(v.stepBound, i);
            boolean proved = err == 0 && steps == 0;
            rows.add(new Fences.Row(p, false, null, null, List.of(), r.executions(), r.millis(), proved,
                    proved ? null : Fences.broken(err, steps)));
        }
        return new Fences.Report(baseline, rows, Explorer.UNBOUNDED, true);
    }

    private static long count(Map<Integer, AtomicLong> m, int i) {
        AtomicLong n = m.get(i);
        return n == null ? 0 : n.get();
    }

    /**
     * A NEEDED row: the counterexample as the program with only {@code p} weakened runs it, its
     * timeline recorded. The pass's schedule replays there when the read options it chose are
     * offered in the same order; else that point's own search finds one.
     */
    private Fences.Row needed(Program program, OrderingPoint p, Execution bad, Explorer pass, int maxSteps,
            long maxExecutions, long timeLimitMillis, int jobs, MemoryModel model, Explorer.Reduced r) {
        Explorer alone = new Explorer(program, Explorer.UNBOUNDED, maxSteps, model, p::equals);
        Execution e;
        try {
            e = alone.runOnce(bad.choices(), new ArrayList<>());
        } catch (RuntimeException misfit) { // a read option or role the schedule names is not offered there
            e = null;
        }
        if (e == null || !(e.bad() || e.status() == Execution.Status.DEADLOCK)) {
            Fences.Row own = Fences.weakenOne(program, p, Explorer.UNBOUNDED, maxSteps, maxExecutions, timeLimitMillis, jobs, model);
            if (own.needed()) {
                return own;
            }
            e = pass.runOnce(bad.choices(), new ArrayList<>()); // not expected: the pass's own, recorded
        }
        return new Fences.Row(p, true, e, Schedule.format(e.choices()), Fences.pairsWith(e), r.executions(), r.millis(), true,
                null);
    }

    /** One execution of the pass, and the memory it ran on. */
    private void judge(Execution e, SimMemory mem) {
        Set<OrderingPoint> passed = mem.orderingPoints();
        GraphMemory.FinalGraph g = null;
        if (!strongSeen.containsAll(passed)) {
            g = mem.finalGraph();
            if (ask(g, NONE_WEAK)) {
                synchronized (strongOrder) {
                    for (OrderingPoint p : passed) {
                        if (strongSeen.add(p)) {
                            strongOrder.add(p);
                        }
                    }
                }
            }
        }
        boolean bad = e.bad() || e.status() == Execution.Status.DEADLOCK;
        boolean broke = e.status() == Execution.Status.ERROR || e.status() == Execution.Status.STEP_BOUND;
        if (!bad && !broke) {
            return;
        }
        if (g == null) {
            g = mem.finalGraph();
        }
        if (ask(g, NONE_WEAK)) {
            baselineBroken = true; // the fix itself is not clean (or not exhaustive) under the model
            return;
        }
        BitSet in = g.points();
        BitSet open = new BitSet(); // not yet NEEDED, or with a longer counterexample than this
        for (int i = in.nextSetBit(0); i >= 0; i = in.nextSetBit(i + 1)) {
            Execution had = best.get(i);
            if (!bad ? had == null : had == null || shorter(e, had)) {
                open.set(i);
            }
        }
        if (open.isEmpty() || !ask(g, open::get)) {
            return; // forbidden with all of them weakened: with any one alone too
        }
        for (int i = open.nextSetBit(0); i >= 0; i = open.nextSetBit(i + 1)) {
            int p = i;
            if (!ask(g, w -> w == p)) {
                continue;
            }
            if (bad) {
                best.merge(p, e, (a, b) -> shorter(b, a) ? b : a);
            } else {
                (e.status() == Execution.Status.ERROR ? errors : stepBound).computeIfAbsent(p, x -> new AtomicLong())
                        .incrementAndGet();
            }
        }
    }

    private boolean ask(GraphMemory.FinalGraph g, IntPredicate weak) {
        questions.incrementAndGet();
        return g.consistent(weak);
    }

    /** The shorter counterexample: fewer preemptions plus stale reads, then fewer steps, then the smaller choices. */
    private static boolean shorter(Execution a, Execution b) {
        long ca = a.preemptions() + a.staleReads();
        long cb = b.preemptions() + b.staleReads();
        if (ca != cb) {
            return ca < cb;
        }
        if (a.steps().size() != b.steps().size()) {
            return a.steps().size() < b.steps().size();
        }
        return Explorer.BY_ID.compare(a.choices(), b.choices()) < 0;
    }
}
