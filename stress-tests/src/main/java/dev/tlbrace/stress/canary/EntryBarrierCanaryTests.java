package dev.tlbrace.stress.canary;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.canary.EntryBarrierCanary;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/** {@link EntryBarrierCanary}: vcpu_enter_guest()'s Dekker pair with and without smp_mb(). */
public final class EntryBarrierCanaryTests {
    private EntryBarrierCanaryTests() { }

    @Outcome(id = EntryBarrierCanary.CANCELLED, expect = ACCEPTABLE, desc = "the vCPU saw the request")
    @Outcome(id = EntryBarrierCanary.KICKED, expect = ACCEPTABLE, desc = "the requester saw IN_GUEST_MODE")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = EntryBarrierCanary.MISSED_REQUEST, expect = FORBIDDEN, desc = "smp_mb() forbids store-buffer reordering")
    @State
    public static class FullBarrier {
        final EntryBarrierCanary.Run run = EntryBarrierCanary.run(true);
        @Actor public void vcpu() { run.vcpu(); }
        @Actor public void requester() { run.requester(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = EntryBarrierCanary.MISSED_REQUEST, expect = ACCEPTABLE_INTERESTING,
            desc = "canary: no barrier, the request is missed (store buffering)")
    @State
    public static class NoBarrier {
        final EntryBarrierCanary.Run run = EntryBarrierCanary.run(false);
        @Actor public void vcpu() { run.vcpu(); }
        @Actor public void requester() { run.requester(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
