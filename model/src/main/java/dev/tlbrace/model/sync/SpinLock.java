package dev.tlbrace.model.sync;

/**
 * spinlock_t: {@code cmpxchg_acquire} to take it, {@code smp_store_release} to drop it
 * ({@link Memory#raw_spin_trylock}, {@link Memory#raw_spin_unlock}): acquire and release, not
 * full fences (LKMM: an unlock followed by a lock is not a full barrier to an outside observer,
 * though it does order the CPU's stores on either side for every observer). A spin lock rather than a {@code ReentrantLock} so that a waiter passes a
 * trace point on every turn: under the explorer a blocked role is then seen as waiting instead
 * of hanging the schedule.
 */
public final class SpinLock {
    private final String name;
    private final String lockLabel;
    private final String waitLabel;
    private final String unlockLabel;
    private final Memory mem;
    private final Sched sched;
    private final Cell locked;

    public SpinLock(String name, Memory mem) {
        this.name = name;
        this.mem = mem;
        this.sched = mem.sched;
        this.locked = mem.cell(name, 0);
        boolean traced = sched != Sched.NOOP; // jcstress builds a world per sample: no labels nobody reads
        this.lockLabel = traced ? "spin_lock(" + name + ")" : null;
        this.waitLabel = traced ? "spin_lock(" + name + "): contended" : null;
        this.unlockLabel = traced ? "spin_unlock(" + name + ")" : null;
    }

    public void lock() {
        sched.point(lockLabel);
        while (!mem.raw_spin_trylock(locked)) {
            sched.spin(waitLabel);
        }
    }

    public void unlock() {
        sched.point(unlockLabel);
        mem.raw_spin_unlock(locked);
    }

    public String name() {
        return name;
    }
}
