package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.program.Verdict;
import java.util.List;

/**
 * One controlled execution of a scenario's roles.
 *
 * @param roles    role names, in order
 * @param steps    the steps in the order they ran
 * @param status   how it ended
 * @param verdict  the judge's verdict (null unless COMPLETED)
 * @param error    a role's exception, or null
 * @param choices  every decision in order: the role chosen at a scheduling point (0..), or
 *                 {@code -1 - k} where a load read the k-th newest store it could: the
 *                 replayable schedule ({@link Schedule#format})
 * @param memory   every shared access and barrier in the order they ran, with each cell's final
 *                 value ({@link LitmusExport}); null unless the execution was recorded for printing
 */
public record Execution(List<String> roles, List<Step> steps, Status status, Verdict verdict,
                        Throwable error, List<Integer> choices, MemoryLog memory) {

    public Execution(List<String> roles, List<Step> steps, Status status, Verdict verdict, Throwable error,
                     List<Integer> choices) {
        this(roles, steps, status, verdict, error, choices, null);
    }

    public enum Status {
        /** Every role returned and the judge ran. */
        COMPLETED,
        /** The step bound was reached first: not a pass. */
        STEP_BOUND,
        /** Every live role was spinning with nobody able to move. */
        DEADLOCK,
        /** A role threw. */
        ERROR,
        /**
         * Cut short by partial-order reduction: every role that could run next was asleep,
         * its schedules from here already explored from an equivalent state.
         */
        SLEEP_BLOCKED,
        /**
         * Dropped by {@code lkmm}'s spin-assume: a wait loop's turn read exactly the stores its
         * previous turn read, so it is that turn again; the execution where the role waited
         * instead is explored (GenMC's treatment of spin loops).
         */
        BLOCKED
    }

    /** The first step at which its role passed trace point {@code label}, or -1. */
    public int indexOf(String label) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).passes(label)) {
                return i;
            }
        }
        return -1;
    }

    /** The last step at which its role passed trace point {@code label}, or -1. */
    public int lastIndexOf(String label) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).passes(label)) {
                return i;
            }
        }
        return -1;
    }

    /** Loads that read a store older than the latest. */
    public long staleReads() {
        return choices.stream().filter(c -> c < -1).count();
    }

    /** Switches away from a role that could still run. */
    public long preemptions() {
        return steps.stream().filter(Step::preemption).count();
    }

    public boolean bad() {
        return status == Status.COMPLETED && verdict != null && verdict.bad();
    }
}
