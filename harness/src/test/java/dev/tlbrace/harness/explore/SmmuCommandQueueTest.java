package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.iommu.Translation;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SMMU command queue as the explorer sees it: a CMD_TLBI_NH_VA takes effect at some point
 * before the next CMD_SYNC completes, so a lookup between the two may still hit the entry, and
 * one after the sync never does. This is what makes a missing CMD_SYNC a counterexample.
 */
class SmmuCommandQueueTest {

    /** One role: fill a read-only entry, upgrade the PTE, TLBI, look up, (sync), look up. */
    static final class Run implements ScenarioRun {
        final MmStruct mm;
        final ArmSmmuV3 smmu;
        final boolean sync;
        final List<Translation> seen = new ArrayList<>(); // role-confined

        Run(Memory mem, boolean sync) {
            this.sync = sync;
            mm = new MmStruct(mem, MmConfig.PRE_6_6, 1, new Frames(4, mem));
            mm.populate(0, Pte.ACCESSED); // read-only
            smmu = new ArmSmmuV3(mem, mm.pgtable, mm.frames, 1, false);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("SMMU", () -> {
                seen.add(smmu.translate(0, 0, true));  // walk, cache RO, permission fault
                long pte = mm.pgtable.ptepGet(0);
                mm.pgtable.setPteAt(0, Pte.mkWriteDirtyYoung(pte));
                smmu.cmdTlbiNhVa(0, 1);
                seen.add(smmu.translate(0, 0, true));  // the TLBI may not have taken effect yet
                if (sync) {
                    smmu.cmdSync();
                    seen.add(smmu.translate(0, 0, true)); // after the sync it has
                }
            }));
        }

        @Override
        public Verdict judge() {
            return new Verdict("DONE", false, List.of(), seen.toString());
        }
    }

    private static Run play(boolean sync, int hardwareChoice) {
        ControlledScheduler sched = new ControlledScheduler(500);
        Run run = new Run(new SimMemory(sched, MemoryModel.SC), sync);
        Execution e = sched.run(run, d -> d.isRead() ? Math.min(hardwareChoice, d.options() - 1) : d.enabled().get(0));
        assertThat(e.status()).isEqualTo(Execution.Status.COMPLETED);
        return run;
    }

    @Test
    void aLookupBeforeTheSyncMayStillHitTheInvalidatedEntry() {
        assertThat(play(false, 0).seen).containsExactly(Translation.PERMISSION_FAULT, Translation.OK);
        assertThat(play(false, 1).seen).containsExactly(Translation.PERMISSION_FAULT, Translation.PERMISSION_FAULT_CACHED);
    }

    @Test
    void noLookupAfterTheSyncHitsIt() {
        assertThat(play(true, 1).seen).containsExactly(Translation.PERMISSION_FAULT,
                Translation.PERMISSION_FAULT_CACHED, Translation.OK);
    }
}
