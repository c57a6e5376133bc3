package dev.tlbrace.model.iommu;

/** The result of one device access through the SMMU. */
public enum Translation {
    /** The access completed. */
    OK,
    /** F_PERMISSION: the (possibly cached) translation lacks write permission. */
    PERMISSION_FAULT,
    /** F_TRANSLATION: no valid PTE. */
    TRANSLATION_FAULT;

    public boolean ok() {
        return this == OK;
    }
}
