package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.sync.Sched;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * KVM's stage-2 table (EPT / arm64 stage 2) for one memslot: gfn offset to the frame it maps,
 * recorded as (pfn, generation) so that a stale SPTE is detectable after free and reuse.
 * Written under mmu_lock, read by the hardware walker without it.
 */
public final class Stage2 {
    private static final VarHandle SPTES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] sptes; // FrameRef or NONE, via SPTES
    private final Sched sched;

    public Stage2(int pages, Sched sched) {
        this.sptes = new long[pages];
        this.sched = sched;
    }

    /** Install an SPTE; caller holds mmu_lock. */
    public void set(int index, long frameRef) {
        sched.point("kvm_tdp_mmu_map: install spte");
        sched.observe("spte", frameRef);
        SPTES.setRelease(sptes, index, frameRef);
    }

    /** Zap an SPTE; caller holds mmu_lock. Returns whether one was present (needs a flush). */
    public boolean zap(int index) {
        long old = (long) SPTES.getAndSet(sptes, index, FrameRef.NONE);
        return old != FrameRef.NONE;
    }

    /** What the hardware walker sees. */
    public long get(int index) {
        return (long) SPTES.getAcquire(sptes, index);
    }

    public int size() {
        return sptes.length;
    }
}
