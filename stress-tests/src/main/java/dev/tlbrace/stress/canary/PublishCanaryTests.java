package dev.tlbrace.stress.canary;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.canary.PublishCanary;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * {@link PublishCanary}: message passing with and without smp_wmb() / smp_rmb(). On x86 the
 * broken forms cannot show (TSO keeps store-store and load-load order); on arm64 they can.
 */
public final class PublishCanaryTests {
    private PublishCanaryTests() { }

    @Outcome(id = PublishCanary.NOT_PUBLISHED, expect = ACCEPTABLE, desc = "the flag was not seen yet")
    @Outcome(id = PublishCanary.PUBLISHED, expect = ACCEPTABLE, desc = "flag and payload seen")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = PublishCanary.STALE_PAYLOAD, expect = FORBIDDEN, desc = "smp_wmb() + smp_rmb() forbid it (LKMM: MP Never)")
    @State
    public static class WmbRmb {
        final PublishCanary.Publish run = PublishCanary.run("wmb-rmb");
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = PublishCanary.STALE_PAYLOAD, expect = ACCEPTABLE_INTERESTING,
            desc = "canary: no smp_wmb(); weakly ordered CPUs only")
    @State
    public static class NoWmb {
        final PublishCanary.Publish run = PublishCanary.run("no-wmb");
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = PublishCanary.STALE_PAYLOAD, expect = ACCEPTABLE_INTERESTING,
            desc = "canary: no smp_rmb(); weakly ordered CPUs only")
    @State
    public static class NoRmb {
        final PublishCanary.Publish run = PublishCanary.run("no-rmb");
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = PublishCanary.STALE_PAYLOAD, expect = FORBIDDEN,
            desc = "kvm_make_request()'s smp_wmb() + kvm_check_request()'s smp_mb__after_atomic() forbid it")
    @State
    public static class KvmRequest {
        final PublishCanary.Publish run = PublishCanary.run("kvm-request");
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
