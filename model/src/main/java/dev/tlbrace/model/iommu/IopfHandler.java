package dev.tlbrace.model.iommu;

import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.MmStruct;

/**
 * iommu_sva_handle_iopf() (drivers/iommu/iommu-sva.c) and the page response: resolve the
 * fault through the mm's fault path, then answer with CMD_PRI_RESP so the device retries.
 */
public final class IopfHandler {
    private final MmStruct mm;
    private final ArmSmmuV3 smmu;
    private final PermissionUpgrade variant;

    public IopfHandler(MmStruct mm, ArmSmmuV3 smmu, PermissionUpgrade variant) {
        this.mm = mm;
        this.smmu = smmu;
        this.variant = variant;
    }

    /** Handles one page request; returns what handle_mm_fault() did. */
    public Fault.Result handle(int va, boolean write) {
        mm.sched.point("iommu_sva_handle_iopf");
        Fault.Result r = Fault.userFault(mm, va, write);
        mm.sched.observe("fault result", r.ordinal());
        if (variant.invalidateBeforeResponse()) {
            smmu.tlbInvRangeAndSync(va, va + 1); // TLBI + ATC_INV + CMD_SYNC before replying
        }
        mm.sched.point("CMD_PRI_RESP: success");
        return r;
    }
}
