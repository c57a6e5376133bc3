package dev.tlbrace.model.mm;

/**
 * struct mmu_notifier_ops (include/linux/mmu_notifier.h). Each callback defaults to absent, as
 * an ops table leaves it NULL.
 */
public interface MmuNotifier {

    /**
     * invalidate_range_start: pages in range are still mapped; from now until the matching end
     * no secondary translation may be created in the range, and pages may be freed before end.
     */
    default void invalidateRangeStart(MmuNotifierRange range) { }

    /** invalidate_range_end: the primary change is complete. */
    default void invalidateRangeEnd(MmuNotifierRange range) { }

    /**
     * invalidate_range (before v6.6): called when the CPU TLB is flushed for the range, after
     * the PTEs changed and before the pages are freed; cannot sleep.
     */
    default void invalidateRange(int start, int end) { }

    /**
     * arch_invalidate_secondary_tlbs (v6.6, 1af5a8109904): called by the arch TLB flush itself,
     * so every CPU TLB invalidation, upgrades included, reaches hardware secondaries.
     */
    default void archInvalidateSecondaryTlbs(int start, int end) { }

    /** release: the mm is going away; drop all secondary state. */
    default void release() { }
}
