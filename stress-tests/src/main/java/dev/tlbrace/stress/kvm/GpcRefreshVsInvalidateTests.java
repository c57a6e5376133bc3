package dev.tlbrace.stress.kvm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.kvm.GpcRefreshVsInvalidate;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/** {@link GpcRefreshVsInvalidate}: the gfn-to-pfn cache refresh against MADV_DONTNEED (R4, 58cd407ca4c6). */
public final class GpcRefreshVsInvalidateTests {
    private GpcRefreshVsInvalidateTests() { }

    @Outcome(id = GpcRefreshVsInvalidate.FRESH, expect = ACCEPTABLE, desc = "the cache names the mapped page or is invalid")
    @Outcome(id = GpcRefreshVsInvalidate.RETRIED, expect = ACCEPTABLE, desc = "the refresh retried after the invalidation")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = GpcRefreshVsInvalidate.STALE_GPC, expect = ACCEPTABLE_INTERESTING,
            desc = "known bug (before 58cd407ca4c6): the cache validates a freed page; the gate demands it is seen")
    @State
    public static class RefreshNoRetry {
        final GpcRefreshVsInvalidate.Run run = GpcRefreshVsInvalidate.run("refresh-no-retry");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = GpcRefreshVsInvalidate.STALE_GPC, expect = FORBIDDEN, desc = "hva_to_pfn_retry() forbids it")
    @State
    public static class RefreshRetry {
        final GpcRefreshVsInvalidate.Run run = GpcRefreshVsInvalidate.run("refresh-retry");
        @Actor public void invalidator() { run.invalidator(); }
        @Actor public void vcpu() { run.vcpu(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
