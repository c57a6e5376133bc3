package dev.tlbrace.harness.scenario.kvm;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.InvalidationPath;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * APIC-access page reload vs. unmap (Race A, docs/kernel.md). With
 * {@link ApicReload#RANGE_START_REQUEST} (b1394e745b94) the vCPU services the reload request
 * while the PTE still maps the old page, and nothing asks it again:
 * <pre>
 * 1. (Invalidator) kvm_mmu_notifier_invalidate_range_start()
 * 2. (Invalidator) kvm_make_all_cpus_request(KVM_REQ_APIC_PAGE_RELOAD)
 * 3. (vCPU)        vcpu_enter_guest() -> kvm_vcpu_reload_apic_access_page()   reads pfn P
 * 4. (vCPU)        vmcs_write64(APIC_ACCESS_ADDR, P); enters guest mode, nothing pending
 * 5. (Invalidator) zap_pte_range: ptep_get_and_clear                          P -> none
 * 6. (Invalidator) tlb_finish_mmu: put_page(P): freed, then reused by another owner
 * 7. (vCPU)        guest APIC access through the VMCS: another owner's frame   STALE_APIC_ACCESS_ADDR
 * </pre>
 * Invariant A1: no vCPU runs in guest mode with a freed or reused frame's address; A2: at
 * quiescence the VMCS address is the page the PTE maps. e649b3f0188f moves the request to
 * invalidate_range (after step 5, before step 6), so a reload that read P is kicked out
 * before P is freed; 878940b33d76 makes the reload retry while the invalidation is in progress.
 */
public final class ApicAccessReload implements Scenario {
    public static final String ID = "apic-access-reload";
    public static final String INVALIDATOR = "Invalidator";
    public static final String VCPU = "vCPU";

    public static final String FRESH = "FRESH";
    public static final String STALE = "STALE_APIC_ACCESS_ADDR";
    public static final String RELOAD_RETRIED = "RELOAD_RETRIED";
    public static final String NOT_ENTERED = "NOT_ENTERED";

    /** Host page backing the APIC-access page; guest memory follows it. */
    static final int APIC_HVA = 0;
    static final int MEM_HVA = 1;
    static final int MEM_PAGES = 2;

    private static final List<Variant> VARIANTS = List.of(
            Variant.of(ApicReload.RANGE_START_REQUEST, Expectation.KNOWN_BUG,
                    "reload requested from invalidate_range_start, before the PTE is cleared"),
            Variant.of(ApicReload.INVALIDATE_RANGE_REQUEST, Expectation.FIXED,
                    "reload requested from invalidate_range, after the PTE clear, before the free"),
            Variant.of(ApicReload.RETRY_IN_PROGRESS, Expectation.FIXED,
                    "reload follows the mmu_invalidate_seq retry protocol, re-requests while in progress"));

    private static final List<Outcome> OUTCOMES = List.of(
            new Outcome(FRESH, false, "the vCPU runs with the page the PTE maps"),
            new Outcome(NOT_ENTERED, false, "the vCPU was kicked out and reloads before its next entry"),
            new Outcome(RELOAD_RETRIED, false, "the reload saw the invalidation in progress and retried"),
            new Outcome(STALE, true, "the vCPU runs in guest mode with a freed or reused APIC-access frame (A1/A2)"));

    @Override public String id() { return ID; }

    @Override public String title() { return "KVM APIC-access page reload vs. unmap"; }

    @Override public String invariant() {
        return "A1: no vCPU in guest mode with a freed/reused APIC-access frame; A2: at quiescence VMCS == PTE pfn";
    }

    @Override public String badOutcome() { return STALE; }

    @Override public List<Outcome> outcomes() { return OUTCOMES; }

    /** Only 878940b33d76's reload retries. */
    @Override public List<Outcome> outcomes(Variant v) {
        return v.id().equals(ApicReload.RETRY_IN_PROGRESS.id()) ? OUTCOMES : Outcome.except(OUTCOMES, RELOAD_RETRIED);
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public String baseForm() { return InvalidationPath.ZAP.id(); }

    @Override public List<String> roles() { return List.of(INVALIDATOR, VCPU); }

    /**
     * Page-walk cost for free-running threads (jcstress, soak): between the reload request in
     * range_start and the PTE zap the kernel descends four page-table levels; without some of
     * that time the vCPU almost never fits its reload into the window (1 in ~400k samples).
     */
    public static final int STRESS_PAGE_WALK_SPINS = 64;

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(ApicReload.byId(variant.id()), mem, 1, 0, InvalidationPath.ZAP);
    }

    @Override
    public ScenarioRun stressRun(Variant variant, Memory mem) {
        return run(ApicReload.byId(variant.id()), mem, 1);
    }

    /**
     * The other invalidation paths of the APIC-access page, and three actors
     * (kvm_make_all_cpus_request() must reach both vCPUs).
     */
    @Override
    public List<Form> extraForms() {
        List<String> all = VARIANTS.stream().map(Variant::id).toList();
        return List.of(
                pathForm(InvalidationPath.MIGRATE, all, null),
                pathForm(InvalidationPath.COW, all, "the reload's gfn_to_page() is a write GUP: on a COW-shared page it "
                        + "breaks the COW itself and maps the copy it made, so the VMCS never names the shared frame"),
                pathForm(InvalidationPath.CHANGE_PROTECTION, all, "change_protection() keeps the frame: the address "
                        + "the VMCS holds stays a live frame, and the reload's write GUP upgrades the PTE back in place"),
                new Form("two-vcpu", "two vCPUs", List.of(ApicReload.RANGE_START_REQUEST.id(),
                        ApicReload.RETRY_IN_PROGRESS.id()),
                        (v, mem) -> new Run(ApicReload.byId(v.id()), mem, 2, STRESS_PAGE_WALK_SPINS, InvalidationPath.ZAP)));
    }

    private static Form pathForm(InvalidationPath path, List<String> variants, String bugUnreachable) {
        return Form.onPath(path, variants,
                (v, mem, p) -> new Run(ApicReload.byId(v.id()), mem, 1, STRESS_PAGE_WALK_SPINS, p), bugUnreachable);
    }

    /** A world for free-running threads: {@code vcpus} vCPUs, the page walk costs time. */
    public static Run run(ApicReload reload, Memory mem, int vcpus) {
        return new Run(reload, mem, vcpus, STRESS_PAGE_WALK_SPINS, InvalidationPath.ZAP);
    }

    /** e649b3f0188f's interleaving: the reload runs between range_start and the PTE zap. */
    @Override
    public Script commitScript() {
        return Script.of()
                .until(INVALIDATOR, "unmap_page_range: zap_pte_range")
                .until(VCPU, "guest: APIC access")
                .toEnd(INVALIDATOR)
                .toEnd(VCPU);
    }

    /** One world: an mm with the APIC-access page mapped, a VM, its vCPUs in the VMCS state. */
    public static final class Run implements ScenarioRun {
        public final MmStruct mm;
        public final Kvm kvm;
        private final Sched sched;
        private final InvalidationPath path;
        private final int oldPfn;
        // Each slot is written only by its vCPU's role thread; the judge reads after the join.
        private final Violation[] inGuestViolation;

        Run(ApicReload reload, Memory mem, int vcpus, int pageWalkSpins, InvalidationPath path) {
            this.sched = mem.sched;
            this.path = path;
            Frames frames = new Frames(16, mem);
            this.mm = new MmStruct(mem, MmConfig.PRE_6_6, MEM_HVA + MEM_PAGES, frames, pageWalkSpins);
            this.oldPfn = path.populate(mm, APIC_HVA);
            this.kvm = new Kvm(mm, reload, vcpus, APIC_HVA, MEM_HVA, MEM_PAGES);
            mm.notifiers.register(new KvmMmuNotifier(kvm));
            for (int i = 0; i < vcpus; i++) {
                kvm.vcpu(i).initApicAccessAddr(frames.ref(oldPfn));
            }
            this.inGuestViolation = new Violation[vcpus];
        }

        @Override
        public List<Role> roles() {
            List<Role> roles = new ArrayList<>();
            roles.add(new Role(INVALIDATOR, this::invalidator));
            for (int i = 0; i < kvm.vcpuCount(); i++) {
                final int v = i;
                roles.add(new Role(kvm.vcpuCount() == 1 ? VCPU : VCPU + v, () -> vcpu(v)));
            }
            return roles;
        }

        /** The path's change to the APIC-access page's hva (MADV_DONTNEED by default), then the frame's reuse. */
        public void invalidator() {
            path.run(mm, APIC_HVA, oldPfn);
        }

        /** vcpu_run(): enter the guest until one guest APIC access ran in guest mode. */
        public void vcpu(int v) {
            KvmVcpu vcpu = kvm.vcpu(v);
            for (;;) {
                if (vcpu.vcpuEnterGuest() == KvmVcpu.EnterResult.CANCELLED) {
                    sched.spin("vcpu_run: entry cancelled, re-enter");
                    continue;
                }
                sched.point("guest: APIC access through VMCS APIC_ACCESS_ADDR");
                Optional<Violation> a1 = Oracles.apicAccessInGuest(vcpu, mm.frames);
                if (a1.isPresent() && inGuestViolation[v] == null) {
                    inGuestViolation[v] = a1.get();
                    sched.broken(a1.get().toString());
                }
                if (vcpu.mode() == KvmVcpu.IN_GUEST_MODE) {
                    return; // the guest keeps running on this address
                }
                vcpu.vmExit(); // kicked: VM-exit, service the request, re-enter
            }
        }

        @Override
        public Verdict judge() {
            Set<Violation> violations = new LinkedHashSet<>();
            boolean allInGuest = true;
            int retries = 0;
            for (int v = 0; v < kvm.vcpuCount(); v++) {
                KvmVcpu vcpu = kvm.vcpu(v);
                if (inGuestViolation[v] != null) {
                    violations.add(inGuestViolation[v]);
                }
                Oracles.apicAccessInGuest(vcpu, mm.frames).ifPresent(violations::add);
                if (vcpu.mode() != KvmVcpu.IN_GUEST_MODE) {
                    allInGuest = false;
                    vcpu(v); // quiesce: a kicked vCPU re-enters, reloading first
                }
                Oracles.apicAccessQuiescent(kvm, vcpu).ifPresent(violations::add);
                retries += vcpu.reloadRetries();
            }
            Oracles.countersQuiescent(mm, kvm).ifPresent(violations::add);
            Oracles.framesAccountedFor(mm).ifPresent(violations::add);
            String detail = "old pfn 0x" + Integer.toHexString(oldPfn) + ", " + kvm.vcpu(0)
                    + ", pte " + Pte.describe(mm.pgtable.ptepGet(APIC_HVA)) + ", reload retries " + retries;
            if (!violations.isEmpty()) {
                boolean apic = violations.stream().anyMatch(x -> x.invariant().startsWith("A"));
                return new Verdict(Oracles.outcomeOf(violations, apic ? STALE : "COUNTERS_UNBALANCED"), true,
                        List.copyOf(violations), detail);
            }
            if (retries > 0) {
                return new Verdict(RELOAD_RETRIED, false, List.of(), detail);
            }
            return new Verdict(allInGuest ? FRESH : NOT_ENTERED, false, List.of(), detail);
        }
    }
}
