package dev.tlbrace.harness.scenario.canary;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Role;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.ScenarioRun;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.Verdict;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.sync.Ordering;
import dev.tlbrace.model.sync.Sched;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Canary: a seqcount (include/linux/seqlock.h) guarding a two-word value, the shape of every
 * retry protocol here. With {@code no-retry-check} the reader skips read_seqcount_retry() and
 * can return one old and one new word:
 * <pre>
 * 1. (Reader) read_seqcount_begin()                 seq 0 (even)
 * 2. (Writer) write_seqcount_begin(); a = 1         seq 1
 * 3. (Reader) reads a = 1, b = 0                    TORN
 * </pre>
 * It proves the suite sees a broken reader; it is not a kernel bug.
 */
public final class SeqcountCanary implements Scenario {
    public static final String ID = "seqcount-canary";
    public static final String CONSISTENT = "CONSISTENT";
    public static final String TORN = "TORN";

    private static final List<Variant> VARIANTS = List.of(
            new Variant("seq-retry", "include/linux/seqlock.h", Expectation.FIXED,
                    "reader retries when the sequence moved"),
            new Variant("no-retry-check", "canary", Expectation.KNOWN_BUG,
                    "reader skips read_seqcount_retry()"));

    @Override public String id() { return ID; }

    @Override public String title() { return "canary: seqcount reader without its retry check"; }

    @Override public String invariant() { return "a reader never returns half of a write"; }

    @Override public String badOutcome() { return TORN; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(CONSISTENT, false, "the reader saw both words of one write"),
                new Outcome(TORN, true, "the reader saw one old and one new word"));
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public List<String> roles() { return List.of("Writer", "Reader"); }

    @Override
    public ScenarioRun newRun(Variant variant, Sched sched) {
        return new Run(variant(variant.id()).id().equals("seq-retry"), sched);
    }

    public static Run run(boolean retryCheck) {
        return new Run(retryCheck, Sched.NOOP);
    }

    @Override
    public Script commitScript() {
        return Script.of().until("Reader", "reader: a").until("Writer", "write_seqcount_end").toEnd("Reader");
    }

    /** The seqcount and its two words. */
    public static final class Run implements ScenarioRun {
        private static final VarHandle SEQ;
        private static final VarHandle A;
        private static final VarHandle B;
        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SEQ = l.findVarHandle(Run.class, "seq", int.class);
                A = l.findVarHandle(Run.class, "a", long.class);
                B = l.findVarHandle(Run.class, "b", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private static final int WRITE_SPINS = 64;
        private final boolean retryCheck;
        private final Sched sched;
        private int seq;
        private long a;
        private long b;
        private long readA; // reader-confined; the judge reads after the join
        private long readB;

        Run(boolean retryCheck, Sched sched) {
            this.retryCheck = retryCheck;
            this.sched = sched;
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("Writer", this::writer), new Role("Reader", this::reader));
        }

        public void writer() {
            sched.point("write_seqcount_begin");
            SEQ.setOpaque(this, (int) SEQ.getOpaque(this) + 1);
            Ordering.smpWmb();
            sched.point("writer: a = 1");
            A.setOpaque(this, 1L);
            for (int i = 0; i < WRITE_SPINS; i++) {
                Thread.onSpinWait(); // a write section takes time; without it TORN is 1 in ~23k
            }
            sched.point("writer: b = 1");
            B.setOpaque(this, 1L);
            Ordering.smpWmb();
            sched.point("write_seqcount_end");
            SEQ.setOpaque(this, (int) SEQ.getOpaque(this) + 1);
        }

        public void reader() {
            for (;;) {
                sched.point("read_seqcount_begin");
                int s = (int) SEQ.getOpaque(this);
                if ((s & 1) != 0) {
                    sched.spin("read_seqcount_begin: writer active");
                    continue;
                }
                Ordering.smpRmb();
                sched.point("reader: a");
                long x = (long) A.getOpaque(this);
                sched.point("reader: b");
                long y = (long) B.getOpaque(this);
                Ordering.smpRmb();
                sched.point("read_seqcount_retry");
                if (retryCheck && (int) SEQ.getOpaque(this) != s) {
                    sched.spin("read_seqcount_retry: moved");
                    continue;
                }
                readA = x;
                readB = y;
                return;
            }
        }

        @Override
        public Verdict judge() {
            String detail = "a " + readA + ", b " + readB;
            return readA == readB
                    ? new Verdict(CONSISTENT, false, List.of(), detail)
                    : new Verdict(TORN, true, List.of(new Violation("seqcount", detail)), detail);
        }
    }
}
