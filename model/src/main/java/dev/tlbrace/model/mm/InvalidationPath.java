package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;

/**
 * The paths the kernel takes to change what a page-table entry maps, each inside its own
 * mmu-notifier bracket: what an Invalidator role does to one page. Every race runs on each path
 * that can reach its bug, so a regression in one path's notifier calls is seen.
 */
public enum InvalidationPath {
    /** MADV_DONTNEED / munmap: zap_pte_range(), the frame freed after the flush, then reused. */
    ZAP("zap", "MADV_DONTNEED: zap_pte_range, free after the flush, the frame reused"),
    /**
     * migrate_pages(): try_to_migrate_one() leaves a migration entry, the contents move,
     * remove_migration_pte() maps the new frame, the old one is freed and reused.
     */
    MIGRATE("migrate", "migrate_pages: migration entry, new frame, old frame freed and reused"),
    /** mprotect() RW -> RO: change_pte_range() write-protects in place; the frame stays. */
    CHANGE_PROTECTION("change-protection", "mprotect RW -> RO: the PTE write-protected in place, the frame kept"),
    /**
     * A COW break after fork: the page is mapped read-only and shared with a child; a host write
     * takes wp_page_copy() (new frame, invalidate_range_only_end before v6.6), then the child
     * exits and the old frame is freed and reused.
     */
    COW("cow", "fork, then a host write: wp_page_copy, the child exits, the old frame freed and reused");

    private final String id;
    private final String label;

    InvalidationPath(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() { return id; }

    public String label() { return label; }

    /** Maps {@code va} the way this path expects to find it; returns the pfn. */
    public int populate(MmStruct mm, int va) {
        if (this == COW) {
            int pfn = mm.populate(va, Pte.ACCESSED); // write-protected by fork's copy_present_pte()
            mm.frames.getPage(pfn);                   // the child's mapping
            return pfn;
        }
        return mm.populate(va, Pte.WRITE | Pte.ACCESSED | Pte.DIRTY);
    }

    /** The Invalidator's work on {@code va}, which {@link #populate} mapped to {@code oldPfn}. */
    public void run(MmStruct mm, int va, int oldPfn) {
        switch (this) {
            case ZAP -> Zap.zapPageThenReuse(mm, va);
            case MIGRATE -> {
                Migrate.migratePage(mm, va);
                mm.sched.point("mm: alloc_page() reuses the freed frame");
                mm.frames.allocPage(Frames.OWNER_OTHER);
            }
            case CHANGE_PROTECTION -> Mprotect.changeProtection(mm, va, va + 1);
            case COW -> {
                Fault.userFault(mm, va, true);
                mm.sched.point("exit_mmap (the child): put_page");
                mm.frames.putPage(oldPfn);
                mm.sched.point("mm: alloc_page() reuses the freed frame");
                mm.frames.allocPage(Frames.OWNER_OTHER);
            }
            default -> throw new IllegalStateException(id);
        }
    }
}
