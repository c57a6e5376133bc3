package dev.tlbrace.model.sync;

import java.lang.invoke.VarHandle;

/**
 * The kernel's barriers in Java. Accesses themselves use the VarHandle mode of the kernel
 * primitive, named at each use:
 * <pre>
 * READ_ONCE / WRITE_ONCE, atomic_read / atomic_set   getOpaque / setOpaque
 * smp_load_acquire / smp_store_release                getAcquire / setRelease
 * xchg, cmpxchg, value-returning atomics              getAndSet, compareAndExchange (volatile)
 * set_bit, atomic_inc, cmpxchg_relaxed                weakCompareAndSetPlain loop
 * spin_lock / spin_unlock                             {@link SpinLock} (acquire / release)
 * </pre>
 * Fences order only opaque-or-stronger accesses, which is why no shared field is plain.
 */
public final class Ordering {
    private Ordering() { }

    /** smp_rmb(): orders earlier loads before later loads. */
    public static void smpRmb() { VarHandle.loadLoadFence(); }

    /** smp_wmb(): orders earlier stores before later stores. */
    public static void smpWmb() { VarHandle.storeStoreFence(); }

    /** smp_mb(), smp_mb__after_atomic(), smp_mb__after_srcu_read_unlock(). */
    public static void smpMb() { VarHandle.fullFence(); }

    /** smp_mb__before_atomic() and smp_mb__after_atomic(): full barriers around an unordered RMW. */
    public static void smpMbAfterAtomic() { VarHandle.fullFence(); }

    /** arm64 dsb(ish): the CPU's stores are visible to all observers, walkers included. */
    public static void dsbIsh() { VarHandle.fullFence(); }
}
