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
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.List;

/**
 * Canary: the Dekker pair in vcpu_enter_guest() with its fence removed. The vCPU stores
 * IN_GUEST_MODE then loads vcpu->requests; the requester sets a request bit then cmpxchg's the
 * mode (both locked, so fully ordered on x86). Without the smp_mb after the mode store, the
 * store can sit in the store buffer while the load runs:
 * <pre>
 * 1. (vCPU)      vcpu->mode = IN_GUEST_MODE            (still in the store buffer)
 * 2. (vCPU)      kvm_request_pending() == false        -> enters the guest
 * 3. (Requester) set_bit(req); cmpxchg(mode) sees OUTSIDE_GUEST_MODE -> no kick
 * 4. the request is missed until the next exit          MISSED_REQUEST
 * </pre>
 * A seqcount reader without smp_rmb() cannot fail on x86 hardware (loads are not reordered
 * with loads), so this is the fence canary x86 machines can see. The explorer finds it under
 * {@code --memory-model tso} and {@code lkmm} (the vCPU's load reads the requests word before
 * the requester's set_bit is visible to it), never under {@code sc}.
 */
public final class EntryBarrierCanary implements Scenario {
    public static final String ID = "entry-barrier-canary";
    public static final String ENTERED = "ENTERED";
    public static final String CANCELLED = "CANCELLED";
    public static final String KICKED = "KICKED";
    public static final String MISSED_REQUEST = "MISSED_REQUEST";

    private static final List<Variant> VARIANTS = List.of(
            new Variant("full-barrier", "arch/x86/kvm/x86.c", Expectation.FIXED,
                    "smp_mb() between the mode store and the request check"),
            new Variant("no-barrier", "canary", Expectation.KNOWN_BUG,
                    "release store then load: the store buffer reorders them", MemoryModel.TSO));

    @Override public String id() { return ID; }

    /** Small enough to exhaust under LKMM, where a missing barrier shows. */
    @Override public dev.tlbrace.harness.graph.MemoryModel defaultMemoryModel() {
        return dev.tlbrace.harness.graph.MemoryModel.LKMM;
    }

    @Override public String title() { return "canary: vcpu_enter_guest() without its full barrier"; }

    @Override public String invariant() { return "no request is missed at guest entry"; }

    @Override public String badOutcome() { return MISSED_REQUEST; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(CANCELLED, false, "the vCPU saw the request and cancelled the entry"),
                new Outcome(KICKED, false, "the requester saw IN_GUEST_MODE and kicked"),
                new Outcome(MISSED_REQUEST, true, "neither side saw the other: the request waits in guest mode"));
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public List<String> roles() { return List.of("vCPU", "Requester"); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(variant(variant.id()).id().equals("full-barrier"), mem);
    }

    @Override
    public Script commitScript() {
        return Script.of().toEnd("vCPU").toEnd("Requester");
    }

    /** vcpu->mode and vcpu->requests. */
    public static final class Run implements ScenarioRun {
        private final boolean barrier;
        private final Memory mem;
        private final Sched sched;
        private final Cell mode;
        private final Cell requests;
        private boolean sawRequest; // vCPU-confined
        private boolean kicked;     // requester-confined

        Run(boolean barrier, Memory mem) {
            this.barrier = barrier;
            this.mem = mem;
            this.sched = mem.sched;
            this.mode = mem.cell("vcpu->mode", KvmVcpu.OUTSIDE_GUEST_MODE);
            this.requests = mem.cell("vcpu->requests", 0);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role("vCPU", this::vcpu), new Role("Requester", this::requester));
        }

        public void vcpu() {
            sched.point("vcpu_enter_guest: smp_store_release(mode, IN_GUEST_MODE)");
            mem.smp_store_release(mode, KvmVcpu.IN_GUEST_MODE);
            if (barrier) {
                mem.smp_mb();
            }
            sched.point("vcpu_enter_guest: kvm_request_pending()");
            sawRequest = mem.READ_ONCE(requests) != 0;
        }

        public void requester() {
            sched.point("kvm_make_request: set_bit");
            mem.set_bit(requests, 1L);
            sched.point("kvm_vcpu_exiting_guest_mode: cmpxchg");
            mem.smp_mb__before_atomic(); // a failed cmpxchg is unordered
            kicked = mem.cmpxchg(mode, KvmVcpu.IN_GUEST_MODE, KvmVcpu.EXITING_GUEST_MODE) == KvmVcpu.IN_GUEST_MODE;
        }

        @Override
        public Verdict judge() {
            if (sawRequest) {
                return new Verdict(CANCELLED, false, List.of(), "vCPU saw the request");
            }
            if (kicked) {
                return new Verdict(KICKED, false, List.of(), "requester saw IN_GUEST_MODE");
            }
            return new Verdict(MISSED_REQUEST, true,
                    List.of(new Violation("entry", "vCPU entered with a request pending and no kick")), "");
        }
    }
}
