package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Pte;

/**
 * GUP-fast (mm/gup.c, CONFIG_HAVE_GUP_FAST): the walk of the page tables that
 * get_user_page_fast_only() and get_user_pages_fast() try before anything else, with interrupts
 * off instead of mmap_lock and the page-table lock. KVM's hva_to_pfn() tries it first; only when it
 * fails does the slow {@link Fault#getUserPage} take the locks. Checked against
 * gup_fast_pte_range(), try_grab_folio_fast() and gup_fast() of mm/gup.c (the v6.11 form, and
 * gup_fast_pte_range() as it stands at 24172e0d7990, Nov 2025), get_user_page_fast_only() of
 * include/linux/mm.h and ptep_get_lockless() of include/linux/pgtable.h:
 * <pre>
 * gup_fast():           local_irq_save()              page-table pages cannot be freed under the walk
 * gup_fast_pte_range(): pte = ptep_get_lockless()     READ_ONCE, no lock
 *                       !pte_access_permitted()       not present, or read-only for FOLL_WRITE: fail
 *                       try_grab_folio_fast()         folio_ref_try_add(): +1 unless the count is 0
 *                       pte != ptep_get(ptep)         changed under the walk: gup_put_folio(), fail
 * gup_fast():           local_irq_restore()
 * </pre>
 * Why no lock is needed, as the comment above gup_fast_pte_range() puts it: GUP-fast (1) takes the
 * reference, then (2) re-checks the PTE; a path that takes a page away (1) changes the PTE, then
 * (2) drops the mapping's reference (put_page() after the TLB flush). Both (1)s meet on one word,
 * the refcount, with fully ordered RMWs (the cmpxchg of folio_ref_try_add(), put_page()'s
 * atomic_dec_and_test()), so whichever comes second sees the other's PTE change: a page freed
 * between the read and the grab has a count of 0 and the grab fails; a page freed and reused since
 * passes the grab and fails the re-check. What it does not promise is that the PTE still says the
 * same after the walk: a write-protect or a zap may follow at once. That is what KVM's
 * mmu_invalidate_seq retry protocol is for, and the reason this walker is modelled: it does not
 * wait for an mprotect that holds mmap_lock for write, as the slow GUP does.
 *
 * <p>Page-table pages are what the IRQ-off section protects: an IPI-based TLB flush cannot finish
 * while the walker has interrupts off, and with MMU_GATHER_RCU_TABLE_FREE (arm64, whose broadcast
 * TLBI interrupts nobody; x86 with PARAVIRT) tlb_remove_table() frees them after an RCU-sched grace
 * period, which the IRQ-off section holds off. The model's page table is one PTE page that is never
 * freed (no free_pgtables(), no khugepaged collapse), so that section orders nothing here and is
 * shown as trace points only; the TLB flush modelled ({@link TlbFlush}, arm64) does not wait for it.
 */
public final class GupFast {
    private GupFast() { }

    /**
     * get_user_page_fast_only() -> get_user_pages_fast_only(FOLL_GET | FOLL_FAST_ONLY) ->
     * gup_fast_fallback() -> gup_fast(), for one page: no fallback. Returns the pfn with a
     * reference the caller must put, or -1 (the caller takes the slow path).
     *
     * @param write FOLL_WRITE: the PTE must be writable (KVM always asks for it here)
     */
    public static int getUserPageFastOnly(MmStruct mm, int va, boolean write) {
        mm.sched.point("get_user_page_fast_only: gup_fast: local_irq_save");
        int pfn = gupFastPteRange(mm, va, write);
        mm.sched.point(pfn < 0 ? "gup_fast: local_irq_restore, fail: fall back" : "gup_fast: local_irq_restore");
        mm.sched.observe(pfn < 0 ? "GUP-fast failed" : "GUP-fast pfn", pfn);
        return pfn;
    }

    /** gup_fast_pte_range() for one PTE, interrupts off. Returns the pfn with a reference, or -1. */
    private static int gupFastPteRange(MmStruct mm, int va, boolean write) {
        mm.sched.point("gup_fast_pte_range: ptep_get_lockless");
        long pte = mm.pgtable.ptepGetLockless(va);
        if (!pteAccessPermitted(pte, write)) {
            return -1;
        }
        int pfn = (int) Pte.pfn(pte);
        mm.sched.point("gup_fast_pte_range: try_grab_folio_fast");
        if (!mm.frames.folioRefTryAdd(pfn)) {
            return -1; // the page was freed after the read: its count is 0
        }
        // The fully ordered grab above pairs with put_page()'s atomic_dec_and_test() after the
        // invalidation side changed the PTE: if that put came first, this re-read sees the change.
        mm.sched.point("gup_fast_pte_range: pte_val(pte) != pte_val(ptep_get(ptep))");
        if (mm.pgtable.ptepGet(va) != pte) {
            mm.sched.point("gup_fast_pte_range: pte changed, gup_put_folio");
            mm.frames.putPage(pfn);
            return -1;
        }
        return pfn;
    }

    /**
     * pte_access_permitted(pte, write) (arm64 and x86 alike for what is modelled): present, and
     * writable if FOLL_WRITE. A migration entry is not present; pte_protnone() and pte_special()
     * pages do not occur here.
     */
    private static boolean pteAccessPermitted(long pte, boolean write) {
        return Pte.present(pte) && (!write || Pte.write(pte));
    }
}
