package dev.tlbrace.stress.kvm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.sync.Memory;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * Three-actor extra: one Invalidator, two vCPUs; kvm_make_all_cpus_request() must reach both.
 * jcstress runs it only on machines with 3 or more CPUs; the gate reports it SKIPPED elsewhere.
 */
public final class ApicAccessReloadTwoVcpuTests {
    private ApicAccessReloadTwoVcpuTests() { }

    abstract static class Base {
        final ApicAccessReload.Run run;

        Base(ApicReload reload) {
            run = ApicAccessReload.run(reload, Memory.hardware(), 2);
        }
    }

    @JCStressTest
    @JCStressMeta(ApicAccessReloadTests.Outcomes.class)
    @Outcome(id = ApicAccessReload.STALE, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug b1394e745b94 on either vCPU")
    @State
    public static class RangeStartRequest extends Base {
        public RangeStartRequest() { super(ApicReload.RANGE_START_REQUEST); }
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu0() { run.vcpu(0); }
        @Actor public void vcpu1() { run.vcpu(1); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(ApicAccessReloadTests.Outcomes.class)
    @Outcome(id = ApicAccessReload.RELOAD_RETRIED, expect = ACCEPTABLE, desc = "a reload retried")
    @Outcome(id = ApicAccessReload.STALE, expect = FORBIDDEN, desc = "878940b33d76 must hold for every vCPU")
    @State
    public static class RetryInProgress extends Base {
        public RetryInProgress() { super(ApicReload.RETRY_IN_PROGRESS); }
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu0() { run.vcpu(0); }
        @Actor public void vcpu1() { run.vcpu(1); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
