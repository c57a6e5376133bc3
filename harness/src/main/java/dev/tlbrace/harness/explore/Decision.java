package dev.tlbrace.harness.explore;

import java.util.List;

/**
 * A choice the explorer makes: which role runs the next step (a scheduling point: every role
 * is stopped at a trace point or done), or, inside a step, which store a load reads (a
 * read-from point: {@code options > 0}, option 0 is the latest store, higher ones older).
 *
 * @param step     steps run so far (for a read-from point: the number of the step it is in)
 * @param enabled  roles that may run now, in role order (empty at a read-from point)
 * @param pending  per role, the label it is stopped at (null if done)
 * @param last     the role that ran the previous step, -1 at the start
 * @param options  0 at a scheduling point; the number of stores the load may read otherwise
 * @param passed   per role, the trace-point labels it passed since its last step (the
 *                 function it is in): what a {@link Script} matches besides the pending label
 * @param free     a hardware timing choice ({@code Sched.choose}): every option costs nothing
 */
public record Decision(int step, List<Integer> enabled, List<String> pending, int last, int options,
                       List<List<String>> passed, boolean free) {

    /** A scheduling point. */
    public Decision(int step, List<Integer> enabled, List<String> pending, int last) {
        this(step, enabled, pending, last, 0, List.of(), false);
    }

    public boolean isRead() {
        return options > 0;
    }

    /** Whether choosing {@code role} preempts the last role while it could still run. */
    public boolean isPreemption(int role) {
        return !isRead() && last >= 0 && role != last && enabled.contains(last);
    }

    /** Whether role {@code r} is about to pass, or has just passed, a label starting with {@code prefix}. */
    public boolean reached(int r, String prefix) {
        String p = pending.get(r);
        if (p != null && p.startsWith(prefix)) {
            return true;
        }
        if (r < passed.size()) {
            for (String l : passed.get(r)) {
                if (l.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What this decision costs against the explorer's bound when {@code choice} is taken. */
    public int cost(int choice) {
        if (isRead()) {
            return free || choice == 0 ? 0 : 1;
        }
        return isPreemption(choice) ? 1 : 0;
    }
}
