package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Pte;

/**
 * zap_page_range_single() (MADV_DONTNEED, munmap, reclaim of anonymous pages): the sequence
 * whose order every secondary depends on.
 * <pre>
 * mmu_notifier_invalidate_range_start()     pages still mapped
 * ptep_get_and_clear() under the PTL        the primary translation is gone
 * tlb_flush_mmu(): flush_tlb_range()        CPU TLBs (v6.6: + arch_invalidate_secondary_tlbs)
 *                  mmu_notifier_invalidate_range()   before v6.6
 * tlb_finish_mmu(): put_page()              the frame may be freed and reused from here
 * mmu_notifier_invalidate_range_end()
 * </pre>
 */
public final class Zap {
    private Zap() { }

    /** MADV_DONTNEED: madvise() takes mmap_lock for read (madvise_need_mmap_write() is false for it). */
    public static void zapPageRange(MmStruct mm, int start, int end) {
        mm.mmapLock.downRead();
        try {
            zapUnderMmapLock(mm, start, end, MmuNotifierRange.Event.UNMAP);
        } finally {
            mm.mmapLock.upRead();
        }
    }

    /** The bracket and the zap; the caller holds mmap_lock (for read: MADV_DONTNEED, munmap after its downgrade). */
    static void zapUnderMmapLock(MmStruct mm, int start, int end, MmuNotifierRange.Event event) {
        MmuNotifierRange range = new MmuNotifierRange(start, end, event);
        mm.notifiers.invalidateRangeStart(range);
        int[] gathered = new int[end - start];
        int n = 0;
        mm.sched.point("unmap_page_range: zap_pte_range");
        mm.pageWalkDelay(); // pgd -> p4d -> pud -> pmd -> pte page
        mm.ptl.lock();
        for (int va = start; va < end; va++) {
            mm.sched.point("zap_pte_range: ptep_get_and_clear");
            long old = mm.pgtable.ptepGetAndClear(va);
            if (Pte.present(old)) {
                gathered[n++] = (int) Pte.pfn(old); // tlb_remove_page(): freed after the flush
            }
        }
        mm.ptl.unlock();
        if (n > 0) {
            mm.tlb.flushTlbRange(start, end);          // tlb_flush_mmu_tlbonly()
            mm.notifiers.invalidateRange(start, end); // before v6.6, same place
            for (int i = 0; i < n; i++) {
                mm.sched.point("tlb_finish_mmu: put_page");
                mm.frames.putPage(gathered[i]);
            }
        }
        mm.notifiers.invalidateRangeEnd(range);
    }

    /**
     * MADV_DONTNEED of one page, then another owner allocates: with the LIFO allocator that is
     * the frame just freed, the reuse that makes a stale secondary translation dangerous.
     */
    public static void zapPageThenReuse(MmStruct mm, int va) {
        zapPageRange(mm, va, va + 1);
        mm.sched.point("mm: alloc_page() reuses the freed frame");
        mm.frames.allocPage(dev.tlbrace.model.mem.Frames.OWNER_OTHER);
    }
}
