package dev.tlbrace.model.iommu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import org.junit.jupiter.api.Test;

class ArmSmmuV3Test {
    private final MmStruct mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 4, new Frames(8, Memory.hardware()));

    private ArmSmmuV3 smmu(boolean btm) {
        ArmSmmuV3 s = new ArmSmmuV3(Memory.hardware(), mm.pgtable, mm.frames, 1, btm);
        mm.notifiers.register(new ArmSmmuSva(s));
        mm.tlb.addBroadcastParticipant(s);
        return s;
    }

    @Test
    void aReadOnlyWalkIsCachedAndKeepsFaultingAfterAnUnnotifiedUpgrade() {
        ArmSmmuV3 smmu = smmu(false);
        mm.populate(0, Pte.ACCESSED);
        assertThat(smmu.translate(0, 0, true)).isEqualTo(Translation.PERMISSION_FAULT);
        assertThat(IotlbEntry.valid(smmu.entry(0))).isTrue();
        assertThat(IotlbEntry.write(smmu.entry(0))).isFalse();
        Fault.userFault(mm, 0, true);
        assertThat(Pte.write(mm.pgtable.ptepGet(0))).isTrue();
        assertThat(smmu.translate(0, 0, true)).isEqualTo(Translation.PERMISSION_FAULT_CACHED);
        assertThat(smmu.walks()).isEqualTo(1);
        smmu.tlbInvRangeAndSync(0, 1);
        assertThat(smmu.translate(0, 0, true)).isEqualTo(Translation.OK);
        assertThat(smmu.translate(0, 0, false)).isEqualTo(Translation.OK);
        assertThat(smmu.walks()).isEqualTo(2);
    }

    @Test
    void withBtmTheCpuFlushOfTheUpgradeCleansTheIotlb() {
        ArmSmmuV3 smmu = smmu(true);
        mm.populate(0, Pte.ACCESSED);
        assertThat(smmu.translate(0, 0, true)).isEqualTo(Translation.PERMISSION_FAULT);
        Fault.userFault(mm, 0, true);
        assertThat(smmu.translate(0, 0, true)).isEqualTo(Translation.OK);
    }

    @Test
    void anUnmappedPageIsATranslationFaultAndNothingIsCached() {
        ArmSmmuV3 smmu = smmu(false);
        assertThat(smmu.translate(0, 1, false)).isEqualTo(Translation.TRANSLATION_FAULT);
        assertThat(IotlbEntry.valid(smmu.entry(1))).isFalse();
    }

    @Test
    void syncWithNoWalkInFlightCompletesAtOnce() {
        ArmSmmuV3 smmu = smmu(false);
        smmu.cmdSync();
        assertThat(smmu.syncs()).isEqualTo(1);
    }
}
