package dev.tlbrace.model.kvm;

import dev.tlbrace.model.ProtocolChoice;

/**
 * Where the KVM_REQ_APIC_PAGE_RELOAD comes from when the APIC-access page is invalidated, and
 * whether the reload checks for an invalidation in progress.
 */
public enum ApicReload implements ProtocolChoice {
    /**
     * b1394e745b94 ("KVM: x86: fix APIC page invalidation", 2017): requested from
     * invalidate_range_start via kvm_arch_mmu_notifier_invalidate_range(), while the PTE still
     * maps the page. A vCPU may service the request at once, reload the old pfn, and enter
     * the guest before the PTE is cleared: nothing asks it again.
     */
    RANGE_START_REQUEST("range-start-request", "b1394e745b94"),

    /**
     * e649b3f0188f ("KVM: x86: Fix APIC page invalidation race", 2020): requested from the
     * invalidate_range callback, which runs after the PTE is cleared and before the page is
     * freed. A reload that read the old pfn is followed by a request seen before re-entry.
     */
    INVALIDATE_RANGE_REQUEST("invalidate-range-request", "e649b3f0188f"),

    /**
     * 878940b33d76 ("KVM: VMX: Retry APIC-access page reload if invalidation is in-progress"),
     * with 0a8a5f2c8c26 and 0a3869e14d4a (v6.5): requested from kvm_unmap_gfn_range() under
     * mmu_lock, and vmx_set_apic_access_page_addr() follows the mmu_invalidate_seq retry
     * protocol: on a collision it re-requests instead of writing the VMCS.
     */
    RETRY_IN_PROGRESS("retry-in-progress", "878940b33d76");

    private final String id;
    private final String commit;

    ApicReload(String id, String commit) {
        this.id = id;
        this.commit = commit;
    }

    @Override public String id() { return id; }

    @Override public String commit() { return commit; }

    /** The variant with this command-line id. */
    public static ApicReload byId(String id) {
        return ProtocolChoice.byId(ApicReload.class, id);
    }
}
