package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One executed step: the role that ran, the trace-point label it passed, and the values the
 * step read or wrote (pfns, seq numbers, PTEs) in the order observed.
 */
public final class Step {
    private final int index;
    private final int role;
    private final String label;
    private final boolean spin;
    private final List<Observation> observations = new ArrayList<>();

    /** A value attached to a step by {@code sched.observe(what, value)}. */
    public record Observation(String what, long value) { }

    Step(int index, int role, String label, boolean spin) {
        this.index = index;
        this.role = role;
        this.label = label;
        this.spin = spin;
    }

    void observe(String what, long value) {
        observations.add(new Observation(what, value));
    }

    /** 1-based position in the execution. */
    public int index() { return index; }

    public int role() { return role; }

    public String label() { return label; }

    public boolean spin() { return spin; }

    public List<Observation> observations() { return Collections.unmodifiableList(observations); }
}
