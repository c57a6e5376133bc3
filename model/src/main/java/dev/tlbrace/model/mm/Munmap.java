package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Frames;

/**
 * munmap() of one page: do_vmi_munmap() -> do_vmi_align_munmap() (mm/vma.c; __do_munmap() of
 * mm/mmap.c before v6.1). Since dd2283f2605e (v4.20, "mm: mmap: zap pages with read mmap_sem in
 * munmap") the VMAs are detached under mmap_lock for write, then the lock is downgraded and the
 * pages zapped under it for read:
 * <pre>
 * mmap_write_lock()
 * vms_gather_munmap_vmas(), vma_iter_clear_gfp()   the VMA leaves the tree
 * vms_complete_munmap_vmas(): mmap_write_downgrade()
 *   unmap_region(): mmu_notifier_invalidate_range_start() .. zap .. _end(), pages freed
 * mmap_read_unlock()
 * </pre>
 * A reader that takes mmap_lock after the downgrade finds no VMA; one that took it before holds
 * the write lock off until it drops it.
 */
public final class Munmap {
    private Munmap() { }

    /** munmap() of {@code va}, then another owner allocates the freed frame. */
    public static void munmapThenReuse(MmStruct mm, VmaTree vmas, int va) {
        mm.mmapLock.downWrite();
        mm.sched.point("do_vmi_align_munmap: vms_gather_munmap_vmas, detach the VMA");
        vmas.detach(va);
        mm.mmapLock.downgradeWrite(); // vms_complete_munmap_vmas()
        try {
            Zap.zapUnderMmapLock(mm, va, va + 1, MmuNotifierRange.Event.UNMAP);
        } finally {
            mm.mmapLock.upRead();
        }
        mm.sched.point("mm: alloc_page() reuses the freed frame");
        mm.frames.allocPage(Frames.OWNER_OTHER);
    }
}
