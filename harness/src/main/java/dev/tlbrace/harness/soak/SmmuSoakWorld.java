package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.iommu.ArmSmmuSva;
import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.iommu.IopfHandler;
import dev.tlbrace.model.iommu.IotlbEntry;
import dev.tlbrace.model.iommu.PermissionUpgrade;
import dev.tlbrace.model.iommu.Translation;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.Migrate;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.Mprotect;
import dev.tlbrace.model.mm.Zap;
import dev.tlbrace.model.sync.Memory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The SMMU race at scale: devices (one SMMU walker slot each) doing DMA over a hot set of
 * pages, an IOPF handler answering their page requests through a PRI queue, and a CPU
 * write-protecting, writing, unmapping and migrating the same pages. B2 is checked on every
 * page response: more than {@link SmmuStaleReadOnly#NO_CHANGE_BOUND} consecutive faults on one
 * (device, VA) raised from a cached IOTLB entry and answered with no change, outside any
 * upgrade's notification window, is a livelock. A fault from a walk that raced with the CPU
 * (read RO, the CPU upgraded before the handler ran) is contention, not a livelock.
 */
final class SmmuSoakWorld extends SoakWorld {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = 0;
    private static final int HOT = 16;

    private final MmStruct mm;
    private final ArmSmmuV3 smmu;
    private final IopfHandler iopf;
    private final int pages;
    private final int walkers;
    // PRI queue: per device, a request word (va + 1, write bit) then a response word (result + 1)
    private final long[] request;
    private final long[] response;

    SmmuSoakWorld(PermissionUpgrade p, int pages, int walkers, TracingSched sched, Soak.Stop stop) {
        super(SmmuStaleReadOnly.ID + "/" + p.id(), sched, stop);
        this.pages = pages;
        this.walkers = walkers;
        Memory mem = Memory.hardware(sched);
        Frames frames = new Frames(pages * 2 + 16, mem);
        this.mm = new MmStruct(mem, p.mmConfig(), pages, frames);
        for (int va = 0; va < pages; va++) {
            mm.populate(va, Pte.ACCESSED | (va % 2 == 0 ? Pte.WRITE | Pte.DIRTY : 0));
        }
        this.smmu = new ArmSmmuV3(mem, mm.pgtable, frames, walkers, p.btm());
        mm.notifiers.register(new ArmSmmuSva(smmu));
        mm.tlb.addBroadcastParticipant(smmu);
        this.iopf = new IopfHandler(mm, smmu, p);
        this.request = new long[walkers];
        this.response = new long[walkers];
    }

    @Override
    List<Role> roles(long seed) {
        List<Role> roles = new ArrayList<>();
        roles.add(loop("CPU", seed, this::cpu));
        roles.add(loop("IOPF handler", seed + 1, rnd -> handle()));
        for (int w = 0; w < walkers; w++) {
            final int dev = w;
            int[] noChange = new int[HOT]; // confined to this device's thread
            roles.add(loop("SMMU walker" + w, seed + 2 + w, rnd -> dma(dev, noChange, rnd)));
        }
        return roles;
    }

    private int hotVa(SplittableRandom rnd) {
        return rnd.nextInt(Math.min(HOT, pages));
    }

    private void cpu(SplittableRandom rnd) {
        int op = rnd.nextInt(100);
        int va = hotVa(rnd);
        if (op < 30) {
            Mprotect.changeProtection(mm, va, va + 1);
        } else if (op < 80) {
            Fault.userFault(mm, va, true);
        } else if (op < 90) {
            Zap.zapPageRange(mm, va, va + 1);
        } else {
            Migrate.migratePage(mm, va);
        }
    }

    /** One device write or read; on a fault, a page request and its response, then the retry. */
    private void dma(int dev, int[] noChange, SplittableRandom rnd) {
        int va = hotVa(rnd);
        boolean write = rnd.nextInt(4) != 0;
        for (int attempt = 0; running(); attempt++) {
            Translation t = smmu.translate(dev, va, write);
            if (t.ok()) {
                noChange[va] = 0;
                return;
            }
            long inFlightBefore = mm.upgradesInFlight();
            Fault.Result r = pageRequest(dev, va, write);
            if (r == null) {
                return; // stopping
            }
            // the cached read-only entry is still there after a response that changed nothing
            boolean stale = t == Translation.PERMISSION_FAULT_CACHED && staleReadOnly(va);
            if (stale && r == Fault.Result.NO_CHANGE && inFlightBefore == 0 && mm.upgradesInFlight() == 0) {
                noChange[va]++;
                String seen = "IOTLB " + IotlbEntry.describe(smmu.entry(va)) + " over PTE "
                        + Pte.describe(mm.pgtable.ptepGet(va));
                Oracles.faultLoopBounded(noChange[va], SmmuStaleReadOnly.NO_CHANGE_BOUND, va).ifPresent(v ->
                        violated(new Violation("LIVELOCK", "SMMU walker" + dev + " " + v + "; " + seen)));
            } else {
                noChange[va] = 0;
            }
        }
    }

    private boolean staleReadOnly(int va) {
        long e = smmu.entry(va);
        long pte = mm.pgtable.ptepGet(va);
        return IotlbEntry.valid(e) && !IotlbEntry.write(e) && Pte.present(pte) && Pte.hwWritable(pte)
                && IotlbEntry.pfn(e) == Pte.pfn(pte);
    }

    /** PRI: post the request, wait for CMD_PRI_RESP. */
    private Fault.Result pageRequest(int dev, int va, boolean write) {
        sched.point("PRI: page request");
        SLOTS.setRelease(request, dev, ((long) (va + 1) << 1) | (write ? 1 : 0));
        long resp;
        while ((resp = (long) SLOTS.getAcquire(response, dev)) == EMPTY) {
            if (!running()) {
                return null;
            }
            sched.spin("PRI: wait for page response");
        }
        SLOTS.setOpaque(response, dev, EMPTY);
        return Fault.Result.values()[(int) resp - 1];
    }

    /** The IOPF handler: answer every pending page request once. */
    private void handle() {
        for (int dev = 0; dev < walkers; dev++) {
            long req = (long) SLOTS.getAcquire(request, dev);
            if (req == EMPTY) {
                continue;
            }
            SLOTS.setOpaque(request, dev, EMPTY);
            Fault.Result r = iopf.handle((int) (req >>> 1) - 1, (req & 1) != 0);
            SLOTS.setRelease(response, dev, r.ordinal() + 1L);
        }
        sched.spin("iopf: poll the PRI queue");
    }

    @Override
    Optional<Violation> atQuiescence() {
        return Oracles.framesAccountedFor(mm);
    }

    @Override
    String state() {
        return "walks " + smmu.walks() + ", TLBIs " + smmu.tlbis() + ", syncs " + smmu.syncs();
    }
}
