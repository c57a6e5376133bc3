package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.canary.EntryBarrierCanary;
import dev.tlbrace.harness.scenario.canary.PublishCanary;
import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory models have teeth: each canary is found exactly under the models that allow its
 * reordering, and weakening one of the kernel's own barriers (a mutant the model code does not
 * carry) gives a counterexample whose stale read names the barrier's partner.
 */
class WeakMemoryExploreTest {
    private static final int BOUND = 2;
    private static final int STEPS = 400;

    private static Explorer.Result explore(String scenario, String variant, MemoryModel m, Predicate<OrderingPoint> weak) {
        Scenario s = Scenarios.byId(scenario);
        return new Explorer(mem -> s.newRun(s.variant(variant), mem), BOUND, STEPS, m, weak).explore();
    }

    /**
     * Every canary variant, from the registry: a known bug fails under the model it declares it
     * shows under ({@link dev.tlbrace.harness.scenario.Variant#showsUnder}) and every model after
     * it in {@link MemoryModel}'s order (armv8 last: a canary's reordering is one arm64 makes
     * too), a fix under none.
     */
    static Stream<Arguments> canaries() {
        return Scenarios.canaries().stream().flatMap(s -> s.variants().stream().map(v -> Arguments.of(s.id(), v.id(),
                v.expectation() == dev.tlbrace.harness.scenario.Expectation.FIXED ? List.<MemoryModel>of()
                        : java.util.Arrays.stream(MemoryModel.values()).filter(m -> m.ordinal() >= v.showsUnder().ordinal()).toList())));
    }

    @ParameterizedTest(name = "{0} / {1} fails under {2}")
    @MethodSource("canaries")
    void eachCanaryFailsExactlyUnderTheModelsThatAllowItsReordering(String scenario, String variant, List<MemoryModel> failing) {
        for (MemoryModel m : MemoryModel.values()) {
            Explorer.Result r = explore(scenario, variant, m, null);
            assertThat(r.violated()).as(scenario + "/" + variant + " under " + m).isEqualTo(failing.contains(m));
            assertThat(r.exhaustive()).isTrue();
            if (r.violated() && !failing.contains(MemoryModel.SC)) {
                assertThat(r.counterexample().staleReads()).as("a weak-memory counterexample reads a stale store")
                        .isPositive();
                assertThat(r.counterexample().steps().stream().anyMatch(Step::stale)).isTrue();
            }
        }
    }

    @Test
    void aStaleReadIsToldInKernelWordsWithTheStoreItMissed() {
        Explorer.Result r = explore(EntryBarrierCanary.ID, "no-barrier", MemoryModel.LKMM, null);
        String timeline = Timeline.render(r.counterexample(), true);
        assertThat(timeline).containsPattern("cmpxchg\\(vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE\\): OUTSIDE_GUEST_MODE "
                + "\\(failed\\) \\(stale: IN_GUEST_MODE, stored at step \\d+ by vCPU, not yet visible; read the initial value\\)");
    }

    @Test
    void theCounterexampleReplaysWithItsReadFromChoices() {
        Scenario s = Scenarios.byId(PublishCanary.ID);
        Explorer.Result r = explore(PublishCanary.ID, "no-rmb", MemoryModel.LKMM, null);
        String schedule = Schedule.format(r.counterexample().choices());
        assertThat(schedule).contains("~");
        ControlledScheduler sched = new ControlledScheduler(STEPS);
        Execution again = sched.run(s.newRun(s.variant("no-rmb"), new SimMemory(sched, MemoryModel.LKMM)),
                Schedule.exact(Schedule.parse(schedule, 2), s.roles()));
        assertThat(again.verdict().outcome()).isEqualTo(PublishCanary.STALE_PAYLOAD);
        assertThat(Timeline.render(again, true)).isEqualTo(Timeline.render(r.counterexample(), true));
    }

    static Stream<Arguments> loadBearing() {
        return Stream.of(
                // kvm_make_request(): smp_wmb() publishes the payload before the request bit
                Arguments.of(PublishCanary.ID, "kvm-request", "kvm_make_request", "smp_wmb", "(Writer) requester: payload"),
                // kvm_check_request(): smp_mb__after_atomic() orders the payload read after the bit
                Arguments.of(PublishCanary.ID, "kvm-request", "vcpu_enter_guest: kvm_check_request", "smp_mb__after_atomic",
                        "(Writer) requester: payload"),
                // kvm_mmu_invalidate_end(): seq++ smp_wmb() in_progress--, for a reader without mmu_lock
                Arguments.of(KvmFaultVsInvalidate.ID, "lockless-retry", "kvm_mmu_invalidate_end: mmu_invalidate_seq++", "smp_wmb",
                        "(Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++"),
                // mmu_invalidate_retry(): the smp_rmb() that pairs with it
                Arguments.of(KvmFaultVsInvalidate.ID, "lockless-retry", "mmu_invalidate_retry", "smp_rmb",
                        "(Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++"));
    }

    @ParameterizedTest(name = "{0} / {1}: {2}: {3}()")
    @MethodSource("loadBearing")
    void weakeningALoadBearingBarrierGivesACounterexampleThatNamesItsPartner(String scenario, String variant, String function,
                                                                           String primitive, String partner) {
        Predicate<OrderingPoint> weak = p -> function.equals(p.function()) && primitive.equals(p.primitive());
        assertThat(explore(scenario, variant, MemoryModel.LKMM, null).violated()).as("clean before weakening").isFalse();
        Explorer.Result r = explore(scenario, variant, MemoryModel.LKMM, weak);
        assertThat(r.violated()).as(function + ": " + primitive + " weakened").isTrue();
        assertThat(Fences.pairsWith(r.counterexample())).contains(partner);
    }
}
