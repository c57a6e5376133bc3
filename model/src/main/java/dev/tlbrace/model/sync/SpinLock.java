package dev.tlbrace.model.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * spinlock_t: acquire on lock, release on unlock, not a full fence. A spin lock rather than a
 * {@code ReentrantLock} so that a waiter passes a trace point on every turn: under the
 * explorer a blocked role is then seen as waiting instead of hanging the schedule.
 */
public final class SpinLock {
    private static final VarHandle LOCKED;
    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(SpinLock.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final String lockLabel;
    private final String waitLabel;
    private final String unlockLabel;
    private final Sched sched;
    private int locked; // via LOCKED

    public SpinLock(String name, Sched sched) {
        this.name = name;
        this.sched = sched;
        this.lockLabel = "spin_lock(" + name + ")";
        this.waitLabel = "spin_lock(" + name + "): contended";
        this.unlockLabel = "spin_unlock(" + name + ")";
    }

    public void lock() {
        sched.point(lockLabel);
        while (!LOCKED.compareAndSet(this, 0, 1)) { // acquire; CAS is stronger, as on x86
            sched.spin(waitLabel);
        }
    }

    public void unlock() {
        sched.point(unlockLabel);
        LOCKED.setRelease(this, 0);
    }

    public String name() {
        return name;
    }
}
