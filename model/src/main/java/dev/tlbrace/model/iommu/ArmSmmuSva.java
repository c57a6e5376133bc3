package dev.tlbrace.model.iommu;

import dev.tlbrace.model.mm.MmuNotifier;

/**
 * arm_smmu_mmu_notifier_ops (arm-smmu-v3-sva.c): an SVA bond has no invalidate_range_start or
 * end; it hears the CPU TLB flush through invalidate_range (before v6.6) or
 * arch_invalidate_secondary_tlbs (v6.6), and skips its own TLBI when BTM already did it.
 */
public final class ArmSmmuSva implements MmuNotifier {
    private final ArmSmmuV3 smmu;

    public ArmSmmuSva(ArmSmmuV3 smmu) {
        this.smmu = smmu;
    }

    /** arm_smmu_mm_invalidate_range() (before v6.6). */
    @Override
    public void invalidateRange(int start, int end) {
        armSmmuMmInvalidate(start, end);
    }

    /** arm_smmu_mm_arch_invalidate_secondary_tlbs() (v6.6). */
    @Override
    public void archInvalidateSecondaryTlbs(int start, int end) {
        armSmmuMmInvalidate(start, end);
    }

    private void armSmmuMmInvalidate(int start, int end) {
        if (!smmu.btm()) {
            smmu.tlbInvRangeAndSync(start, end);
        } else {
            smmu.cmdSync(); // arm_smmu_atc_inv_domain() runs either way and ends in a sync
        }
    }

    /** arm_smmu_mm_release(). */
    @Override
    public void release() {
        smmu.cmdTlbiNhAsid();
        smmu.cmdSync();
    }
}
