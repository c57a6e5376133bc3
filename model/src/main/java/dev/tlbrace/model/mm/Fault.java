package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;

/**
 * The fault path (mm/memory.c) and the slow get_user_pages (mm/gup.c), reduced to anonymous
 * memory. The lockless walk GUP tries first is {@link GupFast}.
 */
public final class Fault {
    private Fault() { }

    /** What handle_mm_fault() did: the IOPF handler's page response depends on it. */
    public enum Result {
        /** do_anonymous_page(): a new frame is mapped. */
        MAPPED,
        /** do_wp_page() -> wp_page_reuse() -> ptep_set_access_flags(): RO became RW. */
        UPGRADED,
        /** The PTE already allowed the access: a spurious fault, nothing flushed on arm64. */
        NO_CHANGE,
        /** No frame could be allocated. */
        OOM
    }

    /** handle_mm_fault() with mmap_lock taken and dropped around it, as a user fault does. */
    public static Result userFault(MmStruct mm, int va, boolean write) {
        mm.mmapLock.downRead();
        try {
            return handleMmFault(mm, va, write);
        } finally {
            mm.mmapLock.upRead();
        }
    }

    /** handle_mm_fault() -> handle_pte_fault(); the caller holds mmap_lock for read. */
    public static Result handleMmFault(MmStruct mm, int va, boolean write) {
        mm.sched.point("handle_mm_fault");
        mm.ptl.lock();
        long pte = mm.pgtable.ptepGet(va);
        if (Pte.isMigrationEntry(pte)) {
            mm.ptl.unlock();
            migrationEntryWait(mm, va);
            return handleMmFault(mm, va, write); // the fault is retried on the migrated page
        }
        if (!Pte.present(pte)) {
            Result r = doAnonymousPage(mm, va, write);
            mm.ptl.unlock();
            return r;
        }
        if (write && !Pte.write(pte)) {
            return doWpPage(mm, va, pte); // drops the PTL
        }
        if (write && !Pte.dirty(pte)) {
            // writable but clean (MADV_FREE, clear_refs): pte_mkdirty() is a permission upgrade on arm64
            return upgradeInPlace(mm, va, pte, "handle_pte_fault: ptep_set_access_flags (pte_mkdirty)");
        }
        // arm64: the access is already allowed; flush_tlb_fix_spurious_fault() is a no-op
        mm.sched.point("handle_pte_fault: spurious fault, no change");
        mm.ptl.unlock();
        return Result.NO_CHANGE;
    }

    /** migration_entry_wait(): sleep until remove_migration_pte() replaced the entry. */
    private static void migrationEntryWait(MmStruct mm, int va) {
        mm.sched.point("migration_entry_wait");
        while (Pte.isMigrationEntry(mm.pgtable.ptepGet(va))) {
            mm.sched.spin("migration_entry_wait: migration in progress");
        }
    }

    private static Result doAnonymousPage(MmStruct mm, int va, boolean write) {
        mm.sched.point("do_anonymous_page");
        int pfn = mm.frames.allocPage(Frames.OWNER_ANON);
        if (pfn < 0) {
            return Result.OOM;
        }
        long flags = Pte.PRESENT | Pte.ACCESSED | (write ? Pte.WRITE | Pte.DIRTY : 0);
        mm.pgtable.setPteAt(va, Pte.make(pfn, flags));
        return Result.MAPPED;
    }

    /**
     * do_wp_page(): if the page is exclusive, wp_page_reuse() makes the PTE writable in place and
     * arm64's ptep_set_access_flags() calls flush_tlb_page(), because its TLBs (and the SMMU's)
     * may cache the read-only entry. If someone else holds a reference (a GUP), wp_page_copy().
     * Called with the PTL held; drops it.
     */
    private static Result doWpPage(MmStruct mm, int va, long orig) {
        int pfn = (int) Pte.pfn(orig);
        if (mm.frames.refcount(pfn) != 1) {
            mm.ptl.unlock();
            return wpPageCopy(mm, va, orig);
        }
        return upgradeInPlace(mm, va, orig, "wp_page_reuse: ptep_set_access_flags");
    }

    /**
     * ptep_set_access_flags() to writable, dirty and young, with the PTL held; drops it. arm64
     * flushes when it changed the PTE ("invalidate a stale read-only entry"), which reaches the
     * SMMU only with BTM or, from v6.6, arch_invalidate_secondary_tlbs. The seed patch v1
     * notifies after the PTL drop; modelled at both upgrade callers (wp_page_reuse and the
     * pte_mkdirty of handle_pte_fault), the patch's exact call sites not being available here.
     */
    private static Result upgradeInPlace(MmStruct mm, int va, long orig, String label) {
        mm.upgradeBegin();
        try {
            mm.sched.point(label);
            boolean changed = mm.pgtable.ptepSetAccessFlags(va, Pte.mkWriteDirtyYoung(orig));
            if (changed) {
                mm.tlb.flushTlbPage(va); // arm64: invalidate the stale read-only entry
            }
            mm.ptl.unlock();
            if (changed && mm.config.notifyOnUpgrade()) {
                MmuNotifierRange range = new MmuNotifierRange(va, va + 1, MmuNotifierRange.Event.PROTECTION_UPGRADE);
                mm.notifiers.invalidateRangeStart(range);
                mm.notifiers.invalidateRangeEnd(range);
            }
            return changed ? Result.UPGRADED : Result.NO_CHANGE;
        } finally {
            mm.upgradeEnd();
        }
    }

    /**
     * wp_page_copy(): a new frame replaces the shared one inside an MMU_NOTIFY_CLEAR bracket;
     * ptep_clear_flush_notify() flushes and (before v6.6) calls invalidate_range, so the bracket
     * closes with mmu_notifier_invalidate_range_only_end().
     */
    private static Result wpPageCopy(MmStruct mm, int va, long orig) {
        MmuNotifierRange range = new MmuNotifierRange(va, va + 1, MmuNotifierRange.Event.CLEAR);
        int copy = mm.frames.allocPage(Frames.OWNER_ANON);
        if (copy < 0) {
            return Result.OOM;
        }
        mm.notifiers.invalidateRangeStart(range);
        mm.ptl.lock();
        mm.sched.point("wp_page_copy: ptep_clear_flush_notify");
        long now = mm.pgtable.ptepGet(va);
        if (now != orig) { // raced: someone else resolved the fault
            mm.ptl.unlock();
            mm.frames.putPage(copy);
            mm.notifiers.invalidateRangeOnlyEnd(range);
            return Result.NO_CHANGE;
        }
        mm.pgtable.ptepGetAndClear(va);
        mm.tlb.flushTlbPage(va);
        mm.notifiers.invalidateRange(va, va + 1);
        mm.pgtable.setPteAt(va, Pte.make(copy, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.ACCESSED));
        mm.ptl.unlock();
        mm.frames.putPage((int) Pte.pfn(orig)); // the mapping's reference to the old page
        mm.notifiers.invalidateRangeOnlyEnd(range);
        return Result.MAPPED;
    }

    /**
     * get_user_pages_unlocked() for one page, the slow GUP (KVM's hva_to_pfn_slow(), after
     * {@link GupFast} failed): under mmap_lock for read, follow_page_pte() under the PTL takes a
     * reference, else fault it in and try again, as often as it takes (__get_user_pages() does not
     * give up on a racing invalidation). Returns the pfn with a reference the caller must put, or
     * -1 if no frame could be allocated.
     */
    public static int getUserPage(MmStruct mm, int va, boolean write) {
        mm.mmapLock.downRead();
        try {
            for (;;) {
                mm.sched.point("follow_page_pte");
                mm.ptl.lock();
                long pte = mm.pgtable.ptepGet(va);
                if (Pte.present(pte) && (!write || Pte.write(pte))) {
                    int pfn = (int) Pte.pfn(pte);
                    mm.frames.getPage(pfn);
                    mm.ptl.unlock();
                    return pfn;
                }
                mm.ptl.unlock();
                if (handleMmFault(mm, va, write) == Result.OOM) {
                    return -1;
                }
            }
        } finally {
            mm.mmapLock.upRead();
        }
    }
}
