package dev.tlbrace.harness.explore;

/** Picks which enabled role runs the next step. */
public interface Chooser {
    /** Returned at a scheduling point to end the execution as {@link Execution.Status#SLEEP_BLOCKED}. */
    int STOP = -2;

    /** Returns one of {@code d.enabled()}, or {@link #STOP}. */
    int choose(Decision d);
}
