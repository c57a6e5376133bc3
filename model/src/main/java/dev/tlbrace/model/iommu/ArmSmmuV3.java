package dev.tlbrace.model.iommu;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.PageTable;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.TlbFlush;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * An SMMUv3 stage-1 context in SVA mode (one ASID): it walks the CPU page table itself and
 * caches walk results, read-only permission included, in its IOTLB
 * (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c).
 *
 * <p>Hardware rules as modelled: a lookup that hits a read-only entry for a write raises a
 * permission fault without walking, and faults do not evict. An invalidation is a command
 * (CMD_TLBI_NH_VA / _ASID) queued for the SMMU; it takes effect at some point before the next
 * CMD_SYNC completes, not when it is issued: until then a lookup may still hit the entry (the
 * explorer chooses, {@link Sched#choose}; real threads see it take effect at the next lookup).
 * A walk that began before a TLBI does not install its (possibly stale) result after it, and
 * CMD_SYNC completes only once the TLBIs before it have taken effect and walks begun before it
 * have retired. With BTM the SMMU also obeys the CPU's broadcast TLBIs. Sources: the SMMUv3
 * architecture's command queue (ARM IHI 0070, chapter 4: TLBI commands and CMD_SYNC) and the
 * kernel's own statement of the contract, io-pgtable's {@code tlb_sync} ("Ensure any queued TLB
 * invalidation has taken effect"), which arm-smmu-v3 implements with CMD_SYNC. The rule about
 * walks begun before a TLBI is the model's and is not checked against the specification text.
 * The ATS device cache (ATC) is not modelled: every variant here sends ATC_INV where it
 * sends TLBI, so it adds no distinct interleaving.
 */
public final class ArmSmmuV3 implements TlbFlush.BroadcastParticipant {
    private final Memory mem;
    private final Sched sched;
    private final PageTable pgtable;
    private final Frames frames;
    private final boolean btm;
    private final Cell[] entries;   // the IOTLB, one entry per VA
    private final Cell[] inFlight;  // per walker: ticket of its running walk, 0 if none
    private final Cell walks;       // statistics, not hardware state
    private final Cell tlbis;
    private final Cell syncs;
    private final SpinLock tlbLock; // the TLB's own serialisation of fill vs. invalidate
    private final Cell tlbiEpoch;   // TLBIs processed so far
    private final Cell walkTicket;  // walks started so far
    private final Cell[] queued;    // per VA: a TLBI issued that has not taken effect yet

    public ArmSmmuV3(Memory mem, PageTable pgtable, Frames frames, int walkers, boolean btm) {
        this.mem = mem;
        this.sched = mem.sched;
        this.pgtable = pgtable;
        this.frames = frames;
        this.btm = btm;
        this.entries = mem.cells("iotlb", pgtable.size(), IotlbEntry.INVALID);
        this.inFlight = mem.cells("smmu walk in flight", walkers, 0);
        this.walks = mem.cell("smmu walks", 0);
        this.tlbis = mem.cell("smmu tlbis", 0);
        this.syncs = mem.cell("smmu syncs", 0);
        this.tlbLock = new SpinLock("smmu iotlb", mem);
        this.tlbiEpoch = mem.cell("smmu tlbi epoch", 0);
        this.walkTicket = mem.cell("smmu walk ticket", 0);
        this.queued = mem.cells("smmu cmdq TLBI", pgtable.size(), 0);
    }

    /**
     * One device access to {@code va} by the master behind walker slot {@code walker}:
     * IOTLB lookup, else a lockless table walk whose result is cached, then the permission check.
     */
    public Translation translate(int walker, int va, boolean write) {
        sched.point("smmu: IOTLB lookup");
        // The IOTLB is one structure: a lookup is ordered with the fills and invalidations
        // before it, whatever a memory model allows CPUs. Without the lock, under LKMM a lookup
        // after a completed CMD_SYNC could still read the entry the TLBI removed (a LIVELOCK
        // on notify-on-upgrade at cost 7, no hardware's).
        tlbLock.lock();
        if (mem.READ_ONCE(queued[va]) != 0
                && sched.choose("CMD_TLBI_NH_VA queued, not yet taken effect", 2) == 0) {
            invalidateQueued(va);
        }
        long e = mem.READ_ONCE(entries[va]);
        tlbLock.unlock();
        if (IotlbEntry.valid(e)) {
            sched.observe("iotlb hit", e);
            return write && !IotlbEntry.write(e) ? Translation.PERMISSION_FAULT_CACHED : Translation.OK;
        }
        long ticket = mem.atomic_add_return(walkTicket, 1);
        mem.xchg(inFlight[walker], ticket);
        long epoch = mem.smp_load_acquire(tlbiEpoch);
        sched.point("smmu: table walk, ptep_get (no lock)");
        long pte = pgtable.ptepGet(va);
        mem.atomic_add(walks, 1);
        if (Pte.present(pte)) {
            sched.point("smmu: IOTLB fill");
            tlbLock.lock();
            if (mem.READ_ONCE(tlbiEpoch) == epoch) {
                long fill = IotlbEntry.of(frames.ref((int) Pte.pfn(pte)), Pte.hwWritable(pte));
                mem.smp_store_release(entries[va], fill);
                sched.observe("iotlb fill", fill);
            } else {
                sched.observe("fill dropped: TLBI since the walk began", epoch);
            }
            tlbLock.unlock();
        }
        mem.smp_store_release(inFlight[walker], 0); // the walk retires
        if (!Pte.present(pte)) {
            return Translation.TRANSLATION_FAULT;
        }
        return write && !Pte.hwWritable(pte) ? Translation.PERMISSION_FAULT : Translation.OK;
    }

    /**
     * CMD_TLBI_NH_VA for [start, end): queued. Walks in flight will not install what they read;
     * the entries go when the command takes effect, at the latest at the next CMD_SYNC.
     */
    public void cmdTlbiNhVa(int start, int end) {
        sched.point("CMD_TLBI_NH_VA");
        tlbLock.lock();
        mem.atomic_add_return(tlbiEpoch, 1);
        for (int va = start; va < end && va < entries.length; va++) {
            mem.WRITE_ONCE(queued[va], 1);
        }
        mem.atomic_add(tlbis, 1);
        tlbLock.unlock();
    }

    /** The queued TLBI for {@code va} takes effect: the entry is gone. */
    private void takeEffect(int va) {
        tlbLock.lock();
        invalidateQueued(va);
        tlbLock.unlock();
    }

    /** {@link #takeEffect} with {@code tlbLock} held. */
    private void invalidateQueued(int va) {
        sched.point("smmu: CMD_TLBI_NH_VA takes effect");
        if (mem.READ_ONCE(queued[va]) != 0) {
            mem.smp_store_release(entries[va], IotlbEntry.INVALID);
            mem.WRITE_ONCE(queued[va], 0);
        }
    }

    /** CMD_TLBI_NH_ASID: the whole context (38b14e2e3de9 uses it for large ranges). */
    public void cmdTlbiNhAsid() {
        cmdTlbiNhVa(0, entries.length);
    }

    /**
     * CMD_SYNC: completes once every command before it has taken effect and every walk that
     * began before it has retired.
     */
    public void cmdSync() {
        sched.point("CMD_SYNC");
        for (int va = 0; va < queued.length; va++) {
            if (mem.READ_ONCE(queued[va]) != 0) {
                takeEffect(va);
            }
        }
        mem.smp_mb();
        long upTo = mem.READ_ONCE(walkTicket);
        for (int w = 0; w < inFlight.length; w++) {
            for (;;) {
                long t = mem.smp_load_acquire(inFlight[w]);
                if (t == 0 || t > upTo) {
                    break;
                }
                sched.spin("CMD_SYNC: wait for walks begun before it");
            }
        }
        mem.atomic_add(syncs, 1);
    }

    /**
     * arm_smmu_tlb_inv_range_asid() / arm_smmu_atc_inv_domain(): TLBI (by VA, or the ASID if
     * the range is large) then CMD_SYNC. ATC_INV is implied (see the class comment).
     */
    public void tlbInvRangeAndSync(int start, int end) {
        if (end - start > 16) {
            cmdTlbiNhAsid();
        } else {
            cmdTlbiNhVa(start, end);
        }
        cmdSync();
    }

    /** A broadcast TLBI from a CPU: obeyed only with BTM; the CPU's dsb waits for completion. */
    @Override
    public void broadcastTlbi(int start, int end) {
        if (!btm) {
            return;
        }
        sched.point("smmu: broadcast TLBI (BTM)");
        cmdTlbiNhVa(start, end);
        cmdSync();
    }

    public boolean btm() {
        return btm;
    }

    /** The IOTLB entry for {@code va}, for oracles. */
    public long entry(int va) {
        return mem.smp_load_acquire(entries[va]);
    }

    /** The IOTLB entry for {@code va} now, for a judge at quiescence. */
    public long entryNow(int va) {
        return mem.peek(entries[va]);
    }

    public int size() {
        return entries.length;
    }

    public long walks() { return mem.peek(walks); }

    public long tlbis() { return mem.peek(tlbis); }

    public long syncs() { return mem.peek(syncs); }
}
