package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mm.MmuNotifier;
import dev.tlbrace.model.mm.MmuNotifierRange;

/**
 * kvm_mmu_notifier_ops (virt/kvm/kvm_main.c) with the APIC-access page hook of each
 * {@link ApicReload} variant at the place its commit put it.
 */
public final class KvmMmuNotifier implements MmuNotifier {
    private final Kvm kvm;

    public KvmMmuNotifier(Kvm kvm) {
        this.kvm = kvm;
    }

    /**
     * kvm_mmu_notifier_invalidate_range_start(): count the invalidation for memslot updates
     * (52ac8b358b0c), and for each overlapping memslot take mmu_lock once, begin, add the
     * range and zap (071064f14d87 locks only if a memslot overlaps).
     */
    @Override
    public void invalidateRangeStart(MmuNotifierRange range) {
        kvm.sched.point("kvm_mmu_notifier_invalidate_range_start");
        kvm.mnActiveInvalidateCountAdd(1);
        kvm.gpcInvalidateStart(range.start(), range.end()); // before mmu_lock, as in the kernel
        boolean locked = false;
        for (Memslot slot : kvm.memslots) {
            if (!slot.overlapsHva(range.start(), range.end())) {
                continue;
            }
            if (!locked) {
                locked = true;
                kvm.mmuLock.lock();
                kvm.kvmMmuInvalidateBegin();
            }
            long gfnStart = slot.hvaToGfn(Math.max(range.start(), slot.userspaceAddr()));
            long gfnEnd = slot.hvaToGfn(Math.min(range.end(), slot.userspaceAddr() + slot.npages()));
            kvm.kvmMmuInvalidateRangeAdd(gfnStart, gfnEnd);
            kvmUnmapGfnRange(slot, gfnStart, gfnEnd);
        }
        if (locked) {
            kvm.mmuLock.unlock();
        }
        if (kvm.apicReload == ApicReload.RANGE_START_REQUEST) {
            kvmArchMmuNotifierInvalidateRange(range.start(), range.end()); // b1394e745b94
        }
    }

    /**
     * kvm_unmap_gfn_range(): zap the SPTEs. Since 0a8a5f2c8c26 the APIC-access page's private
     * memslot triggers the reload here, under mmu_lock, inside the start..end bracket.
     */
    private void kvmUnmapGfnRange(Memslot slot, long gfnStart, long gfnEnd) {
        kvm.sched.point("kvm_unmap_gfn_range");
        if (slot.id() == Kvm.APIC_ACCESS_PAGE_PRIVATE_MEMSLOT) {
            if (kvm.apicReload == ApicReload.RETRY_IN_PROGRESS) {
                kvm.kvmMakeAllCpusRequest(KvmRequest.APIC_PAGE_RELOAD);
            }
            return;
        }
        for (long gfn = gfnStart; gfn < gfnEnd; gfn++) {
            int i = (int) (gfn - slot.baseGfn());
            if (kvm.stage2.hasRmapLocks()) {
                kvm.stage2.rmapLock(i).lock(); // kvm_unmap_rmapp(): lock_rmap()
                kvm.stage2.zap(i);
                kvm.stage2.rmapLock(i).unlock();
            } else {
                kvm.stage2.zap(i); // kvm_flush_remote_tlbs() follows
            }
        }
    }

    /**
     * kvm_arch_mmu_notifier_invalidate_range() (x86, b1394e745b94 .. 0a8a5f2c8c26): if the
     * APIC-access page's hva is in the range, every vCPU must reload it.
     */
    private void kvmArchMmuNotifierInvalidateRange(int start, int end) {
        kvm.sched.point("kvm_arch_mmu_notifier_invalidate_range");
        int apicAddress = kvm.apicSlot().gfnToHva(Kvm.APIC_DEFAULT_GFN);
        if (start <= apicAddress && apicAddress < end) {
            kvm.kvmMakeAllCpusRequest(KvmRequest.APIC_PAGE_RELOAD);
        }
    }

    /** kvm_mmu_notifier_invalidate_range() (e649b3f0188f): after the PTE clear, before the free. */
    @Override
    public void invalidateRange(int start, int end) {
        if (kvm.apicReload == ApicReload.INVALIDATE_RANGE_REQUEST) {
            kvmArchMmuNotifierInvalidateRange(start, end);
        }
    }

    /** kvm_mmu_notifier_invalidate_range_end(). */
    @Override
    public void invalidateRangeEnd(MmuNotifierRange range) {
        kvm.sched.point("kvm_mmu_notifier_invalidate_range_end");
        boolean locked = false;
        for (Memslot slot : kvm.memslots) {
            if (slot.overlapsHva(range.start(), range.end()) && !locked) {
                locked = true;
                kvm.mmuLock.lock();
                kvm.kvmMmuInvalidateEnd();
                kvm.mmuLock.unlock();
            }
        }
        kvm.mnActiveInvalidateCountAdd(-1);
    }
}
