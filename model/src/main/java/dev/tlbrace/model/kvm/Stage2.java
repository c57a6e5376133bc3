package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;

/**
 * KVM's stage-2 table (EPT / arm64 stage 2) for one memslot: gfn offset to the frame it maps,
 * recorded as (pfn, generation) so that a stale SPTE is detectable after free and reuse.
 * Written under mmu_lock, read by the hardware walker without it.
 */
public final class Stage2 {
    private final Cell[] sptes; // FrameRef or NONE
    private final Memory mem;
    private final Sched sched;

    public Stage2(int pages, Memory mem) {
        this.sptes = mem.cells("spte", pages, FrameRef.NONE);
        this.mem = mem;
        this.sched = mem.sched;
    }

    /** Install an SPTE; caller holds mmu_lock. */
    public void set(int index, long frameRef) {
        sched.point("kvm_tdp_mmu_map: install spte");
        sched.observe("spte", frameRef);
        mem.smp_store_release(sptes[index], frameRef); // __kvm_tdp_mmu_write_spte
    }

    /** Zap an SPTE; caller holds mmu_lock. Returns whether one was present (needs a flush). */
    public boolean zap(int index) {
        long old = mem.xchg(sptes[index], FrameRef.NONE);
        return old != FrameRef.NONE;
    }

    /** What the hardware walker sees. */
    public long get(int index) {
        return mem.smp_load_acquire(sptes[index]);
    }

    /** The latest SPTE, for a judge at quiescence. */
    public long peek(int index) {
        return mem.peek(sptes[index]);
    }

    public int size() {
        return sptes.length;
    }
}
