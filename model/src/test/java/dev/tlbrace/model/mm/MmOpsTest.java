package dev.tlbrace.model.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.sync.Memory;
import org.junit.jupiter.api.Test;

class MmOpsTest {
    private static MmStruct mm(MmConfig config) {
        return new MmStruct(Memory.hardware(), config, 4, new Frames(8, Memory.hardware()));
    }

    @Test
    void zapNotifiesStartWhileMappedThenInvalidateRangeAfterClearThenEnd() {
        MmStruct mm = mm(MmConfig.PRE_6_6);
        int pfn = mm.populate(0, Pte.WRITE);
        RecordingNotifier rec = new RecordingNotifier(mm, 0);
        mm.notifiers.register(rec);
        long ref = mm.frames.ref(pfn);
        Zap.zapPageRange(mm, 0, 1);
        assertThat(rec.calls).containsExactly(
                "start pte=pfn 0x" + Integer.toHexString(pfn) + " RW live=mapped",
                "invalidate_range pte=none live=-",   // mmu_gather flush, before the free
                "invalidate_range pte=none live=-",   // mn_hlist_invalidate_end, before v6.6
                "end pte=none live=-");
        assertThat(mm.frames.isLive(ref)).isFalse();
        assertThat(mm.notifiers.starts()).isEqualTo(mm.notifiers.ends()).isEqualTo(1);
    }

    @Test
    void v66CallsArchInvalidateSecondaryTlbsFromTheFlushAndNeverInvalidateRange() {
        MmStruct mm = mm(MmConfig.V6_6);
        mm.populate(0, Pte.WRITE);
        RecordingNotifier rec = new RecordingNotifier(mm, 0);
        mm.notifiers.register(rec);
        Zap.zapPageRange(mm, 0, 1);
        assertThat(rec.calls).containsExactly(
                "start pte=pfn 0x1 RW live=mapped",
                "arch_invalidate_secondary_tlbs pte=none live=-",
                "end pte=none live=-");
    }

    @Test
    void writeFaultOnReadOnlyPageUpgradesInPlaceAndBeforeV66NotifiesNobody() {
        MmStruct mm = mm(MmConfig.PRE_6_6);
        int pfn = mm.populate(0, Pte.ACCESSED);
        RecordingNotifier rec = new RecordingNotifier(mm, 0);
        mm.notifiers.register(rec);
        assertThat(Fault.userFault(mm, 0, true)).isEqualTo(Fault.Result.UPGRADED);
        long pte = mm.pgtable.ptepGet(0);
        assertThat(Pte.pfn(pte)).isEqualTo(pfn);
        assertThat(Pte.write(pte) && Pte.dirty(pte)).isTrue();
        assertThat(rec.calls).isEmpty();
        assertThat(Fault.userFault(mm, 0, true)).isEqualTo(Fault.Result.NO_CHANGE);
    }

    @Test
    void upgradeNotifiesSecondariesUnderV66AndUnderTheSeedPatch() {
        MmStruct v66 = mm(MmConfig.V6_6);
        v66.populate(0, Pte.ACCESSED);
        RecordingNotifier a = new RecordingNotifier(v66, 0);
        v66.notifiers.register(a);
        Fault.userFault(v66, 0, true);
        assertThat(a.calls).containsExactly("arch_invalidate_secondary_tlbs pte=pfn 0x1 RW D live=mapped");

        MmStruct seed = mm(new MmConfig(false, true));
        seed.populate(0, Pte.ACCESSED);
        RecordingNotifier b = new RecordingNotifier(seed, 0);
        seed.notifiers.register(b);
        Fault.userFault(seed, 0, true);
        assertThat(b.calls).containsExactly(
                "start pte=pfn 0x1 RW D live=mapped",
                "invalidate_range pte=pfn 0x1 RW D live=mapped",
                "end pte=pfn 0x1 RW D live=mapped");
    }

    @Test
    void faultOnUnmappedPageMapsAFreshFrame() {
        MmStruct mm = mm(MmConfig.PRE_6_6);
        assertThat(Fault.userFault(mm, 2, false)).isEqualTo(Fault.Result.MAPPED);
        assertThat(Pte.present(mm.pgtable.ptepGet(2))).isTrue();
        assertThat(Pte.write(mm.pgtable.ptepGet(2))).isFalse();
    }

    @Test
    void getUserPageTakesAReferenceThatKeepsTheFrameThroughAZap() {
        MmStruct mm = mm(MmConfig.PRE_6_6);
        int pfn = mm.populate(0, Pte.WRITE);
        assertThat(Fault.getUserPage(mm, 0, true)).isEqualTo(pfn);
        long ref = mm.frames.ref(pfn);
        Zap.zapPageRange(mm, 0, 1);
        assertThat(mm.frames.isLive(ref)).isTrue();
        mm.frames.putPage(pfn);
        assertThat(mm.frames.isLive(ref)).isFalse();
    }

    @Test
    void changeProtectionWriteProtectsAndMigrateMovesToANewFrame() {
        MmStruct mm = mm(MmConfig.PRE_6_6);
        int pfn = mm.populate(1, Pte.WRITE | Pte.DIRTY);
        assertThat(Mprotect.changeProtection(mm, 0, 4)).isEqualTo(1);
        assertThat(Pte.write(mm.pgtable.ptepGet(1))).isFalse();
        long oldRef = mm.frames.ref(pfn);
        int moved = Migrate.migratePage(mm, 1);
        assertThat(moved).isPositive().isNotEqualTo(pfn);
        assertThat(Pte.pfn(mm.pgtable.ptepGet(1))).isEqualTo(moved);
        assertThat(mm.frames.isLive(oldRef)).isFalse();
        assertThat(mm.notifiers.starts()).isEqualTo(mm.notifiers.ends()).isEqualTo(2);
    }
}
