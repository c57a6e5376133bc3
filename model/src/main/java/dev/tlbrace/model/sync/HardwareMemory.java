package dev.tlbrace.model.sync;

import java.lang.invoke.VarHandle;

/**
 * The kernel primitives on real threads: the VarHandle mode that matches each one. A final class with final methods: where it is the only {@link Memory} loaded (jcstress,
 * JMH), class-hierarchy analysis makes every {@code mem.READ_ONCE(c)} a direct call that C2
 * inlines down to the VarHandle access.
 */
public final class HardwareMemory extends Memory {
    private static final VarHandle V = VarHandleCell.VALUE;

    HardwareMemory(Sched sched) {
        super(sched);
    }

    @Override public long READ_ONCE(Cell c) { return (long) V.getOpaque(c); }

    @Override public void WRITE_ONCE(Cell c, long v) { V.setOpaque(c, v); }

    @Override public long smp_load_acquire(Cell c) { return (long) V.getAcquire(c); }

    @Override public void smp_store_release(Cell c, long v) { V.setRelease(c, v); }

    @Override public long xchg(Cell c, long v) { return (long) V.getAndSet(c, v); }

    @Override public long cmpxchg(Cell c, long expect, long v) { return (long) V.compareAndExchange(c, expect, v); }

    @Override public long atomic_add_return(Cell c, long delta) { return (long) V.getAndAdd(c, delta) + delta; }

    @Override public boolean test_and_set_bit(Cell c, long mask) { return ((long) V.getAndBitwiseOr(c, mask) & mask) != 0; }

    @Override public boolean test_and_clear_bit(Cell c, long mask) { return ((long) V.getAndBitwiseAnd(c, ~mask) & mask) != 0; }

    @Override
    public void atomic_add(Cell c, long delta) {
        long old;
        do {
            old = (long) V.getOpaque(c);
        } while (!V.weakCompareAndSetPlain(c, old, old + delta));
    }

    @Override
    public void set_bit(Cell c, long mask) {
        long old;
        do {
            old = (long) V.getOpaque(c);
        } while (!V.weakCompareAndSetPlain(c, old, old | mask));
    }

    @Override
    public void clear_bit(Cell c, long mask) {
        long old;
        do {
            old = (long) V.getOpaque(c);
        } while (!V.weakCompareAndSetPlain(c, old, old & ~mask));
    }

    @Override
    public long cmpxchg_relaxed(Cell c, long expect, long v) {
        for (;;) {
            long old = (long) V.getOpaque(c);
            if (old != expect) {
                return old;
            }
            if (V.weakCompareAndSetPlain(c, expect, v)) {
                return expect;
            }
        }
    }

    @Override public long cmpxchg_acquire(Cell c, long expect, long v) { return (long) V.compareAndExchangeAcquire(c, expect, v); }

    @Override public long atomic_add_return_release(Cell c, long delta) { return (long) V.getAndAddRelease(c, delta) + delta; }

    @Override public long atomic_add_return_acquire(Cell c, long delta) { return (long) V.getAndAddAcquire(c, delta) + delta; }

    @Override public void smp_rmb() { VarHandle.loadLoadFence(); }

    @Override public void smp_wmb() { VarHandle.storeStoreFence(); }

    @Override public void smp_mb() { VarHandle.fullFence(); }

    @Override public void init(Cell c, long v) { V.setVolatile(c, v); }

    @Override public long peek(Cell c) { return (long) V.getVolatile(c); }

    @Override public String modelName() { return "hardware"; }
}
