package dev.tlbrace.harness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.Step;
import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.kvm.GpcRefreshVsInvalidate;
import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.mm.InvalidationPath;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.MmuNotifierRange;
import dev.tlbrace.model.mm.Mprotect;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ordering regressions of the invalidation side that only a walker without mmap_lock sees. KVM's
 * hva_to_pfn() tries GUP-fast first ({@code GupFast}, {@code HvaToPfn}): no mmap_lock, no PTL. A
 * reviewer who moves mmu_notifier_invalidate_range_end() in change_protection() up to before the
 * PTEs are write-protected opens this window:
 * <pre>
 * 1. (Invalidator) mprotect: down_write(mmap_lock), invalidate_range_start, invalidate_range_end
 * 2. (vCPU)        mmu_seq = kvm->mmu_invalidate_seq         the new seq: nothing to retry on
 * 3. (vCPU)        GUP-fast: the PTE is still RW, the page is grabbed, the re-check passes
 * 4. (Invalidator) change_pte_range: the PTE write-protected, the TLB flushed
 * 5. (vCPU)        no invalidation in progress, seq unchanged: a writable SPTE (or pfn cache) over
 *                  a read-only PTE                              N2
 * </pre>
 * The slow GUP needs mmap_lock for read, so it waits for the whole mprotect and the regression is
 * clean with it: these tests fail if the model's walker went back to taking the locks (measured by
 * making hva_to_pfn() skip hva_to_pfn_fast(): each case then explored clean, README "GUP-fast").
 * The regressed path is the test's, built from the model's own change_pte_range() with the bracket
 * reordered; the model keeps the kernel's order, which {@code ExplorerTest} proves clean.
 */
class InvalidationOrderRegressionTest {
    static final int STEPS = 400;
    static final int BUDGET = 30_000;

    static Stream<Arguments> fixesOnChangeProtection() {
        return Stream.of(
                Arguments.of(KvmFaultVsInvalidate.ID, "seq-retry"),
                Arguments.of(KvmFaultVsInvalidate.ID, "lockless-retry"),
                Arguments.of(GpcRefreshVsInvalidate.ID, "refresh-retry"));
    }

    @ParameterizedTest(name = "{0} / change-protection / {1}")
    @MethodSource("fixesOnChangeProtection")
    void changeProtectionEndingBeforeTheWriteProtectIsACounterexampleForALocklessWalker(String scenario, String variant) {
        Scenario form = Scenarios.byId(scenario).onForm(InvalidationPath.CHANGE_PROTECTION.id());
        Scenario regressed = withInvalidator(form, InvalidationOrderRegressionTest::changeProtectionEndBeforeWriteProtect);

        Explorer.Result r = new Explorer(mem -> regressed.newRun(regressed.variant(variant), mem), Explorer.UNBOUNDED, STEPS,
                MemoryModel.SC, null).maxExecutions(BUDGET).explore();

        assertThat(r.violated()).as("the regression is found (%d executions)", r.schedules()).isTrue();
        Execution e = r.counterexample();
        assertThat(form.badOutcomes()).contains(e.verdict().outcome());
        assertThat(e.verdict().violations()).as(e.verdict().toString()).anyMatch(v -> v.invariant().equals("N2"));
        String timeline = Timeline.render(e, true);
        int end = e.indexOf("mmu_notifier_invalidate_range_end");
        int walk = e.indexOf("gup_fast_pte_range: ptep_get_lockless");
        int wrprotect = firstAccess(e, "change_pte_range: ptep_modify_prot", "WRITE_ONCE(pte[");
        assertThat(end).as(timeline).isNotNegative();
        assertThat(walk).as("GUP-fast walks between the early end and the write-protect:%n%s", timeline)
                .isGreaterThan(end).isLessThan(wrprotect);
    }

    /** The first step in {@code function} whose access starts with {@code access}, or -1. */
    private static int firstAccess(Execution e, String function, String access) {
        for (int i = 0; i < e.steps().size(); i++) {
            Step s = e.steps().get(i);
            if (s.function().equals(function) && s.access() != null && s.access().startsWith(access)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * change_protection() with mmu_notifier_invalidate_range_end() moved up to right after the
     * start: the bracket closes before {@link Mprotect#changePteRange} write-protects the PTE.
     */
    static void changeProtectionEndBeforeWriteProtect(MmStruct mm, int va) {
        MmuNotifierRange range = new MmuNotifierRange(va, va + 1, MmuNotifierRange.Event.PROTECTION_VMA);
        mm.mmapLock.downWrite();
        try {
            mm.notifiers.invalidateRangeStart(range);
            mm.notifiers.invalidateRangeEnd(range); // the regression: before the PTEs change
            Mprotect.changePteRange(mm, va, va + 1);
        } finally {
            mm.mmapLock.upWrite();
        }
    }

    /** What a regressed Invalidator does to the guest page {@code va} of {@code mm}. */
    @FunctionalInterface
    interface Invalidator {
        void run(MmStruct mm, int va);
    }

    /** {@code form} with its Invalidator role replaced: same worlds, vCPU and judge. */
    static Scenario withInvalidator(Scenario form, Invalidator invalidator) {
        List<String> variants = form.variants().stream().map(Variant::id).toList();
        return new FormView(form, new Scenario.Form(form.form(), "regressed: " + form.title(), variants,
                (v, mem) -> regressed(form.newRun(v, mem), invalidator), null));
    }

    private static ScenarioRun regressed(ScenarioRun run, Invalidator invalidator) {
        Kvm kvm = run instanceof KvmFaultVsInvalidate.Run k ? k.kvm : ((GpcRefreshVsInvalidate.Run) run).kvm;
        int va = kvm.memslot(Kvm.GUEST_MEMORY_MEMSLOT).gfnToHva(0);
        List<Role> roles = run.roles().stream()
                .map(role -> role.name().equals(KvmFaultVsInvalidate.INVALIDATOR)
                        ? new Role(role.name(), () -> invalidator.run(kvm.mm, va)) : role)
                .toList();
        return new ScenarioRun() {
            @Override public List<Role> roles() { return roles; }

            @Override public Verdict judge() { return run.judge(); }
        };
    }
}
