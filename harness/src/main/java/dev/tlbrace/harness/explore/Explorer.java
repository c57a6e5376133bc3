package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Systematic exploration of a scenario's interleavings at its trace points, by iterative
 * preemption bounding (as CHESS does): every schedule with 0 preemptions, then 1, then 2 ...,
 * each bound depth-first from the non-preemptive schedule. The first bound with a violation
 * is explored to the end and its shortest bad schedule is the counterexample: fewest
 * preemptions, then fewest steps. Stateless: every schedule re-runs the scenario from a fresh
 * world, so the result depends only on the scenario, the variant and the bounds.
 *
 * <p>A preemption is a switch away from a role that could still run; switching away from a
 * role that is done or blocked (spinning with nobody else moving) is free. No partial-order
 * reduction: every interleaving of trace points within the bound is run.
 */
public final class Explorer {
    private final Scenario scenario;
    private final Variant variant;
    private final int maxPreemptions;
    private final int maxSteps;
    private final MemoryModel model;
    private final java.util.function.Predicate<OrderingPoint> weakened;
    private final java.util.Set<OrderingPoint> orderingPoints = new java.util.LinkedHashSet<>();

    /** What an exploration found; {@code decisions} are the counterexample's scheduling points. */
    public record Result(Execution counterexample, List<Decision> decisions, int preemptions, int boundReached, long schedules,
                         long stepBoundHits, long deadlocks, long errors, long millis) {
        public boolean violated() {
            return counterexample != null;
        }

        /** No schedule within the bound was cut short by the step bound or an error. */
        public boolean exhaustive() {
            return stepBoundHits == 0 && errors == 0;
        }
    }

    /** Sequentially consistent exploration. */
    public Explorer(Scenario scenario, Variant variant, int maxPreemptions, int maxSteps) {
        this(scenario, variant, maxPreemptions, maxSteps, MemoryModel.SC, null);
    }

    /**
     * @param maxPreemptions the bound on preemptions plus stale reads per schedule
     * @param weakened       ordering points to weaken (see {@link SimMemory}), or null
     */
    public Explorer(Scenario scenario, Variant variant, int maxPreemptions, int maxSteps, MemoryModel model,
                    java.util.function.Predicate<OrderingPoint> weakened) {
        this.scenario = scenario;
        this.variant = variant;
        this.maxPreemptions = maxPreemptions;
        this.maxSteps = maxSteps;
        this.model = model;
        this.weakened = weakened;
    }

    /**
     * Runs one schedule: {@code prefix} (decisions as in {@link Execution#choices()}) exactly,
     * then the default: no preemption, every load reads the latest store.
     */
    public Execution runOnce(List<Integer> prefix, List<Decision> decisions) {
        ControlledScheduler sched = new ControlledScheduler(maxSteps);
        Chooser chooser = d -> {
            int i = decisions.size();
            decisions.add(d);
            if (i < prefix.size()) {
                int c = prefix.get(i);
                return d.isRead() ? -1 - c : c;
            }
            if (d.isRead()) {
                return 0;
            }
            return d.enabled().contains(d.last()) ? d.last() : d.enabled().get(0);
        };
        SimMemory mem = new SimMemory(sched, model, weakened);
        Execution e = sched.run(scenario.newRun(variant, mem), chooser);
        orderingPoints.addAll(mem.orderingPoints());
        return e;
    }

    /** Every ordering point the executions run so far passed, in first-passed order. */
    public java.util.Set<OrderingPoint> orderingPoints() {
        return orderingPoints;
    }

    /** Counts of one exhaustive search at the full bound ({@link #exploreAll}). */
    public record Sweep(long schedules, long stepBoundHits, long deadlocks, long errors, long millis) {
        public boolean exhaustive() {
            return stepBoundHits == 0 && errors == 0;
        }
    }

    /**
     * Every schedule within the bound, each handed to {@code each} whatever its status; no
     * early stop. What litmus needs to report every final state, not only the first bad one.
     */
    public Sweep exploreAll(java.util.function.Consumer<Execution> each) {
        long start = System.nanoTime();
        Counts c = new Counts();
        search(maxPreemptions, c, (e, d) -> each.accept(e));
        return new Sweep(c.schedules, c.stepBound, c.deadlocks, c.errors, millis(start));
    }

    public Result explore() {
        long start = System.nanoTime();
        Counts c = new Counts();
        for (int bound = 0; bound <= maxPreemptions; bound++) {
            Execution[] best = new Execution[1];
            List<List<Decision>> bestDecisions = new ArrayList<>(List.of(List.of()));
            search(bound, c, (e, decisions) -> {
                boolean bad = e.bad() || e.status() == Execution.Status.DEADLOCK;
                if (bad && (best[0] == null || e.steps().size() < best[0].steps().size())) {
                    best[0] = e;
                    bestDecisions.set(0, decisions);
                }
            });
            if (best[0] != null) {
                return new Result(best[0], bestDecisions.get(0), bound, bound, c.schedules, c.stepBound, c.deadlocks,
                        c.errors, millis(start));
            }
        }
        return new Result(null, List.of(), -1, maxPreemptions, c.schedules, c.stepBound, c.deadlocks, c.errors,
                millis(start));
    }

    /** Schedules run and how they ended. */
    private static final class Counts {
        long schedules;
        long stepBound;
        long deadlocks;
        long errors;
    }

    /** Depth-first over every schedule of cost at most {@code bound}, each handed to {@code each}. */
    private void search(int bound, Counts c, java.util.function.BiConsumer<Execution, List<Decision>> each) {
        Deque<List<Integer>> stack = new ArrayDeque<>();
        stack.push(List.of());
        while (!stack.isEmpty()) {
            List<Integer> prefix = stack.pop();
            List<Decision> decisions = new ArrayList<>();
            Execution e = runOnce(prefix, decisions);
            c.schedules++;
            switch (e.status()) {
                case STEP_BOUND -> c.stepBound++;
                case DEADLOCK -> c.deadlocks++;
                case ERROR -> c.errors++;
                default -> { }
            }
            each.accept(e, decisions);
            pushChildren(stack, prefix.size(), decisions, e.choices(), bound);
        }
    }

    /**
     * Every alternative at a decision past the prefix, within the bound: preemptions plus stale
     * reads. Decisions and choices are aligned ({@link Execution#choices()} encoding).
     */
    private static void pushChildren(Deque<List<Integer>> stack, int from, List<Decision> decisions,
                                     List<Integer> choices, int bound) {
        int[] costBefore = new int[decisions.size() + 1];
        for (int i = 0; i < decisions.size(); i++) {
            costBefore[i + 1] = costBefore[i] + decisions.get(i).cost(decode(decisions.get(i), choices.get(i)));
        }
        for (int i = from; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            int chosen = decode(d, choices.get(i));
            List<Integer> alts = new ArrayList<>();
            if (d.isRead()) {
                for (int k = 0; k < d.options(); k++) {
                    alts.add(k);
                }
            } else {
                alts.addAll(d.enabled());
            }
            for (int k = alts.size() - 1; k >= 0; k--) {
                int alt = alts.get(k);
                if (alt == chosen) {
                    continue;
                }
                if (costBefore[i] + d.cost(alt) <= bound) {
                    List<Integer> child = new ArrayList<>(choices.subList(0, i));
                    child.add(d.isRead() ? -1 - alt : alt);
                    stack.push(child);
                }
            }
        }
    }

    private static int decode(Decision d, int encoded) {
        return d.isRead() ? -1 - encoded : encoded;
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
