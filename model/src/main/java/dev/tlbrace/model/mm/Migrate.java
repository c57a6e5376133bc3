package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;

/**
 * migrate_pages() of one page: try_to_migrate_one() clears the PTE (ptep_clear_flush: flush and,
 * before v6.6, ptep_clear_flush_notify's invalidate_range) and leaves a migration entry, the
 * contents move to a new frame, remove_migration_pte() maps it where the migration entry still
 * is, the old frame is freed. A fault on the migration entry waits (migration_entry_wait()).
 * No mmap_lock, as in the kernel.
 */
public final class Migrate {
    private Migrate() { }

    /** Returns the new pfn, or -1 if the page was not mapped or no frame was free. */
    public static int migratePage(MmStruct mm, int va) {
        MmuNotifierRange range = new MmuNotifierRange(va, va + 1, MmuNotifierRange.Event.MIGRATE);
        mm.notifiers.invalidateRangeStart(range);
        try {
            mm.pageWalkDelay(); // page_vma_mapped_walk(): pgd -> p4d -> pud -> pmd -> pte page
            mm.ptl.lock();
            mm.sched.point("try_to_migrate_one: ptep_clear_flush");
            long old = mm.pgtable.ptepGetAndClear(va); // a migration entry: not present
            if (!Pte.present(old)) {
                mm.pgtable.setPteAt(va, old);
                mm.ptl.unlock();
                return -1;
            }
            mm.tlb.flushTlbPage(va);
            mm.notifiers.invalidateRange(va, va + 1);
            long entry = Pte.migrationEntry(Pte.pfn(old));
            mm.pgtable.setPteAt(va, entry); // set_pte_at(swp_pte)
            mm.ptl.unlock();

            mm.sched.point("migrate_folio: alloc the new page");
            int newPfn = mm.frames.allocPage(Frames.OWNER_ANON);
            mm.ptl.lock();
            mm.sched.point("remove_migration_pte: set_pte_at");
            boolean stillThere = mm.pgtable.ptepGet(va) == entry; // unmapped meanwhile: nothing to restore
            if (newPfn < 0) {
                if (stillThere) {
                    mm.pgtable.setPteAt(va, old); // migration failed: restore
                }
                mm.ptl.unlock();
                if (!stillThere) {
                    mm.frames.putPage((int) Pte.pfn(old)); // unmapped meanwhile: the migration held the last reference
                }
                return -1;
            }
            if (stillThere) {
                mm.pgtable.setPteAt(va, Pte.make(newPfn, old & (Pte.PRESENT | Pte.WRITE | Pte.ACCESSED | Pte.DIRTY)));
            }
            mm.ptl.unlock();
            if (!stillThere) {
                mm.frames.putPage(newPfn);
                mm.frames.putPage((int) Pte.pfn(old));
                return -1;
            }
            mm.sched.point("migrate_folio: put old page");
            mm.frames.putPage((int) Pte.pfn(old));
            return newPfn;
        } finally {
            mm.notifiers.invalidateRangeEnd(range);
        }
    }
}
