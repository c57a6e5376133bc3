package dev.tlbrace.model.mm;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;

/**
 * mm->mm_mt (the maple tree of VMAs; an rbtree before v6.1), reduced to whether a page has a VMA:
 * one word per page, changed with mmap_lock held for write and read under mmap_lock, as
 * find_vma() is. Only the races that need a VMA to go away (munmap) make one.
 */
public final class VmaTree {
    private final Cell[] mapped; // 1: a VMA covers the page
    private final Memory mem;

    public VmaTree(Memory mem, int pages) {
        this.mem = mem;
        this.mapped = mem.cells("vma", pages, 1, v -> v == 0 ? "none" : "mapped");
    }

    /** find_vma(): whether a VMA covers {@code va}; the caller holds mmap_lock. */
    public boolean findVma(int va) {
        return mem.READ_ONCE(mapped[va]) != 0;
    }

    /**
     * vms_gather_munmap_vmas() + vma_iter_clear_gfp(): the VMA leaves the tree (it is only
     * freed after the zap); the caller holds mmap_lock for write.
     */
    public void detach(int va) {
        mem.WRITE_ONCE(mapped[va], 0);
    }
}
