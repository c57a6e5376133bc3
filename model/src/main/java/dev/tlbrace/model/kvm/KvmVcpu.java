package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;

/**
 * struct kvm_vcpu with its request bits, vcpu->mode, and the one VMCS field Race A is about:
 * APIC_ACCESS_ADDR, a host physical address the CPU uses in guest mode with no page walk and
 * no reference held (arch/x86/kvm/x86.c, vmx/vmx.c).
 */
public final class KvmVcpu {
    public static final int OUTSIDE_GUEST_MODE = 0;
    public static final int IN_GUEST_MODE = 1;
    public static final int EXITING_GUEST_MODE = 2;

    /** The trace point of a reload whose lookup failed. */
    public static final String GFN_TO_PAGE_FAILED = "kvm_vcpu_reload_apic_access_page: gfn_to_page failed, VMCS keeps its address";

    /** What one vcpu_enter_guest() did. */
    public enum EnterResult {
        /** The vCPU is in guest mode. */
        ENTERED,
        /** kvm_vcpu_exit_request() saw a request after mode was set: entry cancelled. */
        CANCELLED
    }

    private static final String[][] NAMES = {names(0), names(1), names(2), names(3)}; // built once, not per world

    private static String[] names(int id) {
        String v = "vcpu" + id;
        return new String[] {v + "->requests", v + "->mode", v + " VMCS APIC_ACCESS_ADDR", v + " reload retries"};
    }
    private final Kvm kvm;
    private final Memory mem;
    private final int id;
    private final Cell requests;       // set_bit / clear_bit
    private final Cell mode;           // smp_store_release / cmpxchg
    private final Cell apicAccessAddr; // the VMCS field: FrameRef of the page, written by this vCPU only
    private final Cell reloadRetries;  // written by this vCPU only, read by oracles
    // vCPU-private, like a local: only this vCPU's thread touches it; the cell publishes it.
    // The retry never reads the cell, so a turn that collides again puts back what it found
    // (an explorer sees it waiting for the invalidation, not making progress of its own).
    private int reloadRetriesSoFar;

    KvmVcpu(Kvm kvm, int id) {
        this.kvm = kvm;
        this.mem = kvm.mem;
        this.id = id;
        String[] n = id < NAMES.length ? NAMES[id] : names(id);
        this.requests = mem.cell(n[0], 0);
        this.mode = mem.cell(n[1], OUTSIDE_GUEST_MODE);
        this.apicAccessAddr = mem.cell(n[2], FrameRef.NONE);
        this.reloadRetries = mem.cell(n[3], 0);
    }

    public int id() { return id; }

    /** kvm_make_request(): smp_wmb() so the payload is visible before the bit, then set_bit(). */
    public void kvmMakeRequest(int req) {
        kvm.sched.point("kvm_make_request");
        mem.smp_wmb(); // pairs with smp_mb__after_atomic() in kvmCheckRequest()
        mem.set_bit(requests, KvmRequest.bit(req)); // unordered RMW
    }

    /** kvm_request_pending(): READ_ONCE(vcpu->requests). */
    public boolean kvmRequestPending() {
        return mem.READ_ONCE(requests) != 0;
    }

    /**
     * kvm_check_request(): test, clear, then smp_mb__after_atomic() so that what the request
     * is about is read after the bit is cleared (pairs with the smp_wmb in kvm_make_request).
     */
    public boolean kvmCheckRequest(int req) {
        long bit = KvmRequest.bit(req);
        if ((mem.READ_ONCE(requests) & bit) == 0) { // kvm_test_request()
            return false;
        }
        mem.clear_bit(requests, bit);
        mem.smp_mb__after_atomic(); // pairs with smp_wmb() in kvmMakeRequest()
        return true;
    }

    /**
     * kvm_vcpu_exiting_guest_mode(): smp_mb__before_atomic(), then cmpxchg IN_GUEST_MODE to
     * EXITING_GUEST_MODE. Returns the old mode; IN_GUEST_MODE means this caller kicks.
     */
    int kvmVcpuExitingGuestMode() {
        mem.smp_mb__before_atomic();
        int old = (int) mem.cmpxchg(mode, IN_GUEST_MODE, EXITING_GUEST_MODE);
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
        mem.smp_store_release(mode, IN_GUEST_MODE);
        mem.smp_mb(); // smp_mb__after_srcu_read_unlock(): pairs with the requester's set_bit + cmpxchg
        kvm.sched.point("vcpu_enter_guest: kvm_vcpu_exit_request()");
        if (kvmRequestPending()) {
            mem.WRITE_ONCE(mode, OUTSIDE_GUEST_MODE);
            mem.smp_wmb();
            return EnterResult.CANCELLED;
        }
        return EnterResult.ENTERED;
    }

    /** The VM-exit after a kick: back to OUTSIDE_GUEST_MODE. */
    public void vmExit() {
        kvm.sched.point("vmx_vcpu_run: VM-exit");
        mem.WRITE_ONCE(mode, OUTSIDE_GUEST_MODE);
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
        // gfn_to_page(): hva_to_pfn() with FOLL_WRITE, reference held until put_page
        int pfn = HvaToPfn.hvaToPfn(kvm.mm, hva, true, false).pfn();
        if (pfn < 0) {
            gfnToPageFailed();
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
        mem.smp_rmb(); // the pfn lookup must not be satisfied before the seq snapshot
        int pfn = HvaToPfn.hvaToPfn(kvm.mm, hva, true, false).pfn(); // __kvm_faultin_pfn(FOLL_WRITE)
        if (pfn < 0) {
            gfnToPageFailed();
            return;
        }
        kvm.mmuLock.lock(); // read_lock(&kvm->mmu_lock)
        if (kvm.mmuInvalidateRetryGfn(mmuSeq, Kvm.APIC_DEFAULT_GFN)) {
            kvm.sched.point("vmx_set_apic_access_page_addr: retry, kvm_make_request(KVM_REQ_APIC_PAGE_RELOAD)");
            kvmMakeRequest(KvmRequest.APIC_PAGE_RELOAD);
            mem.WRITE_ONCE(reloadRetries, ++reloadRetriesSoFar);
        } else {
            vmcsWriteApicAccessAddr(pfn);
        }
        kvm.mm.frames.putPage(pfn); // kvm_release_pfn_clean()
        kvm.mmuLock.unlock();
    }

    /**
     * The lookup failed (no frame for the fault: -ENOMEM). Both kernels return early on an error
     * page or pfn ({@code is_error_page()} in kvm_vcpu_reload_apic_access_page(),
     * {@code is_error_noslot_pfn()} in vmx_set_apic_access_page_addr() since 878940b33d76), the
     * request already consumed: the VMCS keeps the address it had, and the vCPU enters the guest
     * with it. Only an allocator run dry gets here; the 16-core soak violation of issue #11 was this
     * path, reached through a frame leak in the model's migration (fixed in 2219d7e).
     */
    private void gfnToPageFailed() {
        kvm.sched.point(GFN_TO_PAGE_FAILED);
    }

    private void vmcsWriteApicAccessAddr(int pfn) {
        kvm.sched.point("vmcs_write64(APIC_ACCESS_ADDR)");
        long ref = kvm.mm.frames.ref(pfn);
        kvm.sched.observe("pfn", pfn);
        mem.smp_store_release(apicAccessAddr, ref);
    }

    /** Setup: the address the VMCS holds when the race starts. */
    public void initApicAccessAddr(long ref) {
        mem.init(apicAccessAddr, ref);
    }

    /** What the CPU in guest mode uses: the VMCS APIC_ACCESS_ADDR as (pfn, generation). */
    public long apicAccessAddr() {
        return mem.smp_load_acquire(apicAccessAddr);
    }

    /**
     * vcpu->mode for the oracles' re-check after a guest access: smp_mb() then READ_ONCE, so
     * the re-check is ordered after the access it confirms.
     */
    public int mode() {
        mem.smp_mb();
        return (int) mem.READ_ONCE(mode);
    }

    /** vcpu->mode now, for a judge at quiescence or a report. */
    public int modeNow() {
        return (int) mem.peek(mode);
    }

    /** The VMCS field now, for a judge at quiescence or a report. */
    public long apicAccessAddrNow() {
        return mem.peek(apicAccessAddr);
    }

    /** A pending request bit now, for a judge at quiescence. */
    public boolean requestPendingNow() {
        return mem.peek(requests) != 0;
    }

    public int reloadRetries() {
        return (int) mem.peek(reloadRetries);
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
        return "vcpu" + id + " " + modeName(modeNow()) + " APIC_ACCESS_ADDR " + FrameRef.describe(apicAccessAddrNow());
    }
}
