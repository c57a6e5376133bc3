package dev.tlbrace.model.kvm;

import dev.tlbrace.model.ProtocolChoice;

/**
 * The stage-2 fault path (arch/x86/kvm/mmu/mmu.c kvm_tdp_page_fault, arm64 user_mem_abort,
 * powerpc book3s_64_mmu_hv.c kvmppc_book3s_hv_page_fault): snapshot mmu_invalidate_seq,
 * smp_rmb(), look the pfn up without mmu_lock ({@link HvaToPfn}: GUP-fast, else GUP), then
 * install only if no overlapping invalidation is running and none ended since.
 */
public final class KvmFault {
    private KvmFault() { }

    /** How the fault path checks for a racing invalidation before it installs (R1). */
    public enum Protocol implements ProtocolChoice {
        /** Before e930bffe95e1: install whatever GUP returned. Known bug R1. */
        NO_RETRY("no-retry", "before e930bffe95e1"),
        /**
         * Only mmu_invalidate_seq, under mmu_lock: a snapshot taken while an invalidation is
         * between start and end still finds the old PTE and an unmoved seq. Why e930bffe95e1
         * added mmu_notifier_count (now mmu_invalidate_in_progress) beside the seq. Known bug.
         */
        SEQ_ONLY("seq-only", "e930bffe95e1 (seq only)"),
        /** is_page_fault_stale() -> mmu_invalidate_retry_gfn() under mmu_lock: RET_PF_RETRY on a collision. */
        SEQ_RETRY("seq-retry", "e930bffe95e1"),
        /**
         * PowerPC Book3S HV: mmu_invalidate_retry() under the page's rmap lock, not mmu_lock
         * (include/linux/kvm_host.h: "calls this under a per-page lock ... so can't rely on
         * kvm->mmu_lock to keep things ordered"). Its smp_rmb() pairs with the smp_wmb() in
         * kvm_mmu_invalidate_end(): the reader that needs that barrier.
         */
        LOCKLESS_RETRY("lockless-retry", "kvm_host.h (Book3S HV)");

        private final String id;
        private final String commit;

        Protocol(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        @Override public String id() { return id; }

        @Override public String commit() { return commit; }
    }

    /**
     * Resolves a stage-2 fault on {@code gfn} of the ordinary-memory slot. Returns the number of
     * retry rounds, or -1 if the page could not be faulted in.
     */
    public static int kvmTdpPageFault(Kvm kvm, long gfn, boolean write, Protocol protocol) {
        Memslot slot = kvm.gfnToMemslot(gfn);
        int hva = slot.gfnToHva(gfn);
        int index = (int) (gfn - slot.baseGfn());
        for (int retries = 0; ; retries++) {
            long mmuSeq = kvm.mmuInvalidateSeq(); // kvm_faultin_pfn(): fault->mmu_seq
            kvm.mem.smp_rmb();                    // read the PTE only after the snapshot
            // __kvm_faultin_pfn(): hva_to_pfn() with &fault->map_writable: GUP-fast, else GUP (may sleep)
            HvaToPfn.Result page = HvaToPfn.hvaToPfn(kvm.mm, hva, write, true);
            if (page.failed()) {
                return -1;
            }
            int pfn = page.pfn();
            kvm.mm.faultReturnDelay();
            kvm.sched.point("kvm_tdp_page_fault: is_page_fault_stale");
            boolean stale;
            if (protocol == Protocol.LOCKLESS_RETRY) {
                kvm.stage2.rmapLock(index).lock(); // lock_rmap()
                stale = kvm.mmuInvalidateRetry(mmuSeq);
            } else {
                kvm.mmuLock.lock();
                stale = switch (protocol) {
                    case NO_RETRY -> false;
                    case SEQ_ONLY -> kvm.mmuInvalidateSeqMoved(mmuSeq);
                    default -> kvm.mmuInvalidateRetryGfn(mmuSeq, gfn);
                };
            }
            if (!stale) {
                kvm.stage2.set(index, kvm.mm.frames.ref(pfn), page.writable()); // fault->map_writable
            }
            if (protocol == Protocol.LOCKLESS_RETRY) {
                kvm.stage2.rmapLock(index).unlock();
            } else {
                kvm.mmuLock.unlock();
            }
            kvm.sched.point("kvm_release_pfn_clean");
            kvm.mm.frames.putPage(pfn); // KVM keeps no reference: the notifier must zap the SPTE
            if (!stale) {
                return retries;
            }
            kvm.sched.spin("kvm_tdp_page_fault: RET_PF_RETRY");
        }
    }
}
