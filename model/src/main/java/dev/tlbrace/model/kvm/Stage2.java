package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * KVM's stage-2 table (EPT / arm64 stage 2) for one memslot: gfn offset to the frame it maps,
 * recorded as (pfn, generation) so that a stale SPTE is detectable after free and reuse, plus
 * its write permission. Written under mmu_lock, read by the hardware walker without it.
 */
public final class Stage2 {
    /** The SPTE's write bit, beside the FrameRef in the same word (generations stay far below it). */
    public static final long WRITABLE = 1L << 31;

    private final Cell[] sptes; // FrameRef | WRITABLE, or NONE
    private final Memory mem;
    private final Sched sched;
    private final SpinLock[] rmapLocks; // book3s HV: per-page rmap locks; null elsewhere

    public Stage2(int pages, Memory mem) {
        this(pages, mem, false);
    }

    /** @param rmapLocks give each page the rmap lock that Book3S HV zaps and installs under */
    public Stage2(int pages, Memory mem, boolean rmapLocks) {
        this.sptes = mem.cells("spte", pages, FrameRef.NONE);
        this.mem = mem;
        this.sched = mem.sched;
        this.rmapLocks = rmapLocks ? new SpinLock[pages] : null;
        for (int i = 0; rmapLocks && i < pages; i++) {
            this.rmapLocks[i] = new SpinLock("rmap[" + i + "]", mem);
        }
    }

    /** Whether this table has per-page rmap locks (Book3S HV). */
    public boolean hasRmapLocks() {
        return rmapLocks != null;
    }

    /** lock_rmap() of page {@code index}: the lock its zap and its fault-path install take. */
    public SpinLock rmapLock(int index) {
        if (rmapLocks == null) {
            throw new IllegalStateException("this stage-2 table has no rmap locks");
        }
        return rmapLocks[index];
    }

    /** Install a read-only SPTE; caller holds mmu_lock. */
    public void set(int index, long frameRef) {
        set(index, frameRef, false);
    }

    /** Install an SPTE, writable if the fault mapped the page writable; caller holds mmu_lock. */
    public void set(int index, long frameRef, boolean writable) {
        sched.point("kvm_tdp_mmu_map: install spte");
        sched.observe("spte", frameRef);
        mem.smp_store_release(sptes[index], frameRef | (writable ? WRITABLE : 0)); // __kvm_tdp_mmu_write_spte
    }

    /** Zap an SPTE; caller holds mmu_lock. Returns whether one was present (needs a flush). */
    public boolean zap(int index) {
        long old = mem.xchg(sptes[index], FrameRef.NONE);
        return old != FrameRef.NONE;
    }

    /** The frame the hardware walker sees (the SPTE without its write bit). */
    public long get(int index) {
        return frame(mem.smp_load_acquire(sptes[index]));
    }

    /** The frame an SPTE maps, without its write bit. */
    public static long frame(long spte) {
        return spte & ~WRITABLE;
    }

    /** Whether an SPTE lets the guest write. */
    public static boolean writable(long spte) {
        return (spte & WRITABLE) != 0;
    }

    /** The whole SPTE, frame and write bit, in one read. */
    public long getSpte(int index) {
        return mem.smp_load_acquire(sptes[index]);
    }

    /** The latest SPTE's frame, for a judge at quiescence. */
    public long peek(int index) {
        return frame(mem.peek(sptes[index]));
    }

    public int size() {
        return sptes.length;
    }
}
