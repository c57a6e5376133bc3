package dev.tlbrace.model.iommu;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.PageTable;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.TlbFlush;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An SMMUv3 stage-1 context in SVA mode (one ASID): it walks the CPU page table itself and
 * caches walk results, read-only permission included, in its IOTLB
 * (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c).
 *
 * <p>Hardware rules as modelled: a lookup that hits a read-only entry for a write raises a
 * permission fault without walking, and faults do not evict. An invalidation is a command
 * (CMD_TLBI_NH_VA / _ASID) followed by CMD_SYNC; a walk that began before a TLBI does not
 * install its (possibly stale) result after it, and CMD_SYNC completes only once walks begun
 * before it have retired. With BTM the SMMU also obeys the CPU's broadcast TLBIs.
 * The ATS device cache (ATC) is not modelled: every variant here sends ATC_INV where it
 * sends TLBI, so it adds no distinct interleaving.
 */
public final class ArmSmmuV3 implements TlbFlush.BroadcastParticipant {
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INFLIGHT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle EPOCH;
    private static final VarHandle TICKET;
    private static final VarHandle STATS = MethodHandles.arrayElementVarHandle(long[].class);
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            EPOCH = l.findVarHandle(ArmSmmuV3.class, "tlbiEpoch", long.class);
            TICKET = l.findVarHandle(ArmSmmuV3.class, "walkTicket", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int STAT_WALKS = 0;
    private static final int STAT_TLBIS = 1;
    private static final int STAT_SYNCS = 2;

    private final Sched sched;
    private final PageTable pgtable;
    private final Frames frames;
    private final boolean btm;
    private final long[] entries;   // the IOTLB, one entry per VA; via ENTRIES
    private final long[] inFlight;  // per walker: ticket of its running walk, 0 if none
    private final long[] stats = new long[3];
    private final SpinLock tlbLock; // the TLB's own serialisation of fill vs. invalidate
    private long tlbiEpoch;         // TLBIs processed so far
    private long walkTicket;        // walks started so far

    public ArmSmmuV3(Sched sched, PageTable pgtable, Frames frames, int walkers, boolean btm) {
        this.sched = sched;
        this.pgtable = pgtable;
        this.frames = frames;
        this.btm = btm;
        this.entries = new long[pgtable.size()];
        this.inFlight = new long[walkers];
        this.tlbLock = new SpinLock("smmu iotlb", sched);
    }

    /**
     * One device access to {@code va} by the master behind walker slot {@code walker}:
     * IOTLB lookup, else a lockless table walk whose result is cached, then the permission check.
     */
    public Translation translate(int walker, int va, boolean write) {
        sched.point("smmu: IOTLB lookup");
        long e = (long) ENTRIES.getAcquire(entries, va);
        if (IotlbEntry.valid(e)) {
            sched.observe("iotlb hit", e);
            return write && !IotlbEntry.write(e) ? Translation.PERMISSION_FAULT_CACHED : Translation.OK;
        }
        long ticket = (long) TICKET.getAndAdd(this, 1L) + 1;
        INFLIGHT.setVolatile(inFlight, walker, ticket);
        long epoch = (long) EPOCH.getAcquire(this);
        sched.point("smmu: table walk, ptep_get (no lock)");
        long pte = pgtable.ptepGet(va);
        STATS.getAndAdd(stats, STAT_WALKS, 1L);
        if (Pte.present(pte)) {
            sched.point("smmu: IOTLB fill");
            tlbLock.lock();
            if ((long) EPOCH.getOpaque(this) == epoch) {
                long fill = IotlbEntry.of(frames.ref((int) Pte.pfn(pte)), Pte.write(pte));
                ENTRIES.setRelease(entries, va, fill);
                sched.observe("iotlb fill", fill);
            } else {
                sched.observe("fill dropped: TLBI since the walk began", epoch);
            }
            tlbLock.unlock();
        }
        INFLIGHT.setRelease(inFlight, walker, 0L); // the walk retires
        if (!Pte.present(pte)) {
            return Translation.TRANSLATION_FAULT;
        }
        return write && !Pte.write(pte) ? Translation.PERMISSION_FAULT : Translation.OK;
    }

    /** CMD_TLBI_NH_VA for [start, end), as the command queue consumes it. */
    public void cmdTlbiNhVa(int start, int end) {
        sched.point("CMD_TLBI_NH_VA");
        tlbLock.lock();
        EPOCH.getAndAdd(this, 1L); // walks in flight will not install what they read
        for (int va = start; va < end && va < entries.length; va++) {
            ENTRIES.setRelease(entries, va, IotlbEntry.INVALID);
        }
        STATS.getAndAdd(stats, STAT_TLBIS, 1L);
        tlbLock.unlock();
    }

    /** CMD_TLBI_NH_ASID: the whole context (38b14e2e3de9 uses it for large ranges). */
    public void cmdTlbiNhAsid() {
        cmdTlbiNhVa(0, entries.length);
    }

    /** CMD_SYNC: completes once every walk that began before it has retired. */
    public void cmdSync() {
        sched.point("CMD_SYNC");
        long upTo = (long) TICKET.getVolatile(this);
        for (int w = 0; w < inFlight.length; w++) {
            for (;;) {
                long t = (long) INFLIGHT.getAcquire(inFlight, w);
                if (t == 0 || t > upTo) {
                    break;
                }
                sched.spin("CMD_SYNC: wait for walks begun before it");
            }
        }
        STATS.getAndAdd(stats, STAT_SYNCS, 1L);
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
        return (long) ENTRIES.getAcquire(entries, va);
    }

    public int size() {
        return entries.length;
    }

    public long walks() { return (long) STATS.getVolatile(stats, STAT_WALKS); }

    public long tlbis() { return (long) STATS.getVolatile(stats, STAT_TLBIS); }

    public long syncs() { return (long) STATS.getVolatile(stats, STAT_SYNCS); }
}
