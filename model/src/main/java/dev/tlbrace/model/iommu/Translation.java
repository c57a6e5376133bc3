package dev.tlbrace.model.iommu;

/** The result of one device access through the SMMU. */
public enum Translation {
    /** The access completed. */
    OK,
    /** F_PERMISSION from a table walk: the PTE lacks write permission. */
    PERMISSION_FAULT,
    /**
     * F_PERMISSION raised from an IOTLB hit, without a walk. The hardware reports the same
     * fault either way; the model keeps them apart for the B2 oracle, since only a cached entry
     * can make the device fault again after a page response that changed nothing.
     */
    PERMISSION_FAULT_CACHED,
    /** F_TRANSLATION: no valid PTE. */
    TRANSLATION_FAULT;

    public boolean ok() {
        return this == OK;
    }
}
