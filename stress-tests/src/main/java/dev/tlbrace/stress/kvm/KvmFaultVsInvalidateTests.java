package dev.tlbrace.stress.kvm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/** {@link KvmFaultVsInvalidate}: the stage-2 fault path against MADV_DONTNEED (R1, e930bffe95e1). */
public final class KvmFaultVsInvalidateTests {
    private KvmFaultVsInvalidateTests() { }

    @Outcome(id = KvmFaultVsInvalidate.FRESH, expect = ACCEPTABLE, desc = "the SPTE maps the PTE's frame")
    @Outcome(id = KvmFaultVsInvalidate.RETRIED, expect = ACCEPTABLE, desc = "the fault retried and mapped the new frame")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = KvmFaultVsInvalidate.STALE_SPTE, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug (before e930bffe95e1): the install survives the zap; the gate demands it is seen")
    @State
    public static class NoRetry {
        final KvmFaultVsInvalidate.Run run = KvmFaultVsInvalidate.run("no-retry");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = KvmFaultVsInvalidate.STALE_SPTE, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug: seq without mmu_invalidate_in_progress; the gate demands it is seen")
    @State
    public static class SeqOnly {
        final KvmFaultVsInvalidate.Run run = KvmFaultVsInvalidate.run("seq-only");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = KvmFaultVsInvalidate.STALE_SPTE, expect = FORBIDDEN, desc = "is_page_fault_stale() forbids it")
    @State
    public static class SeqRetry {
        final KvmFaultVsInvalidate.Run run = KvmFaultVsInvalidate.run("seq-retry");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = KvmFaultVsInvalidate.STALE_SPTE, expect = FORBIDDEN,
            desc = "mmu_invalidate_retry() under the rmap lock forbids it")
    @State
    public static class LocklessRetry {
        final KvmFaultVsInvalidate.Run run = KvmFaultVsInvalidate.run("lockless-retry");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
