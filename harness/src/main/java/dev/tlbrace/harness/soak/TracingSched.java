package dev.tlbrace.harness.soak;

import dev.tlbrace.model.sync.Sched;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The soak's scheduler: threads run free; each trace point is recorded in the calling role's
 * {@link EventRing}, so a violation can print what every role did just before it.
 */
final class TracingSched implements Sched {
    private final ThreadLocal<EventRing> ring = new ThreadLocal<>();
    private final List<EventRing> rings = new CopyOnWriteArrayList<>();
    private final int capacity;

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
        if (r != null) {
            r.add(System.nanoTime(), label);
        }
    }

    @Override
    public void spin(String label) {
        EventRing r = ring.get();
        if (r != null) {
            r.addSpin(System.nanoTime(), label);
        }
        Thread.onSpinWait();
    }

    @Override
    public void broken(String what) {
        point("INVARIANT BROKEN HERE: " + what);
    }

    @Override
    public void observe(String what, long value) {
        EventRing r = ring.get();
        if (r != null) {
            r.observe(what, value);
        }
    }
}
