package dev.tlbrace.harness.scenario.kvm;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.ProtocolChoice;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmFault;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.InvalidationPath;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * KVM's stage-2 fault against an unmap (R1, e930bffe95e1 "KVM: Synchronize guest physical
 * memory map to host virtual memory map"). KVM keeps no reference on the pages it maps, so a
 * fault that installs an SPTE after invalidate_range_start zapped the range keeps a frame the
 * mm is about to free. With {@code no-retry}:
 * <pre>
 * 1. (vCPU)        kvm_tdp_page_fault: GUP finds the PTE, takes a reference on P
 * 2. (Invalidator) kvm_mmu_notifier_invalidate_range_start(): zaps the SPTEs (none yet)
 * 3. (vCPU)        kvm_tdp_mmu_map: installs gfn -> P; kvm_release_pfn_clean(P)
 * 4. (Invalidator) zap_pte_range clears the PTE; put_page(P): freed, reused
 * 5. (vCPU)        guest access through the SPTE: another owner's frame       STALE_SPTE
 * </pre>
 * Invariants N2 (no SPTE installed in the range between start and end survives) and N3 (no
 * SPTE maps a freed frame), checked at every guest access with {@link Oracles#stage2Use}
 * (read, check, confirm still installed) and at quiescence.
 *
 * <p>{@code seq-only} checks the sequence count but not mmu_invalidate_in_progress: a fault
 * whose snapshot is taken after step 2 still finds the old PTE and an unmoved seq. The fix,
 * {@code seq-retry}, is today's is_page_fault_stale(). {@code lockless-retry} is PowerPC
 * Book3S HV's form: mmu_invalidate_retry() under the page's rmap lock instead of mmu_lock,
 * where only smp_wmb() in kvm_mmu_invalidate_end() and the smp_rmb() it pairs with keep
 * "in_progress 0" from being seen before "seq moved".
 */
public final class KvmFaultVsInvalidate implements Scenario {
    public static final String ID = "kvm-fault-vs-invalidate";
    public static final String INVALIDATOR = "Invalidator";
    public static final String VCPU = "vCPU";

    public static final String FRESH = "FRESH";
    public static final String RETRIED = "RETRIED";
    public static final String STALE_SPTE = "STALE_SPTE";

    static final int MEM_HVA = 1;
    static final int MEM_PAGES = 1;
    static final long GFN = 0;

    private static final List<Variant> VARIANTS = List.of(
            Variant.of(KvmFault.Protocol.NO_RETRY, Expectation.KNOWN_BUG,
                    "the fault installs whatever GUP returned"),
            Variant.of(KvmFault.Protocol.SEQ_ONLY, Expectation.KNOWN_BUG,
                    "the fault checks mmu_invalidate_seq but not mmu_invalidate_in_progress"),
            Variant.of(KvmFault.Protocol.SEQ_RETRY, Expectation.FIXED,
                    "under mmu_lock: retry if an overlapping invalidation runs or any ended since the snapshot"),
            Variant.of(KvmFault.Protocol.LOCKLESS_RETRY, Expectation.FIXED,
                    "mmu_invalidate_retry() under a per-page rmap lock: smp_rmb() pairs with kvm_mmu_invalidate_end()'s smp_wmb()"));

    @Override public String id() { return ID; }

    @Override public String title() { return "KVM stage-2 fault vs. unmap: the mmu_invalidate_seq retry protocol (R1)"; }

    @Override public String invariant() {
        return "N2/N3: no SPTE installed between start and end survives; no SPTE maps a freed frame";
    }

    @Override public String badOutcome() { return STALE_SPTE; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(FRESH, false, "the guest access went through an SPTE that maps the PTE's frame"),
                new Outcome(RETRIED, false, "the fault saw the invalidation, retried, and mapped the new frame"),
                new Outcome(STALE_SPTE, true, "an SPTE maps a frame the mm freed (use after free, N3), or more than the PTE allows (N2)"));
    }

    /** Before e930bffe95e1 the fault has no retry. */
    @Override public List<Outcome> outcomes(Variant v) {
        return v.id().equals("no-retry") ? Outcome.except(outcomes(), RETRIED) : outcomes();
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public String baseForm() { return InvalidationPath.ZAP.id(); }

    @Override public List<String> roles() { return List.of(INVALIDATOR, VCPU); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(ProtocolChoice.byId(KvmFault.Protocol.class, variant.id()), mem, InvalidationPath.ZAP, 0);
    }

    /** For free-running threads the fault's return path takes the documented spin. */
    @Override
    public ScenarioRun stressRun(Variant variant, Memory mem) {
        return stressRun(variant, mem, InvalidationPath.ZAP);
    }

    private static ScenarioRun stressRun(Variant variant, Memory mem, InvalidationPath path) {
        return new Run(ProtocolChoice.byId(KvmFault.Protocol.class, variant.id()), mem, path,
                ApicAccessReload.STRESS_PAGE_WALK_SPINS);
    }

    /**
     * The fault against the other paths. On {@code cow} the guest reads (a write fault would
     * break the COW itself in GUP and map its own copy); on {@code change-protection} the bug is
     * a writable SPTE left over the write-protected PTE (N2), the frame staying live.
     */
    @Override
    public List<Form> extraForms() {
        List<String> all = VARIANTS.stream().map(Variant::id).toList();
        return List.of(InvalidationPath.MIGRATE, InvalidationPath.COW, InvalidationPath.CHANGE_PROTECTION).stream()
                .map(p -> Form.onPath(p, all, KvmFaultVsInvalidate::stressRun, null)).toList();
    }

    /** e930bffe95e1's interleaving: GUP before start, the install after it, the free after that. */
    @Override
    public Script commitScript() {
        return Script.of()
                .until(VCPU, "kvm_tdp_page_fault: is_page_fault_stale")
                .until(INVALIDATOR, "zap_pte_range: ptep_get_and_clear")
                .until(VCPU, "guest: memory access")
                .toEnd(INVALIDATOR)
                .toEnd(VCPU);
    }

    /** One world: one guest page backed by an anonymous page, a VM with one vCPU. */
    public static final class Run implements ScenarioRun {
        public final MmStruct mm;
        public final Kvm kvm;
        private final Sched sched;
        private final KvmFault.Protocol protocol;
        private final InvalidationPath path;
        private final int oldPfn;
        private Violation inGuest; // vCPU-confined; the judge reads after the join
        private int retries;       // vCPU-confined

        Run(KvmFault.Protocol protocol, Memory mem, InvalidationPath path, int spins) {
            this.sched = mem.sched;
            this.protocol = protocol;
            this.path = path;
            Frames frames = new Frames(8, mem);
            this.mm = new MmStruct(mem, MmConfig.PRE_6_6, MEM_HVA + MEM_PAGES, frames, spins);
            this.oldPfn = path.populate(mm, MEM_HVA);
            this.kvm = new Kvm(mm, 1, MEM_HVA, MEM_PAGES, protocol == KvmFault.Protocol.LOCKLESS_RETRY);
            mm.notifiers.register(new KvmMmuNotifier(kvm));
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role(INVALIDATOR, this::invalidator), new Role(VCPU, this::vcpu));
        }

        /** The path's change to the guest page's hva (MADV_DONTNEED by default), then the frame's reuse. */
        public void invalidator() {
            path.run(mm, MEM_HVA, oldPfn);
        }

        /** The guest touches its page: EPT violation, the fault path, then the access. */
        public void vcpu() {
            sched.point("vcpu_run: EPT violation");
            int r = KvmFault.kvmTdpPageFault(kvm, GFN, path != InvalidationPath.COW, protocol);
            retries = Math.max(r, 0);
            sched.point("guest: memory access through the SPTE");
            inGuest = Oracles.stage2Use(kvm, (int) GFN).orElse(null);
            if (inGuest != null) {
                sched.broken(inGuest.toString());
            }
        }

        @Override
        public Verdict judge() {
            Set<Violation> violations = new LinkedHashSet<>();
            if (inGuest != null) {
                violations.add(inGuest);
            }
            long spte = kvm.stage2.peek((int) GFN);
            Oracles.frameLiveAtQuiescence("spte gfn 0 maps", spte, mm.frames).ifPresent(violations::add);
            Oracles.stage2Subset(kvm).ifPresent(violations::add);
            Oracles.countersQuiescent(mm, kvm).ifPresent(violations::add);
            Oracles.framesAccountedFor(mm).ifPresent(violations::add);
            String detail = "old pfn 0x" + Integer.toHexString(oldPfn) + ", spte " + FrameRef.describe(spte)
                    + ", pte " + Pte.describe(mm.pgtable.peek(MEM_HVA)) + ", fault retries " + retries;
            if (!violations.isEmpty()) {
                return new Verdict(Oracles.outcomeOf(violations, STALE_SPTE), true, List.copyOf(violations), detail);
            }
            return new Verdict(retries > 0 ? RETRIED : FRESH, false, List.of(), detail);
        }
    }
}
