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
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmRequest;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.List;

/**
 * Canary: message passing, the publish half of every seqcount and of kvm_make_request(): the
 * writer stores the payload, smp_wmb(), then the flag; the reader loads the flag, smp_rmb(),
 * then the payload. Drop either barrier and a weakly ordered CPU may let the reader see the
 * flag and an old payload:
 * <pre>
 * 1. (Writer) WRITE_ONCE(data, 1)          (not yet visible to the reader's CPU)
 * 2. (Writer) WRITE_ONCE(flag, 1)
 * 3. (Reader) READ_ONCE(flag) == 1
 * 4. (Reader) READ_ONCE(data) == 0         STALE_PAYLOAD
 * </pre>
 * x86 never reorders store-store or load-load, so jcstress there cannot see it (the gate
 * reports the bug as not reachable on a TSO host instead of demanding it); the explorer finds
 * both under {@code --memory-model lkmm} and neither under {@code sc} or {@code tso}. LKMM's
 * verdict for MP: Sometimes without barriers, Never with smp_wmb + smp_rmb.
 */
public final class PublishCanary implements Scenario {
    public static final String ID = "publish-canary";
    public static final String NOT_PUBLISHED = "NOT_PUBLISHED";
    public static final String PUBLISHED = "PUBLISHED";
    public static final String STALE_PAYLOAD = "STALE_PAYLOAD";

    private static final List<Variant> VARIANTS = List.of(
            new Variant("wmb-rmb", "include/linux/seqlock.h", Expectation.FIXED,
                    "smp_wmb() between the stores, smp_rmb() between the loads"),
            new Variant("no-wmb", "canary", Expectation.KNOWN_BUG,
                    "the writer's smp_wmb() dropped: the two stores may propagate out of order", MemoryModel.LKMM),
            new Variant("no-rmb", "canary", Expectation.KNOWN_BUG,
                    "the reader's smp_rmb() dropped: the two loads may be satisfied out of order", MemoryModel.LKMM),
            new Variant("kvm-request", "Documentation/virt/kvm/vcpu-requests.rst", Expectation.FIXED,
                    "the same publish through the model's kvm_make_request() / kvm_check_request()"));

    @Override public String id() { return ID; }

    /** Small enough to exhaust under LKMM, where a missing barrier shows. */
    @Override public dev.tlbrace.harness.graph.MemoryModel defaultMemoryModel() {
        return dev.tlbrace.harness.graph.MemoryModel.LKMM;
    }

    @Override public String title() { return "canary: message passing without smp_wmb() or smp_rmb()"; }

    @Override public String invariant() { return "a reader that sees the flag sees the payload"; }

    @Override public String badOutcome() { return STALE_PAYLOAD; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(NOT_PUBLISHED, false, "the reader did not see the flag yet"),
                new Outcome(PUBLISHED, false, "the reader saw the flag and the payload"),
                new Outcome(STALE_PAYLOAD, true, "the reader saw the flag but the old payload"));
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public List<String> roles() { return List.of("Writer", "Reader"); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        String id = variant(variant.id()).id();
        if (id.equals("kvm-request")) {
            return new RequestRun(mem);
        }
        return new Run(!id.equals("no-wmb"), !id.equals("no-rmb"), mem);
    }

    /** Both forms: a writer, a reader, the judge. */
    public interface Publish extends ScenarioRun {
        void writer();

        void reader();
    }

    static Verdict verdict(long sawFlag, long sawData) {
        String detail = "flag " + sawFlag + ", data " + sawData;
        if (sawFlag == 0) {
            return new Verdict(NOT_PUBLISHED, false, List.of(), detail);
        }
        return sawData == 1
                ? new Verdict(PUBLISHED, false, List.of(), detail)
                : new Verdict(STALE_PAYLOAD, true, List.of(new Violation("publish", "flag seen, payload not: " + detail)), detail);
    }

    /**
     * A request with a payload, through the model's own kvm_make_request() (smp_wmb(), set_bit)
     * and kvm_check_request() (test, clear_bit, smp_mb__after_atomic()): the reader that gives
     * kvm_make_request()'s barrier something to order, as vcpu-requests.rst describes.
     */
    public static final class RequestRun implements Publish {
        private final Memory mem;
        private final Sched sched;
        private final Cell payload;
        private final KvmVcpu vcpu;
        private long sawFlag; // reader-confined
        private long sawData;

        RequestRun(Memory mem) {
            this.mem = mem;
            this.sched = mem.sched;
            MmStruct mm = new MmStruct(mem, MmConfig.PRE_6_6, 2, new Frames(4, mem));
            this.vcpu = new Kvm(mm, 1, 1, 1, false).vcpu(0);
            this.payload = mem.cell("vcpu0 request payload", 0);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("Writer", this::writer), new Role("Reader", this::reader));
        }

        @Override
        public void writer() {
            sched.point("requester: payload");
            mem.WRITE_ONCE(payload, 1);
            vcpu.kvmMakeRequest(KvmRequest.APIC_PAGE_RELOAD);
        }

        @Override
        public void reader() {
            sched.point("vcpu_enter_guest: kvm_check_request");
            if (vcpu.kvmCheckRequest(KvmRequest.APIC_PAGE_RELOAD)) {
                sawFlag = 1;
                sched.point("vcpu: request payload");
                sawData = mem.READ_ONCE(payload);
            }
        }

        @Override
        public Verdict judge() {
            return verdict(sawFlag, sawData);
        }
    }

    @Override
    public Script commitScript() {
        return Script.of().toEnd("Writer").toEnd("Reader");
    }

    /** The payload and its flag. */
    public static final class Run implements Publish {
        private final boolean wmb;
        private final boolean rmb;
        private final Memory mem;
        private final Sched sched;
        private final Cell data;
        private final Cell flag;
        private long sawFlag; // reader-confined; the judge reads after the join
        private long sawData;

        Run(boolean wmb, boolean rmb, Memory mem) {
            this.wmb = wmb;
            this.rmb = rmb;
            this.mem = mem;
            this.sched = mem.sched;
            this.data = mem.cell("data", 0);
            this.flag = mem.cell("flag", 0);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("Writer", this::writer), new Role("Reader", this::reader));
        }

        @Override
        public void writer() {
            sched.point("publish: payload");
            mem.WRITE_ONCE(data, 1);
            if (wmb) {
                mem.smp_wmb(); // pairs with the reader's smp_rmb()
            }
            sched.point("publish: flag");
            mem.WRITE_ONCE(flag, 1);
        }

        @Override
        public void reader() {
            sched.point("consume: flag");
            sawFlag = mem.READ_ONCE(flag);
            if (rmb) {
                mem.smp_rmb(); // pairs with the writer's smp_wmb()
            }
            sched.point("consume: payload");
            sawData = mem.READ_ONCE(data);
        }

        @Override
        public Verdict judge() {
            return verdict(sawFlag, sawData);
        }
    }
}
