package dev.tlbrace.stress.iommu;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.model.iommu.PermissionUpgrade;
import dev.tlbrace.model.sync.Memory;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * {@link SmmuStaleReadOnly}, two actors: the SMMU role (device write, walker, IOPF handler)
 * against a CPU write fault that upgrades the same PTE. The arbiter retries the device once at
 * quiescence and judges B3.
 * <pre>{@code ./tlbrace hunt --race smmu-stale-readonly}</pre>
 */
public final class SmmuStaleReadOnlyTests {
    private SmmuStaleReadOnlyTests() { }

    @Outcome(id = SmmuStaleReadOnly.FRESH, expect = ACCEPTABLE,
            desc = "the device write completed with no fault the page response could not fix")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    /** The fixes: a no-change fault may fall inside the fix's window; a stale entry may not stay. */
    @Outcome(id = SmmuStaleReadOnly.FRESH, expect = ACCEPTABLE,
            desc = "the device write completed with no fault the page response could not fix")
    @Outcome(id = SmmuStaleReadOnly.RETRIED_BOUNDED, expect = ACCEPTABLE,
            desc = "no-change faults while the upgrade was not yet seen by the SMMU, then success")
    @Outcome(id = SmmuStaleReadOnly.STALE, expect = FORBIDDEN,
            desc = "the fix must leave no read-only IOTLB entry over a writable PTE")
    @Outcome(id = SmmuStaleReadOnly.LIVELOCK, expect = FORBIDDEN,
            desc = "the fix must not leave the device faulting on its stale entry (B2)")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class FixedOutcomes { }

    /** Shared body; jcstress reads @Actor methods only from the test class itself. */
    abstract static class Base {
        final SmmuStaleReadOnly.Run run;

        Base(PermissionUpgrade p) {
            run = SmmuStaleReadOnly.run(p, Memory.hardware());
        }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = SmmuStaleReadOnly.STALE, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug (arm64 before v6.6): RO IOTLB entry over a RW PTE, the device faults forever")
    @Outcome(id = SmmuStaleReadOnly.LIVELOCK, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug (arm64 before v6.6): every retry faults on the stale entry (B2 exceeded)")
    @State
    public static class NoUpgradeNotify extends Base {
        public NoUpgradeNotify() { super(PermissionUpgrade.NO_UPGRADE_NOTIFY); }
        @Actor public void smmu() { run.smmu(); }
        @Actor public void cpu() { run.cpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    /** Fixed: seed patch v1: start/end after the PTL drop. */
    @JCStressTest
    @JCStressMeta(FixedOutcomes.class)
    @State
    public static class NotifyOnUpgrade extends Base {
        public NotifyOnUpgrade() { super(PermissionUpgrade.NOTIFY_ON_UPGRADE); }
        @Actor public void smmu() { run.smmu(); }
        @Actor public void cpu() { run.cpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    /** Fixed: TLBI + CMD_SYNC before each page response. */
    @JCStressTest
    @JCStressMeta(FixedOutcomes.class)
    @State
    public static class InvalidateBeforeResponse extends Base {
        public InvalidateBeforeResponse() { super(PermissionUpgrade.INVALIDATE_BEFORE_RESPONSE); }
        @Actor public void smmu() { run.smmu(); }
        @Actor public void cpu() { run.cpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    /** Fixed: the SMMU obeys the CPU's broadcast TLBI. */
    @JCStressTest
    @JCStressMeta(FixedOutcomes.class)
    @State
    public static class Btm extends Base {
        public Btm() { super(PermissionUpgrade.BTM); }
        @Actor public void smmu() { run.smmu(); }
        @Actor public void cpu() { run.cpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    /** Fixed: v6.6: flush_tlb_page calls arch_invalidate_secondary_tlbs. */
    @JCStressTest
    @JCStressMeta(FixedOutcomes.class)
    @State
    public static class SecondaryTlbsInFlush extends Base {
        public SecondaryTlbsInFlush() { super(PermissionUpgrade.SECONDARY_TLBS_IN_FLUSH); }
        @Actor public void smmu() { run.smmu(); }
        @Actor public void cpu() { run.cpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
