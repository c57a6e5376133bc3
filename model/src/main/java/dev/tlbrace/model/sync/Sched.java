package dev.tlbrace.model.sync;

/**
 * Trace points. Every step a race depends on calls {@link #point} first, labelled with the
 * kernel function it models. Under jcstress and JMH this is {@link #NOOP}, one monomorphic call
 * the JIT removes; under the explorer it is a controlled scheduler that lets one role run at a
 * time and chooses, at each point, who goes next.
 */
public interface Sched {

    /** A step is about to touch shared state; {@code label} names it in kernel vocabulary. */
    void point(String label);

    /**
     * One turn of a wait or retry loop. A controlled scheduler treats a role that spins twice
     * with no other role moving in between as blocked, so a spin never explores forever.
     */
    void spin(String label);

    /** Attaches a value the current step read or wrote (a pfn, a seq) to the timeline. */
    void observe(String what, long value);

    /**
     * An oracle running inside a role found {@code what} (an invariant and its values) broken at
     * the current step: the explorer marks the step, the soak records it in the role's ring.
     */
    default void broken(String what) {
    }

    /**
     * A choice the hardware makes on its own timing, out of {@code options}; 0 is what a
     * free-running machine does first (a queued SMMU command has taken effect). The explorer
     * permutes it at no cost against its bound; real threads always get 0.
     */
    default int choose(String what, int options) {
        return 0;
    }

    /** The scheduler of real, free-running threads: does nothing but hint spin loops. */
    Sched NOOP = new Sched() {
        @Override public void point(String label) { }
        @Override public void spin(String label) { Thread.onSpinWait(); }
        @Override public void observe(String what, long value) { }
    };
}
