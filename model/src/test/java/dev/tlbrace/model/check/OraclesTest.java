package dev.tlbrace.model.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.MmuNotifierRange;
import dev.tlbrace.model.sync.Memory;
import org.junit.jupiter.api.Test;

class OraclesTest {
    private final MmStruct mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 4, new Frames(8, Memory.hardware()));

    @Test
    void frameLiveFiresOnlyAfterFree() {
        int pfn = mm.frames.allocPage(Frames.OWNER_ANON);
        long ref = mm.frames.ref(pfn);
        assertThat(Oracles.frameLive("x", ref, mm.frames)).isEmpty();
        mm.frames.putPage(pfn);
        assertThat(Oracles.frameLive("x", ref, mm.frames)).get()
                .extracting(Violation::invariant).isEqualTo("USE_AFTER_FREE");
    }

    @Test
    void f1FiresOnALeakedFrameAndOnAReferenceNoMappingAccountsFor() {
        int mapped = mm.populate(0, Pte.WRITE);
        assertThat(Oracles.framesAccountedFor(mm)).isEmpty();
        mm.frames.getPage(mapped); // a GUP reference never put
        assertThat(Oracles.framesAccountedFor(mm)).get().extracting(Violation::detail).asString()
                .contains("2 references and 1 mappings");
        mm.frames.putPage(mapped);
        int leaked = mm.frames.allocPage(Frames.OWNER_ANON); // allocated, mapped nowhere
        assertThat(Oracles.framesAccountedFor(mm)).get().extracting(Violation::detail).asString()
                .contains("pfn 0x" + Integer.toHexString(leaked)).endsWith("leaked");
    }

    @Test
    void apicOraclesFireOnAStaleVmcsInGuestModeAndStayQuietOnAFreshOne() {
        int pfn = mm.populate(0, Pte.WRITE);
        Kvm kvm = new Kvm(mm, ApicReload.RANGE_START_REQUEST, 1, 0, 1, 2);
        KvmVcpu vcpu = kvm.vcpu(0);
        vcpu.initApicAccessAddr(mm.frames.ref(pfn));
        vcpu.vcpuEnterGuest();
        assertThat(Oracles.apicAccessQuiescent(kvm, vcpu)).isEmpty();
        mm.pgtable.init(0, Pte.NONE);
        mm.frames.putPage(pfn); // freed under the running guest
        assertThat(Oracles.apicAccessInGuest(vcpu, mm.frames)).get().extracting(Violation::invariant).isEqualTo("A1");
    }

    @Test
    void a2FiresWhenTheVmcsNamesALiveButUnmappedFrame() {
        int old = mm.populate(0, Pte.WRITE);
        Kvm kvm = new Kvm(mm, ApicReload.RANGE_START_REQUEST, 1, 0, 1, 2);
        KvmVcpu vcpu = kvm.vcpu(0);
        vcpu.initApicAccessAddr(mm.frames.ref(old));
        mm.pgtable.init(0, Pte.make(mm.frames.allocPage(Frames.OWNER_ANON), Pte.PRESENT | Pte.WRITE));
        assertThat(Oracles.apicAccessQuiescent(kvm, vcpu)).get().extracting(Violation::invariant).isEqualTo("A2");
    }

    @Test
    void staleReadOnlyFiresOnRoOverRwAndIotlbSafetyHolds() {
        ArmSmmuV3 smmu = new ArmSmmuV3(Memory.hardware(), mm.pgtable, mm.frames, 1, false);
        mm.populate(0, Pte.ACCESSED);
        smmu.translate(0, 0, true);
        assertThat(Oracles.noStaleReadOnly(smmu, mm)).isEmpty();
        Fault.userFault(mm, 0, true);
        assertThat(Oracles.noStaleReadOnly(smmu, mm)).get().extracting(Violation::invariant).isEqualTo("B3");
        assertThat(Oracles.iotlbSafe(smmu, mm)).isEmpty();
    }

    @Test
    void iotlbSafetyFiresWhenAnEntryOutlivesItsPte() {
        ArmSmmuV3 smmu = new ArmSmmuV3(Memory.hardware(), mm.pgtable, mm.frames, 1, false);
        mm.populate(0, Pte.WRITE);
        smmu.translate(0, 0, true);
        mm.pgtable.init(0, Pte.NONE);
        assertThat(Oracles.iotlbSafe(smmu, mm)).get().extracting(Violation::invariant).isEqualTo("B1");
    }

    @Test
    void faultLoopBoundAndCounters() {
        assertThat(Oracles.faultLoopBounded(2, 2, 0)).isEmpty();
        assertThat(Oracles.faultLoopBounded(3, 2, 0)).isPresent();
        Kvm kvm = new Kvm(mm, ApicReload.RETRY_IN_PROGRESS, 1, 0, 1, 2);
        KvmMmuNotifier n = new KvmMmuNotifier(kvm);
        mm.notifiers.register(n);
        assertThat(Oracles.countersQuiescent(mm, kvm)).isEmpty();
        mm.notifiers.invalidateRangeStart(new MmuNotifierRange(0, 1, MmuNotifierRange.Event.UNMAP));
        assertThat(Oracles.countersQuiescent(mm, kvm)).get().extracting(Violation::invariant).isEqualTo("N1");
        assertThat(Oracles.inProgressNonNegative(kvm)).isEmpty();
    }

    @Test
    void stage2SubsetFiresOnAnSpteThePteNoLongerBacksAndStaysQuietOnAFreshOne() {
        Kvm kvm = new Kvm(mm, ApicReload.RETRY_IN_PROGRESS, 1, 0, 1, 2);
        int pfn = mm.populate(1, Pte.WRITE); // gfn 0 of the ordinary slot
        kvm.stage2.set(0, mm.frames.ref(pfn));
        assertThat(Oracles.stage2Subset(kvm)).isEmpty();
        mm.pgtable.init(1, Pte.NONE); // unmapped behind KVM's back: no notifier zapped the SPTE
        assertThat(Oracles.stage2Subset(kvm)).get().extracting(Violation::invariant).isEqualTo("N2");
    }
}
