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
 * {@link ApicAccessReload}, two actors: the Invalidator unmaps the APIC-access page (and the
 * frame is reused), the vCPU enters the guest once. The arbiter lets a kicked vCPU re-enter,
 * then judges A1/A2.
 * <pre>{@code ./tlbrace hunt --race apic-access-reload}</pre>
 * The known bug (b1394e745b94) must show STALE_APIC_ACCESS_ADDR; the gate fails if it does not.
 */
public final class ApicAccessReloadTests {
    private ApicAccessReloadTests() { }

    @Outcome(id = ApicAccessReload.FRESH, expect = ACCEPTABLE, desc = "the vCPU runs with the page the PTE maps")
    @Outcome(id = ApicAccessReload.NOT_ENTERED, expect = ACCEPTABLE,
            desc = "the vCPU was kicked out of guest mode and reloads before running again")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    /** Shared body; jcstress reads @Actor methods only from the test class itself. */
    abstract static class Base {
        final ApicAccessReload.Run run;

        Base(ApicReload reload) {
            run = ApicAccessReload.run(reload, Memory.hardware(), 1);
        }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = ApicAccessReload.STALE, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug b1394e745b94: reload between range_start and the PTE zap, guest uses a reused frame")
    @State
    public static class RangeStartRequest extends Base {
        public RangeStartRequest() { super(ApicReload.RANGE_START_REQUEST); }
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(0); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = ApicAccessReload.STALE, expect = FORBIDDEN,
            desc = "e649b3f0188f requests from invalidate_range: a stale reload is kicked before the free")
    @State
    public static class InvalidateRangeRequest extends Base {
        public InvalidateRangeRequest() { super(ApicReload.INVALIDATE_RANGE_REQUEST); }
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(0); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = ApicAccessReload.RELOAD_RETRIED, expect = ACCEPTABLE,
            desc = "the reload saw mmu_invalidate_in_progress and re-requested")
    @Outcome(id = ApicAccessReload.STALE, expect = FORBIDDEN,
            desc = "878940b33d76 retries the reload while an invalidation is in progress")
    @State
    public static class RetryInProgress extends Base {
        public RetryInProgress() { super(ApicReload.RETRY_IN_PROGRESS); }
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(0); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
