package dev.tlbrace.model.iommu;

import dev.tlbrace.model.ProtocolChoice;

import dev.tlbrace.model.mm.MmConfig;

/**
 * How (if at all) an SVA SMMU hears that a PTE it may cache read-only became writable.
 * Seed thread: "[PATCH 2/2] arm64: Notify on pte permission upgrades" (May 2023).
 */
public enum PermissionUpgrade implements ProtocolChoice {
    /**
     * Mainline before v6.6: arm64 ptep_set_access_flags() flushes the CPU TLB only; generic mm
     * never notified upgrades and, with CR2.PTM set, the SMMU ignores CPU TLBIs. The device
     * faults on its cached read-only entry forever.
     */
    NO_UPGRADE_NOTIFY("no-upgrade-notify", "pre-v6.6", MmConfig.PRE_6_6, false, false),
    /**
     * The seed patch v1 (22 May 2023): after the PTL drop, if the PTE changed, send
     * invalidate_range_start/end with MMU_NOTIFY_PROTECTION_UPGRADE; the SMMU's invalidate_range
     * runs from end. Leaves a bounded window between the upgrade and the notification.
     */
    NOTIFY_ON_UPGRADE("notify-on-upgrade", "seed patch v1 (May 2023)", new MmConfig(false, true), false, false),
    /**
     * Jason Gunthorpe's alternative in the thread: the IOPF path issues TLBI + ATC_INV +
     * CMD_SYNC before every successful page response.
     */
    INVALIDATE_BEFORE_RESPONSE("invalidate-before-response", "thread proposal (May 2023)", MmConfig.PRE_6_6, false, true),
    /**
     * Broadcast TLB maintenance: the SMMU obeys the CPU's TLBI, so the flush_tlb_page() in
     * ptep_set_access_flags() cleans the IOTLB too (CR2.PTM clear; mainline does not enable it).
     */
    BTM("btm", "BTM (CR2.PTM clear)", MmConfig.PRE_6_6, true, false),
    /**
     * v6.6: arm64 flush_tlb_page() calls mmu_notifier_arch_invalidate_secondary_tlbs(), and
     * arm_smmu_mm_arch_invalidate_secondary_tlbs() issues TLBI + CMD_SYNC before the fault
     * returns (1af5a8109904, 6bbd42e2df8f).
     */
    SECONDARY_TLBS_IN_FLUSH("secondary-tlbs-in-flush", "1af5a8109904", MmConfig.V6_6, false, false);

    private final String id;
    private final String commit;
    private final MmConfig mmConfig;
    private final boolean btm;
    private final boolean invalidateBeforeResponse;

    PermissionUpgrade(String id, String commit, MmConfig mmConfig, boolean btm, boolean invalidateBeforeResponse) {
        this.id = id;
        this.commit = commit;
        this.mmConfig = mmConfig;
        this.btm = btm;
        this.invalidateBeforeResponse = invalidateBeforeResponse;
    }

    @Override public String id() { return id; }

    @Override public String commit() { return commit; }

    /** The variant with this command-line id. */
    public static PermissionUpgrade byId(String id) {
        return ProtocolChoice.byId(PermissionUpgrade.class, id);
    }

    /** The kernel the mm behaves like under this variant. */
    public MmConfig mmConfig() { return mmConfig; }

    /** Whether the SMMU takes part in broadcast TLB maintenance. */
    public boolean btm() { return btm; }

    /** Whether the IOPF handler invalidates before replying. */
    public boolean invalidateBeforeResponse() { return invalidateBeforeResponse; }
}
