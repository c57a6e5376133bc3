package dev.tlbrace.harness.explore;

import java.util.List;

/**
 * A scheduling point: every role is stopped at a trace point or done, and one must be chosen.
 *
 * @param step     how many steps have run so far
 * @param enabled  roles that may run now, in role order
 * @param pending  per role, the label it is stopped at (null if done)
 * @param last     the role that ran the previous step, -1 at the start
 */
public record Decision(int step, List<Integer> enabled, List<String> pending, int last) {

    /** Whether choosing {@code role} preempts the last role while it could still run. */
    public boolean isPreemption(int role) {
        return last >= 0 && role != last && enabled.contains(last);
    }
}
