package dev.tlbrace.stress.canary;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tlbrace.harness.scenario.canary.SeqcountCanary;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/** {@link SeqcountCanary}: the reader with and without read_seqcount_retry(). */
public final class SeqcountCanaryTests {
    private SeqcountCanaryTests() { }

    @Outcome(id = SeqcountCanary.CONSISTENT, expect = ACCEPTABLE, desc = "both words of one write")
    @Outcome(expect = FORBIDDEN, desc = "a verdict the judge does not list: harness bug")
    public static final class Outcomes { }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = SeqcountCanary.TORN, expect = FORBIDDEN, desc = "the retry check must catch a concurrent write")
    @State
    public static class SeqRetry {
        final SeqcountCanary.Run run = SeqcountCanary.run(true);
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }

    @JCStressTest
    @JCStressMeta(Outcomes.class)
    @Outcome(id = SeqcountCanary.TORN, expect = ACCEPTABLE_INTERESTING, desc = "canary: no retry check, torn read")
    @State
    public static class NoRetryCheck {
        final SeqcountCanary.Run run = SeqcountCanary.run(false);
        @Actor public void writer() { run.writer(); }
        @Actor public void reader() { run.reader(); }
        @Arbiter public void judge(L_Result r) { r.r1 = run.judge().outcome(); }
    }
}
