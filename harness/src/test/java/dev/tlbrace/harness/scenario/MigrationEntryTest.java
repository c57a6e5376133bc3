package dev.tlbrace.harness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.explore.ControlledScheduler;
import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.explore.SimMemory;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.Migrate;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * get_user_pages() against migrate_pages(), played at the worst moment: the PTE is a migration
 * entry. The model once cleared the PTE to none there, so GUP's fault mapped a fresh page that
 * remove_migration_pte() then overwrote: the fresh page leaked (the allocator ran dry in long
 * soaks) and GUP's caller (the APIC reload, the KVM fault) held a page nothing mapped. The
 * kernel leaves a migration entry, and a fault on it waits (migration_entry_wait()).
 */
class MigrationEntryTest {

    /** A migrating page and a GUP of it. */
    static final class Run implements ScenarioRun {
        final MmStruct mm;
        int gupPfn = -1; // GUP-confined; read by the judge after the join

        Run(Memory mem) {
            mm = new MmStruct(mem, MmConfig.PRE_6_6, 1, new Frames(8, mem));
            mm.populate(0, Pte.WRITE | Pte.ACCESSED | Pte.DIRTY);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("Migrator", () -> Migrate.migratePage(mm, 0)), new Role("GUP", () -> {
                gupPfn = Fault.getUserPage(mm, 0, false);
                mm.frames.putPage(gupPfn);
            }));
        }

        @Override
        public Verdict judge() {
            long pte = mm.pgtable.peek(0);
            List<Violation> v = new ArrayList<>();
            Oracles.framesAccountedFor(mm).ifPresent(v::add); // F1: the fresh page a fault mapped here leaked
            String detail = "pte " + Pte.describe(pte) + ", GUP got pfn 0x" + Integer.toHexString(gupPfn);
            return new Verdict(v.isEmpty() ? "OK" : "LEAK", !v.isEmpty(), v, detail);
        }
    }

    @Test
    void aGupOnAMigrationEntryWaitsForTheMigratedPageAndLeaksNothing() {
        ControlledScheduler sched = new ControlledScheduler(2_000);
        Run run = new Run(new SimMemory(sched, MemoryModel.SC));
        Script script = Script.of()
                .until("Migrator", "migrate_folio: alloc the new page")
                .toEnd("GUP")       // blocks in migration_entry_wait
                .toEnd("Migrator")
                .toEnd("GUP");
        Execution e = sched.run(run, script.chooser(List.of("Migrator", "GUP")));
        assertThat(e.status()).isEqualTo(Execution.Status.COMPLETED);
        assertThat(e.verdict().bad()).as(e.verdict().toString()).isFalse();
        assertThat(e.indexOf("migration_entry_wait")).as("GUP met the migration entry").isNotNegative();
        assertThat((long) run.gupPfn).as("GUP returned the page the PTE maps").isEqualTo(Pte.pfn(run.mm.pgtable.peek(0)));
    }
}
