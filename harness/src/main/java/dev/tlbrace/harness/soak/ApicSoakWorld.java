package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmFault;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.Migrate;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.Mprotect;
import dev.tlbrace.model.mm.Zap;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The APIC race at scale: an Invalidator unmapping, migrating and write-protecting guest
 * memory and the APIC-access page, vCPUs entering the guest, touching the APIC page through
 * the VMCS and guest memory through stage 2, faulting on EPT violations.
 */
final class ApicSoakWorld extends SoakWorld {
    private final MmStruct mm;
    private final Kvm kvm;
    private final int pages;

    ApicSoakWorld(ApicReload reload, int pages, int vcpus, TracingSched sched, Soak.Stop stop) {
        super(ApicAccessReload.ID + "/" + reload.id(), sched, stop);
        this.pages = pages;
        Memory mem = Memory.hardware(sched);
        Frames frames = new Frames(pages * 2 + 16, mem);
        this.mm = new MmStruct(mem, MmConfig.PRE_6_6, pages, frames, ApicAccessReload.STRESS_PAGE_WALK_SPINS);
        for (int va = 0; va < pages; va++) {
            mm.populate(va, Pte.WRITE | Pte.DIRTY | Pte.ACCESSED);
        }
        this.kvm = new Kvm(mm, reload, vcpus, 0, 1, pages - 1);
        mm.notifiers.register(new KvmMmuNotifier(kvm));
        for (int v = 0; v < vcpus; v++) {
            kvm.vcpu(v).initApicAccessAddr(frames.ref((int) Pte.pfn(mm.pgtable.ptepGet(0))));
        }
    }

    @Override
    List<Role> roles(long seed) {
        List<Role> roles = new ArrayList<>();
        roles.add(loop("Invalidator", seed, this::invalidate));
        for (int v = 0; v < kvm.vcpuCount(); v++) {
            KvmVcpu vcpu = kvm.vcpu(v);
            roles.add(loop("vCPU" + v, seed + 1 + v, rnd -> vcpuRun(vcpu, rnd)));
        }
        return roles;
    }

    private void invalidate(SplittableRandom rnd) {
        int op = rnd.nextInt(100);
        int va = op < 30 ? 0 : 1 + rnd.nextInt(pages - 1); // the APIC page gets a third of the work
        if (op < 50) {
            Zap.zapPageRange(mm, va, Math.min(pages, va + 1 + rnd.nextInt(4)));
        } else if (op < 70) {
            Migrate.migratePage(mm, va);
        } else if (op < 85) {
            Mprotect.changeProtection(mm, va, Math.min(pages, va + 1 + rnd.nextInt(4)));
        } else {
            Fault.userFault(mm, va, true);
        }
    }

    private void vcpuRun(KvmVcpu vcpu, SplittableRandom rnd) {
        if (vcpu.vcpuEnterGuest() == KvmVcpu.EnterResult.CANCELLED) {
            sched.spin("vcpu_run: entry cancelled, re-enter");
            return;
        }
        for (int i = 0; i < 4 && running(); i++) {
            sched.point("guest: APIC access through VMCS APIC_ACCESS_ADDR");
            Oracles.apicAccessInGuest(vcpu, mm.frames).ifPresent(this::violated);
            long gfn = rnd.nextInt(pages - 1);
            if (kvm.stage2.get((int) gfn) == FrameRef.NONE) {
                break; // EPT violation: exit and fault it in
            }
            sched.point("guest: memory access through stage 2");
            Oracles.stage2Use(kvm, (int) gfn).ifPresent(this::violated);
        }
        vcpu.vmExit();
        KvmFault.kvmTdpPageFault(kvm, rnd.nextInt(pages - 1), rnd.nextBoolean(), KvmFault.Protocol.SEQ_RETRY);
    }

    @Override
    Optional<Violation> atQuiescence() {
        return Oracles.framesAccountedFor(mm);
    }

    @Override
    String state() {
        return "in_progress " + kvm.inProgress() + ", seq " + kvm.seqNow() + ", " + kvm.vcpu(0);
    }
}
