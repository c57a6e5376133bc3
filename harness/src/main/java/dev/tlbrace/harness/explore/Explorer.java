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

    public Explorer(Scenario scenario, Variant variant, int maxPreemptions, int maxSteps) {
        this.scenario = scenario;
        this.variant = variant;
        this.maxPreemptions = maxPreemptions;
        this.maxSteps = maxSteps;
    }

    /** Runs one schedule: {@code prefix} exactly, then the non-preemptive default. */
    public Execution runOnce(List<Integer> prefix, List<Decision> decisions) {
        ControlledScheduler sched = new ControlledScheduler(maxSteps);
        Chooser chooser = d -> {
            decisions.add(d);
            if (d.step() < prefix.size()) {
                return prefix.get(d.step());
            }
            return d.enabled().contains(d.last()) ? d.last() : d.enabled().get(0);
        };
        return sched.run(scenario.newRun(variant, sched), chooser);
    }

    public Result explore() {
        long start = System.nanoTime();
        long schedules = 0;
        long stepBound = 0;
        long deadlocks = 0;
        long errors = 0;
        for (int bound = 0; bound <= maxPreemptions; bound++) {
            Execution best = null;
            List<Decision> bestDecisions = List.of();
            Deque<List<Integer>> stack = new ArrayDeque<>();
            stack.push(List.of());
            while (!stack.isEmpty()) {
                List<Integer> prefix = stack.pop();
                List<Decision> decisions = new ArrayList<>();
                Execution e = runOnce(prefix, decisions);
                schedules++;
                switch (e.status()) {
                    case STEP_BOUND -> stepBound++;
                    case DEADLOCK -> deadlocks++;
                    case ERROR -> errors++;
                    default -> { }
                }
                boolean bad = e.bad() || e.status() == Execution.Status.DEADLOCK;
                if (bad && (best == null || e.steps().size() < best.steps().size())) {
                    best = e;
                    bestDecisions = decisions;
                }
                pushChildren(stack, prefix.size(), decisions, e.choices(), bound);
            }
            if (best != null) {
                return new Result(best, bestDecisions, bound, bound, schedules, stepBound, deadlocks, errors, millis(start));
            }
        }
        return new Result(null, List.of(), -1, maxPreemptions, schedules, stepBound, deadlocks, errors, millis(start));
    }

    /** Every alternative at a decision past the prefix, within the preemption bound. */
    private static void pushChildren(Deque<List<Integer>> stack, int from, List<Decision> decisions,
                                     List<Integer> choices, int bound) {
        int[] preemptionsBefore = new int[decisions.size() + 1];
        for (int i = 0; i < decisions.size(); i++) {
            preemptionsBefore[i + 1] = preemptionsBefore[i] + (decisions.get(i).isPreemption(choices.get(i)) ? 1 : 0);
        }
        for (int i = from; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            List<Integer> enabled = d.enabled();
            for (int k = enabled.size() - 1; k >= 0; k--) {
                int alt = enabled.get(k);
                if (alt == choices.get(i)) {
                    continue;
                }
                int p = preemptionsBefore[i] + (d.isPreemption(alt) ? 1 : 0);
                if (p <= bound) {
                    List<Integer> child = new ArrayList<>(choices.subList(0, i));
                    child.add(alt);
                    stack.push(child);
                }
            }
        }
    }

    /** Preemptions in an execution's schedule. */
    public static int preemptions(Execution e, List<Decision> decisions) {
        int n = 0;
        for (int i = 0; i < decisions.size(); i++) {
            if (decisions.get(i).isPreemption(e.choices().get(i))) {
                n++;
            }
        }
        return n;
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
