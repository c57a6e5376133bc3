package dev.tlbrace.harness.explore;

/** Picks which enabled role runs the next step. */
public interface Chooser {
    /** Returns one of {@code d.enabled()}. */
    int choose(Decision d);
}
