package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.sync.Ordering;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * struct kvm_vcpu with its request bits, vcpu->mode, and the one VMCS field Race A is about:
 * APIC_ACCESS_ADDR, a host physical address the CPU uses in guest mode with no page walk and
 * no reference held (arch/x86/kvm/x86.c, vmx/vmx.c).
 */
public final class KvmVcpu {
    private static final VarHandle REQUESTS;
    private static final VarHandle MODE;
    private static final VarHandle APIC_ACCESS_ADDR;
    private static final VarHandle RELOAD_RETRIES;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REQUESTS = l.findVarHandle(KvmVcpu.class, "requests", long.class);
            MODE = l.findVarHandle(KvmVcpu.class, "mode", int.class);
            APIC_ACCESS_ADDR = l.findVarHandle(KvmVcpu.class, "apicAccessAddr", long.class);
            RELOAD_RETRIES = l.findVarHandle(KvmVcpu.class, "reloadRetries", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static final int OUTSIDE_GUEST_MODE = 0;
    public static final int IN_GUEST_MODE = 1;
    public static final int EXITING_GUEST_MODE = 2;

    /** What one vcpu_enter_guest() did. */
    public enum EnterResult {
        /** The vCPU is in guest mode. */
        ENTERED,
        /** kvm_vcpu_exit_request() saw a request after mode was set: entry cancelled. */
        CANCELLED
    }

    private final Kvm kvm;
    private final int id;
    private long requests;       // set_bit / clear_bit
    private int mode;            // smp_store_release / cmpxchg
    private long apicAccessAddr; // the VMCS field: FrameRef of the page, written by this vCPU only
    private int reloadRetries;   // written by this vCPU only, read by oracles

    KvmVcpu(Kvm kvm, int id) {
        this.kvm = kvm;
        this.id = id;
    }

    public int id() { return id; }

    /** kvm_make_request(): smp_wmb() so the payload is visible before the bit, then set_bit(). */
    public void kvmMakeRequest(int req) {
        kvm.sched.point("kvm_make_request");
        Ordering.smpWmb();
        long bit = KvmRequest.bit(req);
        long old;
        do {
            old = (long) REQUESTS.getOpaque(this);
        } while (!REQUESTS.weakCompareAndSetPlain(this, old, old | bit)); // set_bit: unordered RMW
    }

    /** kvm_request_pending(): READ_ONCE(vcpu->requests). */
    public boolean kvmRequestPending() {
        return (long) REQUESTS.getOpaque(this) != 0;
    }

    /**
     * kvm_check_request(): test, clear, then smp_mb__after_atomic() so that what the request
     * is about is read after the bit is cleared (pairs with the smp_wmb in kvm_make_request).
     */
    public boolean kvmCheckRequest(int req) {
        long bit = KvmRequest.bit(req);
        if (((long) REQUESTS.getOpaque(this) & bit) == 0) {
            return false;
        }
        long old;
        do {
            old = (long) REQUESTS.getOpaque(this);
        } while (!REQUESTS.weakCompareAndSetPlain(this, old, old & ~bit)); // clear_bit
        Ordering.smpMbAfterAtomic();
        return true;
    }

    /**
     * kvm_vcpu_exiting_guest_mode(): smp_mb__before_atomic(), then cmpxchg IN_GUEST_MODE to
     * EXITING_GUEST_MODE. Returns the old mode; IN_GUEST_MODE means this caller kicks.
     */
    int kvmVcpuExitingGuestMode() {
        Ordering.smpMbAfterAtomic();
        int old = (int) MODE.compareAndExchange(this, IN_GUEST_MODE, EXITING_GUEST_MODE);
        kvm.sched.observe(old == IN_GUEST_MODE ? "kick (IPI, wait): was" : "no kick: vcpu->mode", old);
        return old;
    }

    /**
     * vcpu_enter_guest(): service pending requests, then publish IN_GUEST_MODE and re-check for
     * requests. The full barrier makes a Dekker pair with the requester's set_bit + cmpxchg:
     * either this vCPU sees the request and cancels, or the requester sees IN_GUEST_MODE and
     * kicks it out.
     */
    public EnterResult vcpuEnterGuest() {
        kvm.sched.point("vcpu_enter_guest: kvm_check_request(KVM_REQ_APIC_PAGE_RELOAD)");
        if (kvmRequestPending() && kvmCheckRequest(KvmRequest.APIC_PAGE_RELOAD)) {
            kvmVcpuReloadApicAccessPage();
        }
        kvm.sched.point("vcpu_enter_guest: smp_store_release(mode, IN_GUEST_MODE)");
        MODE.setRelease(this, IN_GUEST_MODE);
        Ordering.smpMb(); // smp_mb__after_srcu_read_unlock()
        kvm.sched.point("vcpu_enter_guest: kvm_vcpu_exit_request()");
        if (kvmRequestPending()) {
            MODE.setOpaque(this, OUTSIDE_GUEST_MODE);
            Ordering.smpWmb();
            return EnterResult.CANCELLED;
        }
        return EnterResult.ENTERED;
    }

    /** The VM-exit after a kick: back to OUTSIDE_GUEST_MODE. */
    public void vmExit() {
        kvm.sched.point("vmx_vcpu_run: VM-exit");
        MODE.setOpaque(this, OUTSIDE_GUEST_MODE);
    }

    /** kvm_vcpu_reload_apic_access_page(). */
    void kvmVcpuReloadApicAccessPage() {
        kvm.sched.point("kvm_vcpu_reload_apic_access_page");
        Memslot slot = kvm.apicSlot();
        int hva = slot.gfnToHva(Kvm.APIC_DEFAULT_GFN);
        if (kvm.apicReload == ApicReload.RETRY_IN_PROGRESS) {
            vmxSetApicAccessPageAddrRetry(hva);
            return;
        }
        // gfn_to_page(): get_user_pages with a write fault, reference held until put_page
        int pfn = Fault.getUserPage(kvm.mm, hva, true);
        if (pfn < 0) {
            return;
        }
        vmcsWriteApicAccessAddr(pfn);
        kvm.sched.point("kvm_vcpu_reload_apic_access_page: put_page");
        kvm.mm.frames.putPage(pfn); // not pinned: the notifier must tell us when it moves
    }

    /**
     * vmx_set_apic_access_page_addr() since 878940b33d76: the mmu_invalidate_seq retry
     * protocol. A collision re-requests the reload instead of writing the VMCS, so the vCPU
     * cannot enter the guest until the invalidation has ended.
     */
    private void vmxSetApicAccessPageAddrRetry(int hva) {
        long mmuSeq = kvm.mmuInvalidateSeq();
        Ordering.smpRmb(); // the pfn lookup must not be satisfied before the seq snapshot
        int pfn = Fault.getUserPage(kvm.mm, hva, true); // gfn_to_pfn_memslot()
        if (pfn < 0) {
            return;
        }
        kvm.mmuLock.lock(); // read_lock(&kvm->mmu_lock)
        if (kvm.mmuInvalidateRetryGfn(mmuSeq, Kvm.APIC_DEFAULT_GFN)) {
            kvm.sched.point("vmx_set_apic_access_page_addr: retry, kvm_make_request(KVM_REQ_APIC_PAGE_RELOAD)");
            kvmMakeRequest(KvmRequest.APIC_PAGE_RELOAD);
            RELOAD_RETRIES.setOpaque(this, (int) RELOAD_RETRIES.getOpaque(this) + 1);
        } else {
            vmcsWriteApicAccessAddr(pfn);
        }
        kvm.mm.frames.putPage(pfn); // kvm_release_pfn_clean()
        kvm.mmuLock.unlock();
    }

    private void vmcsWriteApicAccessAddr(int pfn) {
        kvm.sched.point("vmcs_write64(APIC_ACCESS_ADDR)");
        long ref = kvm.mm.frames.ref(pfn);
        kvm.sched.observe("pfn", pfn);
        APIC_ACCESS_ADDR.setRelease(this, ref);
    }

    /** Setup: the address the VMCS holds when the race starts. */
    public void initApicAccessAddr(long ref) {
        APIC_ACCESS_ADDR.setVolatile(this, ref);
    }

    /** What the CPU in guest mode uses: the VMCS APIC_ACCESS_ADDR as (pfn, generation). */
    public long apicAccessAddr() {
        return (long) APIC_ACCESS_ADDR.getAcquire(this);
    }

    /** vcpu->mode, read with full ordering (the oracles' re-check after a guest access). */
    public int mode() {
        return (int) MODE.getVolatile(this);
    }

    public int reloadRetries() {
        return (int) RELOAD_RETRIES.getOpaque(this);
    }

    public static String modeName(int mode) {
        switch (mode) {
            case IN_GUEST_MODE: return "IN_GUEST_MODE";
            case EXITING_GUEST_MODE: return "EXITING_GUEST_MODE";
            default: return "OUTSIDE_GUEST_MODE";
        }
    }

    @Override
    public String toString() {
        return "vcpu" + id + " " + modeName(mode()) + " APIC_ACCESS_ADDR " + FrameRef.describe(apicAccessAddr());
    }
}
