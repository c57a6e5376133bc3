package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Pte;

/**
 * hmm_range_fault() (mm/hmm.c) for one page: the CPU page table read for a device mirror, under
 * mmap_lock for read (mmap_assert_locked()), with no page-table lock and no page reference:
 * <pre>
 * hmm_range_fault():      do {
 *                           if (mmu_interval_check_retry(notifier, notifier_seq)) return -EBUSY;
 *                           walk_page_range(): find_vma()         no VMA: -EFAULT
 *                             hmm_vma_walk_pmd() -> hmm_vma_handle_pte():
 *                               pte = ptep_get(ptep)              READ_ONCE, lockless
 *                               a fault needed: hmm_vma_fault() -> handle_mm_fault(), -EBUSY
 *                               else hmm_pfns[i] = pfn | HMM_PFN_VALID (| HMM_PFN_WRITE)
 *                         } while (ret == -EBUSY);
 * </pre>
 * (v5.5 read the PTE as a plain {@code *ptep}; ptep_get() is a READ_ONCE since.) A migration
 * entry is waited out (migration_entry_wait()) and the walk restarts. Nothing here holds the page:
 * the mirror is right only if mmu_interval_read_retry() under the driver lock says no
 * invalidation overlapped since mmu_interval_read_begin().
 */
public final class Hmm {
    private Hmm() { }

    /** -EBUSY: the range was invalidated; the caller starts again from mmu_interval_read_begin(). */
    public static final int EBUSY = -16;
    /** -EFAULT: no VMA covers the page. */
    public static final int EFAULT = -14;

    /** HMM_PFN_WRITE: the CPU PTE allowed writes when it was read. */
    public static final long HMM_PFN_WRITE = 1L << 62;

    /**
     * hmm_range_fault() of {@code va} for a read (HMM_PFN_REQ_FAULT without _WRITE); the caller
     * holds mmap_lock for read. Returns 0 and stores in {@code hmmPfn[0]} the frame the PTE named
     * when it was read, with the frame's generation at that read (the mirror holds no reference,
     * so that is the allocation it names; an oracle's reading, not kernel state) and
     * {@link #HMM_PFN_WRITE}; or {@link #EBUSY} or {@link #EFAULT}.
     *
     * @param vmas the VMA tree, or null where no path removes a VMA
     */
    public static int hmmRangeFault(MmStruct mm, MmuIntervalNotifier sub, long notifierSeq, VmaTree vmas, int va,
                                    long[] hmmPfn) {
        for (;;) {
            if (sub.checkRetry(notifierSeq)) {
                return EBUSY;
            }
            mm.sched.point("walk_page_range: find_vma");
            if (vmas != null && !vmas.findVma(va)) {
                return EFAULT;
            }
            mm.sched.point("hmm_vma_handle_pte: ptep_get");
            long pte = mm.pgtable.ptepGetLockless(va);
            if (!Pte.present(pte)) {
                // hmm_vma_fault() -> handle_mm_fault() (a migration entry: migration_entry_wait()); -EBUSY
                mm.sched.point("hmm_vma_fault: handle_mm_fault");
                if (Fault.handleMmFault(mm, va, false) == Fault.Result.OOM) {
                    return EFAULT;
                }
                mm.sched.spin("hmm_range_fault: -EBUSY, walk again");
                continue;
            }
            int pfn = (int) Pte.pfn(pte);
            hmmPfn[0] = FrameRef.of(pfn, mm.frames.generationAtRead(pfn)) | (Pte.write(pte) ? HMM_PFN_WRITE : 0);
            return 0;
        }
    }
}
