package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.PageTable;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.RwSem;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * struct mm_struct: the page table, its lock (one PTL for the whole table, as with
 * split page-table locks off), mmap_lock, and the notifier subscriptions. The operations that
 * change PTEs live beside it: {@link Fault}, {@link Zap}, {@link Mprotect}, {@link Migrate};
 * the arch TLB flush in {@link TlbFlush}.
 */
public final class MmStruct {
    public final Memory mem;
    public final Sched sched;
    public final MmConfig config;
    public final PageTable pgtable;
    public final Frames frames;
    public final SpinLock ptl;
    public final RwSem mmapLock;
    public final MmuNotifierSubscriptions notifiers;
    public final TlbFlush tlb;
    private final int pageWalkSpins;
    private final dev.tlbrace.model.sync.Cell upgradesInFlight;

    public MmStruct(Memory mem, MmConfig config, int pages, Frames frames) {
        this(mem, config, pages, frames, 0);
    }

    /**
     * @param pageWalkSpins busy-wait turns that stand for the descent from pgd to the PTE page
     *                      in unmap_page_range() (dependent loads, pmd lock): a stress test sets
     *                      it to give free-running threads the window the kernel has; 0 elsewhere
     */
    public MmStruct(Memory mem, MmConfig config, int pages, Frames frames, int pageWalkSpins) {
        this.pageWalkSpins = pageWalkSpins;
        this.mem = mem;
        this.upgradesInFlight = mem.cell("upgrades in flight (oracle)", 0);
        this.sched = mem.sched;
        this.config = config;
        this.pgtable = new PageTable(pages, mem);
        this.frames = frames;
        this.ptl = new SpinLock("ptl", mem);
        this.mmapLock = new RwSem("mmap_lock", mem);
        this.notifiers = new MmuNotifierSubscriptions(mem, config.secondaryTlbsInFlush());
        this.tlb = new TlbFlush(this);
    }

    /**
     * The same documented widening where a fault that slept in GUP returns to its caller
     * (__kvm_faultin_pfn back to kvm_tdp_page_fault, hva_to_pfn back to the pfn cache): the
     * window an mprotect, which needs mmap_lock for write, has to fit in. 0 in the explorer.
     */
    public void faultReturnDelay() {
        pageWalkDelay();
    }

    /**
     * The same documented widening for a TLB flush inside a start..end bracket: arm64 broadcasts
     * TLBI ...IS and waits for it (dsb ish), x86 sends IPIs to every CPU running the mm and waits
     * for them; microseconds, the longest step of most invalidation windows. 0 in the explorer.
     */
    void tlbFlushDelay() {
        pageWalkDelay();
    }

    /** The cost of walking down to a PTE page, as configured; see the constructor. */
    void pageWalkDelay() {
        for (int i = 0; i < pageWalkSpins; i++) {
            Thread.onSpinWait();
        }
    }

    /**
     * Oracle bookkeeping, not kernel state: permission upgrades between their PTE write and the
     * end of their notification. A no-change fault while one is in flight is the fix's window,
     * not a livelock (B2). A cell like any other shared word: an AtomicLong here was invisible
     * to the explorer, whose reduction then missed B2 readings of the in-role oracle (found by
     * ReductionSelfCheckTest on notify-on-upgrade).
     */
    void upgradeBegin() {
        mem.atomic_add(upgradesInFlight, 1);
    }

    void upgradeEnd() {
        mem.atomic_add(upgradesInFlight, -1);
    }

    /** For an in-role oracle: a read the explorer sees, not a scheduling point. */
    public long upgradesInFlight() {
        return mem.peek(upgradesInFlight);
    }

    /** Setup: map a fresh anonymous frame at {@code va} with {@code flags}; returns its pfn. */
    public int populate(int va, long flags) {
        int pfn = frames.allocPage(Frames.OWNER_ANON);
        if (pfn < 0) {
            throw new IllegalStateException("out of frames while populating va " + va);
        }
        pgtable.init(va, dev.tlbrace.model.mem.Pte.make(pfn, flags | dev.tlbrace.model.mem.Pte.PRESENT));
        return pfn;
    }
}
