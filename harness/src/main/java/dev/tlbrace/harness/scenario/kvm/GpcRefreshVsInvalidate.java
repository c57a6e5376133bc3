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
import dev.tlbrace.model.kvm.GfnToPfnCache;
import dev.tlbrace.model.kvm.Kvm;
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
 * The gfn-to-pfn cache refresh against an unmap (R4, 58cd407ca4c6 "KVM: Fix multiple races in
 * gfn=>pfn cache refresh"). The refresh drops gpc->lock to fault the page in; with
 * {@code refresh-no-retry} it marks what it got valid whatever happened meanwhile:
 * <pre>
 * 1. (vCPU)        kvm_gpc_refresh: gpc->lock; not valid; snapshot seq; unlock gpc->lock
 * 2. (vCPU)        hva_to_pfn: GUP takes a reference on P
 * 3. (Invalidator) range_start: gfn_to_pfn_cache_invalidate_start (nothing valid to clear),
 *                  zap_pte_range clears the PTE, put_page, range_end
 * 4. (vCPU)        gpc->lock; gpc->pfn = P, valid; put_page(P): freed
 * 5. (vCPU)        kvm_gpc_check + use: the cache names a freed frame          STALE_GPC
 * </pre>
 * Invariant N3 for the cache: no valid cache entry names a freed frame (at each use, read under
 * gpc->lock, and at quiescence); N2: at quiescence a valid cache names the PTE's page, writable. {@code refresh-retry} is hva_to_pfn_retry(): it retries while
 * mmu_notifier_retry_cache() (mn_active_invalidate_count, or mmu_invalidate_seq moved).
 */
public final class GpcRefreshVsInvalidate implements Scenario {
    public static final String ID = "gpc-refresh-vs-invalidate";
    public static final String INVALIDATOR = "Invalidator";
    public static final String VCPU = "vCPU";

    public static final String FRESH = "FRESH";
    public static final String RETRIED = "RETRIED";
    public static final String STALE_GPC = "STALE_GPC";

    static final int MEM_HVA = 1;

    private static final List<Variant> VARIANTS = List.of(
            Variant.of(GfnToPfnCache.Refresh.NO_RETRY, Expectation.KNOWN_BUG,
                    "the refresh marks the pfn it faulted in valid, whatever ran while gpc->lock was dropped"),
            Variant.of(GfnToPfnCache.Refresh.RETRY, Expectation.FIXED,
                    "hva_to_pfn_retry(): retry while mmu_notifier_retry_cache() (count, or seq moved)"));

    @Override public String id() { return ID; }

    @Override public String title() { return "gfn-to-pfn cache refresh vs. unmap (R4)"; }

    @Override public String invariant() {
        return "N3 for the cache: no valid gfn-to-pfn cache names a freed frame; N2: at quiescence it names the PTE's page, writable";
    }

    @Override public String badOutcome() { return STALE_GPC; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(FRESH, false, "the cache names the page the PTE maps, or is invalid"),
                new Outcome(RETRIED, false, "the refresh saw the invalidation and retried"),
                new Outcome(STALE_GPC, true, "a valid cache names a freed frame (use after free, N3), or a page the PTE no longer maps writable (N2)"));
    }

    /** Before 58cd407ca4c6 the refresh has no retry. */
    @Override public List<Outcome> outcomes(Variant v) {
        return v.id().equals("refresh-no-retry") ? Outcome.except(outcomes(), RETRIED) : outcomes();
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public String baseForm() { return InvalidationPath.ZAP.id(); }

    @Override public List<String> roles() { return List.of(INVALIDATOR, VCPU); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(ProtocolChoice.byId(GfnToPfnCache.Refresh.class, variant.id()), mem, InvalidationPath.ZAP, 0);
    }

    /** For free-running threads the fault's return path takes the documented spin. */
    @Override
    public ScenarioRun stressRun(Variant variant, Memory mem) {
        return stressRun(variant, mem, InvalidationPath.ZAP);
    }

    private static ScenarioRun stressRun(Variant variant, Memory mem, InvalidationPath path) {
        return new Run(ProtocolChoice.byId(GfnToPfnCache.Refresh.class, variant.id()), mem, path,
                ApicAccessReload.STRESS_PAGE_WALK_SPINS);
    }

    /**
     * The refresh against migration and mprotect. The cache maps its page writable, so after a
     * change-protection a valid cache over the write-protected PTE is the bug (N2), the frame
     * staying live. Not a form: cow, as hva_to_pfn() faults the page in writable and so breaks
     * the COW itself before it caches a pfn.
     */
    @Override
    public List<Form> extraForms() {
        List<String> all = VARIANTS.stream().map(Variant::id).toList();
        return List.of(InvalidationPath.MIGRATE, InvalidationPath.CHANGE_PROTECTION).stream()
                .map(p -> Form.onPath(p, all, GpcRefreshVsInvalidate::stressRun, null)).toList();
    }

    /** 58cd407ca4c6's interleaving: the whole invalidation while the refresh has gpc->lock dropped. */
    @Override
    public Script commitScript() {
        return Script.of()
                .until(VCPU, "hva_to_pfn_retry: retake gpc->lock")
                .toEnd(INVALIDATOR)
                .toEnd(VCPU);
    }

    /** One world: one guest page, a VM with a gfn-to-pfn cache over it. */
    public static final class Run implements ScenarioRun {
        public final MmStruct mm;
        public final Kvm kvm;
        public final GfnToPfnCache gpc;
        private final Sched sched;
        private final InvalidationPath path;
        private final int oldPfn;
        private long staleUse = FrameRef.NONE; // vCPU-confined; the judge reads after the join
        private int retries;                   // vCPU-confined

        Run(GfnToPfnCache.Refresh refresh, Memory mem, InvalidationPath path, int spins) {
            this.sched = mem.sched;
            this.path = path;
            Frames frames = new Frames(8, mem);
            this.mm = new MmStruct(mem, MmConfig.PRE_6_6, MEM_HVA + 1, frames, spins);
            this.oldPfn = path.populate(mm, MEM_HVA);
            this.kvm = new Kvm(mm, 1, MEM_HVA, 1, false);
            this.gpc = new GfnToPfnCache(kvm, MEM_HVA, refresh);
            kvm.addGpc(gpc);
            mm.notifiers.register(new KvmMmuNotifier(kvm));
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role(INVALIDATOR, this::invalidator), new Role(VCPU, this::vcpu));
        }

        /** The path's change to the cached page's hva (MADV_DONTNEED by default), then the frame's reuse. */
        public void invalidator() {
            path.run(mm, MEM_HVA, oldPfn);
        }

        /** KVM refreshes the cache, then uses it (e.g. to write steal time). */
        public void vcpu() {
            retries = Math.max(gpc.kvmGpcRefresh(), 0);
            staleUse = gpc.useStale();
            if (staleUse != FrameRef.NONE) {
                sched.broken("N3: kvm_gpc_check passed and the access used " + FrameRef.describe(staleUse));
            }
        }

        @Override
        public Verdict judge() {
            Set<Violation> violations = new LinkedHashSet<>();
            if (staleUse != FrameRef.NONE) {
                violations.add(new Violation("N3", "kvm_gpc_check passed and the access used " + FrameRef.describe(staleUse)
                        + ", a freed frame"));
            }
            long now = gpc.validPfnNow();
            Oracles.frameLiveAtQuiescence("the valid cache names", now, mm.frames).ifPresent(violations::add);
            long pte = mm.pgtable.peek(MEM_HVA);
            if (now != FrameRef.NONE && (!Pte.present(pte) || Pte.pfn(pte) != FrameRef.pfn(now) || !Pte.write(pte))) {
                // the cache is a writable mapping: it must be the PTE's page, and the PTE writable
                violations.add(new Violation("N2", "at quiescence the valid cache names " + FrameRef.describe(now)
                        + " but the PTE is " + Pte.describe(pte)));
            }
            Oracles.countersQuiescent(mm, kvm).ifPresent(violations::add);
            Oracles.framesAccountedFor(mm).ifPresent(violations::add);
            String detail = "old pfn 0x" + Integer.toHexString(oldPfn) + ", cache " + FrameRef.describe(now)
                    + ", pte " + Pte.describe(mm.pgtable.peek(MEM_HVA)) + ", refresh retries " + retries;
            if (!violations.isEmpty()) {
                return new Verdict(Oracles.outcomeOf(violations, STALE_GPC), true, List.copyOf(violations), detail);
            }
            return new Verdict(retries > 0 ? RETRIED : FRESH, false, List.of(), detail);
        }
    }
}
