package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One executed step: the role that ran, the trace-point label it passed, the shared access it
 * made (with the value and, for a stale read, the store it missed), and the values the step
 * observed (pfns, seq numbers, PTEs) in order.
 */
public final class Step {
    private final int index;
    private final int role;
    private final String label;
    private final boolean spin;
    private final boolean preemption;
    private String access;
    private List<String> passed = List.of();
    private boolean stale;
    private String broken;
    private final List<Observation> observations = new ArrayList<>();
    private final Footprint footprint = new Footprint();

    /** A value attached to a step by {@code sched.observe(what, value)}. */
    public record Observation(String what, long value) { }

    Step(int index, int role, String label, boolean spin, boolean preemption) {
        this.index = index;
        this.role = role;
        this.label = label;
        this.spin = spin;
        this.preemption = preemption;
    }

    void broken(String what) {
        if (broken == null) {
            broken = what;
        }
    }

    /** What an in-role oracle found broken at this step, or null. */
    public String broken() { return broken; }

    void observe(String what, long value) {
        observations.add(new Observation(what, value));
    }

    void passed(List<String> labels) {
        this.passed = List.copyOf(labels);
    }

    void access(String text, boolean isStale) {
        this.access = access == null ? text : access + "; " + text;
        this.stale |= isStale;
    }

    /** 1-based position in the execution. */
    public int index() { return index; }

    public int role() { return role; }

    /** The trace point (kernel function) and, under simulated memory, the access it makes. */
    public String label() { return label; }

    public boolean spin() { return spin; }

    /** The kernel function this step is in: its label without the access. */
    public String function() {
        int bar = label.indexOf(" | ");
        return bar < 0 ? label : label.substring(0, bar);
    }

    /**
     * Whether this step is where its role passed the trace point {@code l}: under simulated
     * memory the first access after it (the label was passed since the role's previous step),
     * otherwise the trace point itself.
     */
    public boolean passes(String l) {
        return passed.contains(l) || (access == null && label.equals(l));
    }

    /** Whether the scheduler switched to this role while the previous one could still run. */
    public boolean preemption() { return preemption; }

    /** The shared access with its value, e.g. {@code READ_ONCE(vcpu0->mode) = IN_GUEST_MODE}; null if none. */
    public String access() { return access; }

    /** Whether the access read a store older than the latest one. */
    public boolean stale() { return stale; }

    /** The shared resources this step read and wrote. */
    Footprint footprint() { return footprint; }

    public List<Observation> observations() { return Collections.unmodifiableList(observations); }
}
