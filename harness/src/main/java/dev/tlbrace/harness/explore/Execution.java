package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.scenario.Verdict;
import java.util.List;

/**
 * One controlled execution of a scenario's roles.
 *
 * @param roles    role names, in order
 * @param steps    the steps in the order they ran
 * @param status   how it ended
 * @param verdict  the judge's verdict (null unless COMPLETED)
 * @param error    a role's exception, or null
 * @param choices  the role chosen at each step: the replayable schedule
 */
public record Execution(List<String> roles, List<Step> steps, Status status, Verdict verdict,
                        Throwable error, List<Integer> choices) {

    public enum Status {
        /** Every role returned and the judge ran. */
        COMPLETED,
        /** The step bound was reached first: not a pass. */
        STEP_BOUND,
        /** Every live role was spinning with nobody able to move. */
        DEADLOCK,
        /** A role threw. */
        ERROR
    }

    public boolean bad() {
        return status == Status.COMPLETED && verdict != null && verdict.bad();
    }
}
