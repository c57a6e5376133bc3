package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mm.Fault;

/**
 * The stage-2 fault path (arch/x86/kvm/mmu/mmu.c kvm_tdp_page_fault, arm64 user_mem_abort):
 * snapshot mmu_invalidate_seq, smp_rmb(), look the pfn up by GUP without mmu_lock, then under
 * mmu_lock install only if no overlapping invalidation is running and none ended since.
 */
public final class KvmFault {
    private KvmFault() { }

    /** Whether the fault path honours the retry rule (R1: e930bffe95e1 added it). */
    public enum Protocol {
        /** is_page_fault_stale() -> mmu_invalidate_retry_gfn(): RET_PF_RETRY on a collision. */
        SEQ_RETRY,
        /** Before e930bffe95e1: install whatever GUP returned. Known bug R1. */
        NO_RETRY
    }

    /**
     * Resolves a stage-2 fault on {@code gfn} of the ordinary-memory slot. Returns the number of
     * RET_PF_RETRY rounds, or -1 if the page could not be faulted in.
     */
    public static int kvmTdpPageFault(Kvm kvm, long gfn, boolean write, Protocol protocol) {
        Memslot slot = kvm.memslots[1];
        int hva = slot.gfnToHva(gfn);
        for (int retries = 0; ; retries++) {
            long mmuSeq = kvm.mmuInvalidateSeq(); // kvm_faultin_pfn(): fault->mmu_seq
            kvm.mem.smp_rmb();                    // pairs with the PTE clear + mmu_lock in start
            int pfn = Fault.getUserPage(kvm.mm, hva, write); // __kvm_faultin_pfn(): GUP, may sleep
            if (pfn < 0) {
                return -1;
            }
            kvm.mmuLock.lock();
            if (protocol == Protocol.SEQ_RETRY && kvm.mmuInvalidateRetryGfn(mmuSeq, gfn)) {
                kvm.mmuLock.unlock();
                kvm.mm.frames.putPage(pfn);
                kvm.sched.spin("kvm_tdp_page_fault: RET_PF_RETRY");
                continue;
            }
            kvm.stage2.set((int) (gfn - slot.baseGfn()), kvm.mm.frames.ref(pfn));
            kvm.mmuLock.unlock();
            kvm.sched.point("kvm_release_pfn_clean");
            kvm.mm.frames.putPage(pfn); // KVM keeps no reference: the notifier must zap the SPTE
            return retries;
        }
    }
}
