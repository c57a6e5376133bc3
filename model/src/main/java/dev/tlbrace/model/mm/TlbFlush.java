package dev.tlbrace.model.mm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The arm64 TLB flush (arch/arm64/include/asm/tlbflush.h): dsb(ishst), TLBI ...IS, dsb(ish).
 * The CPU TLBs themselves are not modelled (no race here depends on them); what matters is
 * who else hears the flush: BTM participants in hardware, and from v6.6 the mmu notifiers
 * through mmu_notifier_arch_invalidate_secondary_tlbs.
 */
public final class TlbFlush {

    /** A hardware TLB that obeys broadcast TLBIs (an SMMU with BTM enabled). */
    public interface BroadcastParticipant {
        /** TLBI VAE1IS as this agent sees it; returns once the agent completed it (dsb ish). */
        void broadcastTlbi(int start, int end);
    }

    private final MmStruct mm;
    private final List<BroadcastParticipant> btm = new CopyOnWriteArrayList<>();

    TlbFlush(MmStruct mm) {
        this.mm = mm;
    }

    /** An SMMU that leaves CR2.PTM clear joins the broadcast domain. */
    public void addBroadcastParticipant(BroadcastParticipant participant) {
        btm.add(participant);
    }

    /** flush_tlb_page(). */
    public void flushTlbPage(int va) {
        flush("flush_tlb_page", va, va + 1);
    }

    /** flush_tlb_range() / __flush_tlb_range(). */
    public void flushTlbRange(int start, int end) {
        flush("flush_tlb_range", start, end);
    }

    private void flush(String label, int start, int end) {
        mm.sched.point(label);
        mm.mem.smp_mb(); // dsb(ishst): the PTE store reaches every walker before the TLBI
        for (BroadcastParticipant p : btm) {
            p.broadcastTlbi(start, end);
        }
        mm.tlbFlushDelay(); // dsb(ish): until every CPU completed the TLBI
        if (mm.config.secondaryTlbsInFlush()) {
            mm.notifiers.archInvalidateSecondaryTlbs(start, end);
        }
    }
}
