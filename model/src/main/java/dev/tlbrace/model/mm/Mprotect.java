package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Pte;

/**
 * change_protection() RW to RO (mprotect, write-protect for fork or dirty tracking): start,
 * wrprotect each PTE under the PTL, flush_tlb_range(), end. A later write fault upgrades the
 * page again through {@link Fault}: the half of the cycle that Race B is about.
 */
public final class Mprotect {
    private Mprotect() { }

    /**
     * change_protection(): mmap_lock for write, then the notifier bracket around
     * {@link #changePteRange}. The end must come after the write-protect: a walker that takes no
     * mmap_lock (GUP-fast) could otherwise map the page writable after the end and keep it
     * (InvalidationOrderRegressionTest). Returns how many PTEs lost write permission.
     */
    public static int changeProtection(MmStruct mm, int start, int end) {
        MmuNotifierRange range = new MmuNotifierRange(start, end, MmuNotifierRange.Event.PROTECTION_VMA);
        mm.mmapLock.downWrite();
        try {
            mm.notifiers.invalidateRangeStart(range);
            int changed = changePteRange(mm, start, end);
            mm.notifiers.invalidateRangeEnd(range); // before v6.6 SVA heard it here (invalidate_range)
            return changed;
        } finally {
            mm.mmapLock.upWrite();
        }
    }

    /**
     * change_pte_range(): write-protect each present writable PTE under the PTL, then
     * flush_tlb_range(). The caller holds mmap_lock for write inside a start..end bracket.
     * Returns how many PTEs lost write permission.
     */
    public static int changePteRange(MmStruct mm, int start, int end) {
        int changed = 0;
        mm.pageWalkDelay(); // change_protection_range(): pgd -> p4d -> pud -> pmd -> pte page
        mm.ptl.lock();
        for (int va = start; va < end; va++) {
            mm.sched.point("change_pte_range: ptep_modify_prot");
            long pte = mm.pgtable.ptepGet(va);
            if (Pte.present(pte) && Pte.write(pte)) {
                mm.pgtable.setPteAt(va, Pte.wrprotect(pte) & ~Pte.DIRTY);
                changed++;
            }
        }
        if (changed > 0) {
            mm.tlb.flushTlbRange(start, end); // under the PTL, as change_pte_range's tlb batch
        }
        mm.ptl.unlock();
        return changed;
    }
}
