package dev.tlbrace.harness.soak;

import dev.tlbrace.model.sync.Sched;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The soak's scheduler: threads run free; each trace point is recorded in the calling role's
 * {@link EventRing}, so a violation can print what every role did just before it. The first
 * violation freezes every ring: what the roles do while they notice the stop (a fault to finish,
 * a lock to drop) would otherwise push the events that led to it out of the rings.
 */
final class TracingSched implements Sched {
    private final ThreadLocal<EventRing> ring = new ThreadLocal<>();
    private final List<EventRing> rings = new CopyOnWriteArrayList<>();
    private final int capacity;
    private volatile boolean frozen; // a plain load on x86 per trace point

    TracingSched(int capacity) {
        this.capacity = capacity;
    }

    /** Called by each role thread before it starts. */
    void register(String role) {
        EventRing r = new EventRing(role, capacity);
        ring.set(r);
        rings.add(r);
    }

    List<EventRing> rings() {
        return rings;
    }

    @Override
    public void point(String label) {
        EventRing r = ring.get();
        if (r != null && !frozen) {
            r.add(System.nanoTime(), label);
        }
    }

    @Override
    public void spin(String label) {
        EventRing r = ring.get();
        if (r != null && !frozen) {
            r.addSpin(System.nanoTime(), label);
        }
        Thread.onSpinWait();
    }

    /** Marks the calling role's ring where it saw {@code what}; the first mark freezes every ring. */
    @Override
    public void broken(String what) {
        EventRing r = ring.get();
        if (r != null && !frozen) {
            r.add(System.nanoTime(), "INVARIANT BROKEN HERE: " + what);
            r.markBroken();
        }
        frozen = true;
    }

    @Override
    public void observe(String what, long value) {
        EventRing r = ring.get();
        if (r != null && !frozen) {
            r.observe(what, value);
        }
    }
}
