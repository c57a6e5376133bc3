package dev.tlbrace.model.mm;

/**
 * Which kernel the mm behaves like, where the races care.
 *
 * @param secondaryTlbsInFlush v6.6 (1af5a8109904, 6bbd42e2df8f): the arch TLB flush calls
 *                             mmu_notifier_arch_invalidate_secondary_tlbs; invalidate_range is gone
 * @param notifyOnUpgrade      the May 2023 seed patch v1: a permission upgrade in the fault path
 *                             sends invalidate_range_start/end (MMU_NOTIFY_PROTECTION_UPGRADE)
 *                             after the PTL is dropped
 */
public record MmConfig(boolean secondaryTlbsInFlush, boolean notifyOnUpgrade) {
    /** Mainline before v6.6: upgrades notify nobody. */
    public static final MmConfig PRE_6_6 = new MmConfig(false, false);
    public static final MmConfig V6_6 = new MmConfig(true, false);
}
