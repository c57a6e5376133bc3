package dev.tlbrace.model.sync;

/**
 * rw_semaphore (mmap_lock): many readers or one writer; acquire on down, release on up.
 * Waiters spin through a trace point rather than sleep, for the same reason as {@link SpinLock}.
 */
public final class RwSem {
    private static final long WRITER = -1;
    private final Memory mem;
    private final Sched sched;
    private final String name;
    private final Cell count; // readers > 0, WRITER when write-held

    public RwSem(String name, Memory mem) {
        this.name = name;
        this.mem = mem;
        this.sched = mem.sched;
        this.count = mem.cell(name, 0);
    }

    public void downRead() {
        String label = "down_read(" + name + ")";
        for (;;) {
            sched.point(label);
            long c = mem.READ_ONCE(count);
            sched.point(label); // a lock label names one access: name the cmpxchg too
            if (c != WRITER && mem.cmpxchg_acquire(count, c, c + 1) == c) {
                return;
            }
            sched.spin("down_read(" + name + "): writer holds it");
        }
    }

    public void upRead() {
        sched.point("up_read(" + name + ")");
        mem.atomic_add_return_release(count, -1);
    }

    public void downWrite() {
        sched.point("down_write(" + name + ")");
        while (mem.cmpxchg_acquire(count, 0, WRITER) != 0) {
            sched.spin("down_write(" + name + "): held");
        }
    }

    public void upWrite() {
        sched.point("up_write(" + name + ")");
        mem.smp_store_release(count, 0);
    }
}
