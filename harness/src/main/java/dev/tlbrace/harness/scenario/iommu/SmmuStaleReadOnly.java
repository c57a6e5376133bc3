package dev.tlbrace.harness.scenario.iommu;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
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
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.ArrayList;
import java.util.List;

/**
 * The stale read-only SMMU TLB entry (Race B, docs/kernel.md). With
 * {@link PermissionUpgrade#NO_UPGRADE_NOTIFY} (arm64 before v6.6) a PTE that becomes writable
 * notifies nobody, and the SMMU keeps faulting on its cached read-only entry:
 * <pre>
 * 1. (SMMU) device write to X misses; the walk finds {P, RO}; IOTLB caches {X -> P, RO}; fault
 * 2. (CPU)  write fault on X: do_wp_page -> wp_page_reuse -> ptep_set_access_flags:
 *           PTE := {P, RW, dirty}; flush_tlb_page() reaches CPU TLBs only
 * 3. (SMMU) iommu_sva_handle_iopf: handle_mm_fault finds the PTE writable: no change;
 *           CMD_PRI_RESP success
 * 4. (SMMU) the retry hits {X -> P, RO}: permission fault again, no change again ...
 * 5. judge: a read-only IOTLB entry over a writable PTE            STALE_READ_ONLY_IOTLB
 * </pre>
 * Two actors: the SMMU role is the device, the walker and (between faults) the IOPF handler;
 * the CPU role is a user write to the same page. Invariants: B1 (safety, holds even in the bug)
 * IOTLB pfn equals the PTE's, permission no greater; B2 no-change faults bounded (2); B3 at
 * quiescence no RO entry over a RW PTE. The device gives up after B2's bound and the judge
 * retries it once at quiescence: a fix makes that retry succeed.
 */
public final class SmmuStaleReadOnly implements Scenario {
    public static final String ID = "smmu-stale-readonly";
    public static final String SMMU = "SMMU";
    public static final String CPU = "CPU";

    public static final String FRESH = "FRESH";
    public static final String RETRIED_BOUNDED = "RETRIED_BOUNDED";
    public static final String STALE = "STALE_READ_ONLY_IOTLB";
    public static final String LIVELOCK = "LIVELOCK";

    /** B2: no-change faults per (device, VA) the device tolerates. */
    public static final int NO_CHANGE_BOUND = 2;
    static final int VA = 0;

    private static final List<Variant> VARIANTS = List.of(
            Variant.of(PermissionUpgrade.NO_UPGRADE_NOTIFY, Expectation.KNOWN_BUG,
                    "upgrade flushes CPU TLBs only; the SMMU keeps its read-only entry"),
            Variant.of(PermissionUpgrade.NOTIFY_ON_UPGRADE, Expectation.FIXED,
                    "upgrade sends invalidate_range_start/end after the PTL drop"),
            Variant.of(PermissionUpgrade.INVALIDATE_BEFORE_RESPONSE, Expectation.FIXED,
                    "IOPF path issues TLBI + CMD_SYNC before each page response"),
            Variant.of(PermissionUpgrade.BTM, Expectation.FIXED,
                    "SMMU obeys the CPU's broadcast TLBI"),
            Variant.of(PermissionUpgrade.SECONDARY_TLBS_IN_FLUSH, Expectation.FIXED,
                    "arm64 flush_tlb_page calls arch_invalidate_secondary_tlbs (v6.6)"));

    private static final List<Outcome> OUTCOMES = List.of(
            new Outcome(FRESH, false, "the device write completed with no fault the page response could not fix"),
            new Outcome(RETRIED_BOUNDED, false, "the device saw no-change faults, then completed"),
            new Outcome(STALE, true, "a read-only IOTLB entry sits over a writable PTE: the device faults forever (B3)"),
            new Outcome(LIVELOCK, true, "the device's retries exceeded B2's bound: each success reply left the stale "
                    + "read-only entry in place with no upgrade in flight (B2)"));


    @Override public String id() { return ID; }

    @Override public String title() { return "stale read-only SMMU IOTLB entry after a PTE permission upgrade"; }

    @Override public String invariant() {
        return "B2: the device's no-change faults stay bounded; B3: at quiescence no read-only IOTLB entry over a writable PTE";
    }

    @Override public String badOutcome() { return STALE; }

    @Override public List<Outcome> outcomes() { return OUTCOMES; }

    /** Without a fix nothing refreshes the read-only entry, so a no-change fault is never followed by success. */
    @Override public List<Outcome> outcomes(Variant v) {
        return v.expectation() == Expectation.KNOWN_BUG ? Outcome.except(OUTCOMES, RETRIED_BOUNDED) : OUTCOMES;
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    /** The CPU's write fault upgrades the PTE in place: do_wp_page -> wp_page_reuse. */
    @Override public String baseForm() { return "wp-page-reuse"; }

    @Override public List<String> roles() { return List.of(SMMU, CPU); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(PermissionUpgrade.byId(variant.id()), mem, false);
    }

    /**
     * The other upgrade: a writable but clean PTE (MADV_FREE's pte_mkclean, or clear_refs) is
     * read-only to the SMMU on arm64, and the write fault's pte_mkdirty() in handle_pte_fault()
     * is the upgrade, through the same ptep_set_access_flags() and its flush.
     */
    @Override
    public List<Form> extraForms() {
        return List.of(new Form("mark-dirty", "a writable clean PTE made dirty: handle_pte_fault -> ptep_set_access_flags",
                VARIANTS.stream().map(Variant::id).toList(), (v, mem) -> new Run(PermissionUpgrade.byId(v.id()), mem, true)));
    }

    /** The seed thread's two-actor form: the CPU upgrades while the SMMU holds the RO entry. */
    @Override
    public Script commitScript() {
        return Script.of()
                .until(SMMU, "iommu_sva_handle_iopf")
                .toEnd(CPU)
                .toEnd(SMMU);
    }

    /** One world: an mm whose page X is write-protected {P, RO}, an SMMU bound to it (SVA). */
    public static final class Run implements ScenarioRun {
        public final MmStruct mm;
        public final ArmSmmuV3 smmu;
        private final IopfHandler iopf;
        private final Sched sched;
        // written by the SMMU role only; the judge reads after the join
        private int noChangeFaults;
        private int unexplainedFaults; // B2: no-change replies that left the stale entry, no upgrade in flight
        private boolean completed;

        Run(PermissionUpgrade p, Memory mem, boolean writableClean) {
            this.sched = mem.sched;
            Frames frames = new Frames(8, mem);
            this.mm = new MmStruct(mem, p.mmConfig(), 4, frames);
            // write-protected and clean (COW-reusable or dirty-tracked), or writable and clean
            mm.populate(VA, writableClean ? Pte.WRITE | Pte.ACCESSED : Pte.ACCESSED);
            this.smmu = new ArmSmmuV3(mem, mm.pgtable, frames, 1, p.btm());
            mm.notifiers.register(new ArmSmmuSva(smmu));
            mm.tlb.addBroadcastParticipant(smmu);
            this.iopf = new IopfHandler(mm, smmu, p);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role(SMMU, this::smmu), new Role(CPU, this::cpu));
        }

        /** Device DMA write to X; on a fault, the page request, its handler, and the retry. */
        public void smmu() {
            while (deviceWrite()) {
                if (noChangeFaults > NO_CHANGE_BOUND) {
                    return; // B2 exceeded: the device would fault forever
                }
            }
        }

        /** One attempt; returns whether the device must retry. */
        private boolean deviceWrite() {
            Translation t = smmu.translate(0, VA, true);
            if (t.ok()) {
                completed = true;
                return false;
            }
            if (iopf.handle(VA, true) == Fault.Result.NO_CHANGE) {
                noChangeFaults++;
                // B2 counts only what no fix's window explains: after the reply the read-only
                // entry is still there over a writable PTE and no upgrade notification is in flight
                long e = smmu.entry(VA);
                long pte = mm.pgtable.ptepGet(VA);
                if (IotlbEntry.valid(e) && !IotlbEntry.write(e) && Pte.present(pte) && Pte.hwWritable(pte)
                        && mm.upgradesInFlight() == 0) {
                    unexplainedFaults++;
                }
            }
            return true;
        }

        /** A user write to X: the CPU's own write fault upgrades the PTE. */
        public void cpu() {
            Fault.userFault(mm, VA, true);
        }

        @Override
        public Verdict judge() {
            List<Violation> violations = new ArrayList<>();
            Oracles.iotlbSafe(smmu, mm).ifPresent(violations::add);
            Oracles.noStaleReadOnly(smmu, mm).ifPresent(violations::add);
            Oracles.framesAccountedFor(mm).ifPresent(violations::add);
            boolean retriedOk = completed;
            if (!completed) {
                // quiescence: the device retries once more with nobody else running
                retriedOk = smmu.translate(0, VA, true).ok();
            }
            String detail = "iotlb " + IotlbEntry.describe(smmu.entry(VA)) + ", pte "
                    + Pte.describe(mm.pgtable.ptepGet(VA)) + ", no-change faults " + noChangeFaults
                    + " (" + unexplainedFaults + " unexplained)"
                    + ", completed " + completed;
            if (unexplainedFaults > NO_CHANGE_BOUND) {
                violations.add(0, new Violation("B2", unexplainedFaults + " no-change faults on va " + VA
                        + " left the read-only entry in place (bound " + NO_CHANGE_BOUND + "): the device faults forever"));
                return new Verdict(LIVELOCK, true, violations, detail);
            }
            if (!violations.isEmpty() || !retriedOk) {
                boolean b3 = violations.stream().anyMatch(x -> x.invariant().equals("B3"));
                Oracles.faultLoopBounded(noChangeFaults, NO_CHANGE_BOUND, VA).ifPresent(violations::add);
                if (violations.isEmpty()) {
                    violations.add(new Violation("B2", "device still faults at quiescence"));
                }
                return new Verdict(Oracles.outcomeOf(violations,
                        b3 ? STALE : violations.get(0).invariant().equals("B1") ? "IOTLB_EXCEEDS_PTE" : LIVELOCK),
                        true, violations, detail);
            }
            return new Verdict(noChangeFaults == 0 ? FRESH : RETRIED_BOUNDED, false, violations, detail);
        }
    }
}
