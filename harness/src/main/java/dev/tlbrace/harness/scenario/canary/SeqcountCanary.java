package dev.tlbrace.harness.scenario.canary;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
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

    /** Small enough to exhaust under LKMM, where a missing barrier shows. */
    @Override public MemoryModel defaultMemoryModel() {
        return MemoryModel.LKMM;
    }

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
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(variant(variant.id()).id().equals("seq-retry"), mem);
    }

    @Override
    public Script commitScript() {
        return Script.of().until("Reader", "reader: a").until("Writer", "write_seqcount_end").toEnd("Reader");
    }

    /** The seqcount and its two words. */
    public static final class Run implements ScenarioRun {
        private static final int WRITE_SPINS = 256;
        private static final int READ_SPINS = 64;
        private final boolean retryCheck;
        private final Memory mem;
        private final Sched sched;
        private final Cell seq;
        private final Cell a;
        private final Cell b;
        private long readA; // reader-confined; the judge reads after the join
        private long readB;

        Run(boolean retryCheck, Memory mem) {
            this.retryCheck = retryCheck;
            this.mem = mem;
            this.sched = mem.sched;
            this.seq = mem.cell("seqcount->sequence", 0);
            this.a = mem.cell("a", 0);
            this.b = mem.cell("b", 0);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("Writer", this::writer), new Role("Reader", this::reader));
        }

        public void writer() {
            sched.point("write_seqcount_begin");
            mem.WRITE_ONCE(seq, mem.READ_ONCE(seq) + 1);
            mem.smp_wmb();
            sched.point("writer: a = 1");
            mem.WRITE_ONCE(a, 1);
            for (int i = 0; i < WRITE_SPINS; i++) {
                Thread.onSpinWait(); // a write section takes time; at 64 turns and no reader spin TORN was 0-20 per ci run under load
            }
            sched.point("writer: b = 1");
            mem.WRITE_ONCE(b, 1);
            mem.smp_wmb();
            sched.point("write_seqcount_end");
            mem.WRITE_ONCE(seq, mem.READ_ONCE(seq) + 1);
        }

        public void reader() {
            for (;;) {
                sched.point("read_seqcount_begin");
                long s = mem.READ_ONCE(seq);
                if ((s & 1) != 0) {
                    sched.spin("read_seqcount_begin: writer active");
                    continue;
                }
                mem.smp_rmb();
                for (int i = 0; i < READ_SPINS; i++) {
                    Thread.onSpinWait(); // the reader's work before its first load: TORN needs the writer to start inside it
                }
                sched.point("reader: a");
                long x = mem.READ_ONCE(a);
                sched.point("reader: b");
                long y = mem.READ_ONCE(b);
                mem.smp_rmb();
                sched.point("read_seqcount_retry");
                if (retryCheck && mem.READ_ONCE(seq) != s) {
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
