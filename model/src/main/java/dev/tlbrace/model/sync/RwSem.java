package dev.tlbrace.model.sync;

/**
 * rw_semaphore (mmap_lock): many readers or one writer; acquire on down, release on up.
 * Waiters spin through a trace point rather than sleep, for the same reason as {@link SpinLock}.
 * As kernel/locking/rwsem.c has it: a reader adds its bias with one
 * {@code atomic_long_add_return_acquire} (rwsem_read_trylock) and backs out if a writer holds
 * it; a writer cmpxchg's the whole count from 0 and subtracts its bit on up_write.
 */
public final class RwSem {
    private static final long WRITER = 1L << 32; // RWSEM_WRITER_LOCKED; readers count below it
    private final Memory mem;
    private final Sched sched;
    private final String name;
    private final Cell count; // readers > 0, WRITER when write-held

    public RwSem(String name, Memory mem) {
        this.name = name;
        this.mem = mem;
        this.sched = mem.sched;
        this.count = mem.cell(name, 0);
        mem.readerCount(count, WRITER); // readers look only at WRITER: their adds commute
    }

    public void downRead() {
        String label = "down_read(" + name + ")";
        for (;;) {
            sched.point(label);
            if ((mem.atomic_add_return_acquire(count, 1) & WRITER) == 0) {
                return;
            }
            // rwsem_down_read_slowpath(): the reader queues and takes its bias back with
            // atomic_long_add_return(adjustment), fully ordered (a relaxed add here let a retry's
            // acquire read its own back-out instead of the writer's up_write(), an ordering the
            // kernel's hand-off, smp_store_release(waiter->task) / smp_load_acquire(), does give)
            mem.atomic_add_return(count, -1);
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

    /**
     * downgrade_write(): the writer becomes a reader without letting another writer in. One
     * {@code atomic_long_fetch_add_release(-RWSEM_WRITER_LOCKED + RWSEM_READER_BIAS)}: what the
     * writer did before it is published to every reader whose down_read() reads this or a later
     * value of the count. munmap() detaches the VMAs, then downgrades and zaps under the read lock.
     */
    public void downgradeWrite() {
        sched.point("downgrade_write(" + name + ")");
        // one fetch_add in the kernel; two releases here, reader bias first, so that no add moves
        // both the reader count and the writer bit (the explorer commutes reader-count adds on
        // that promise) and readers stay out until the writer bit goes, as with the one add
        mem.atomic_add_return_release(count, 1);
        mem.atomic_add_return_release(count, -WRITER);
    }

    public void upWrite() {
        sched.point("up_write(" + name + ")");
        mem.atomic_add_return_release(count, -WRITER);
    }
}
