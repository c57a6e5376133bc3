package dev.tlbrace.model.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.MmuNotifierRange;
import dev.tlbrace.model.mm.Zap;
import dev.tlbrace.model.sync.Memory;
import org.junit.jupiter.api.Test;

class KvmTest {
    private final MmStruct mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 4, new Frames(16, Memory.hardware()));
    private final Kvm kvm = new Kvm(mm, ApicReload.RETRY_IN_PROGRESS, 1, 0, 1, 2);
    private final KvmMmuNotifier notifier = new KvmMmuNotifier(kvm);

    { mm.notifiers.register(notifier); }

    @Test
    void retryIsTrueWhileAnOverlappingInvalidationIsInProgress() {
        long seq = kvm.seqNow();
        MmuNotifierRange range = new MmuNotifierRange(1, 2, MmuNotifierRange.Event.UNMAP); // gfn 0
        notifier.invalidateRangeStart(range);
        assertThat(kvm.inProgress()).isEqualTo(1);
        assertThat(kvm.mmuInvalidateRetryGfn(seq, 0)).isTrue();
        assertThat(kvm.mmuInvalidateRetryGfn(seq, 1)).as("gfn outside the range").isFalse();
        assertThat(kvm.mmuInvalidateRetry(seq)).as("lockless form ignores the range").isTrue();
        notifier.invalidateRangeEnd(range);
        assertThat(kvm.inProgress()).isZero();
        assertThat(kvm.mmuInvalidateRetryGfn(seq, 1)).as("seq moved").isTrue();
        assertThat(kvm.mmuInvalidateRetryGfn(kvm.seqNow(), 0)).isFalse();
    }

    @Test
    void anEndWithoutAStartIsAKvmBug() {
        MmuNotifierRange range = new MmuNotifierRange(1, 2, MmuNotifierRange.Event.UNMAP);
        assertThatThrownBy(() -> notifier.invalidateRangeEnd(range))
                .hasMessageContaining("mmu_invalidate_in_progress < 0");
    }

    @Test
    void invalidationOutsideEveryMemslotLeavesTheCountersAlone() {
        MmuNotifierRange range = new MmuNotifierRange(3, 4, MmuNotifierRange.Event.UNMAP);
        notifier.invalidateRangeStart(range);
        assertThat(kvm.inProgress()).isZero();
        assertThat(kvm.mnActiveInvalidateCount()).isEqualTo(1);
        notifier.invalidateRangeEnd(range);
        assertThat(kvm.mnActiveInvalidateCount()).isZero();
        assertThat(kvm.seqNow()).isZero();
    }

    @Test
    void faultInstallsAnSpteAndTheNextZapRemovesIt() {
        assertThat(KvmFault.kvmTdpPageFault(kvm, 1, true, KvmFault.Protocol.SEQ_RETRY)).isZero();
        long spte = kvm.stage2.get(1);
        assertThat(mm.frames.isLive(spte)).isTrue();
        assertThat(Pte.pfn(mm.pgtable.ptepGet(2))).isEqualTo(dev.tlbrace.model.mem.FrameRef.pfn(spte));
        Zap.zapPageRange(mm, 2, 3);
        assertThat(kvm.stage2.get(1)).isZero();
    }

    @Test
    void requestBeforeEntryCancelsTheEntry() {
        KvmVcpu vcpu = kvm.vcpu(0);
        vcpu.kvmMakeRequest(KvmRequest.TLB_FLUSH);
        assertThat(vcpu.vcpuEnterGuest()).isEqualTo(KvmVcpu.EnterResult.CANCELLED);
        assertThat(vcpu.mode()).isEqualTo(KvmVcpu.OUTSIDE_GUEST_MODE);
    }

    @Test
    void requestWhileInGuestModeKicksTheVcpu() {
        KvmVcpu vcpu = kvm.vcpu(0);
        assertThat(vcpu.vcpuEnterGuest()).isEqualTo(KvmVcpu.EnterResult.ENTERED);
        assertThat(vcpu.mode()).isEqualTo(KvmVcpu.IN_GUEST_MODE);
        kvm.kvmMakeAllCpusRequest(KvmRequest.APIC_PAGE_RELOAD);
        assertThat(vcpu.mode()).isEqualTo(KvmVcpu.EXITING_GUEST_MODE);
        assertThat(vcpu.kvmCheckRequest(KvmRequest.APIC_PAGE_RELOAD)).isTrue();
        assertThat(vcpu.kvmCheckRequest(KvmRequest.APIC_PAGE_RELOAD)).isFalse();
    }

    @Test
    void reloadRetriesWhileTheApicPageIsBeingInvalidated() {
        int apic = mm.populate(0, Pte.WRITE);
        KvmVcpu vcpu = kvm.vcpu(0);
        MmuNotifierRange range = new MmuNotifierRange(0, 1, MmuNotifierRange.Event.UNMAP);
        notifier.invalidateRangeStart(range); // requests the reload from kvm_unmap_gfn_range
        assertThat(vcpu.vcpuEnterGuest()).isEqualTo(KvmVcpu.EnterResult.CANCELLED);
        assertThat(vcpu.reloadRetries()).isEqualTo(1);
        assertThat(vcpu.apicAccessAddr()).isZero();
        notifier.invalidateRangeEnd(range);
        assertThat(vcpu.vcpuEnterGuest()).isEqualTo(KvmVcpu.EnterResult.ENTERED);
        assertThat(dev.tlbrace.model.mem.FrameRef.pfn(vcpu.apicAccessAddr())).isEqualTo(apic);
    }
}
