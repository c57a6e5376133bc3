package dev.tlbrace.model.kvm;

/** KVM_REQ_* bits used by the model (arch/x86/include/asm/kvm_host.h). */
public final class KvmRequest {
    private KvmRequest() { }

    /** KVM_REQ_TLB_FLUSH. */
    public static final int TLB_FLUSH = 0;
    /**
     * KVM_REQ_APIC_PAGE_RELOAD: 17 | KVM_REQUEST_WAIT | KVM_REQUEST_NO_WAKEUP. WAIT means the
     * requester waits for the kicked vCPU to acknowledge the IPI, i.e. to leave guest mode.
     */
    public static final int APIC_PAGE_RELOAD = 17;

    static long bit(int req) {
        return 1L << req;
    }
}
