package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Under {@code lkmm}, with no bound: the fixes are proved on the graph engine (one per race and
 * its retrying forms' base path, the small ones: the rest are README's table, scripts/lkmm-proofs.sh),
 * and dropping a barrier the fix leans on is a counterexample, found by the same exhaustive
 * search, whose stale read names the barrier's partner.
 */
class LkmmProofTest {
    private static final int STEPS = 400;

    private static Explorer explorer(String scenario, String variant, Predicate<OrderingPoint> weak) {
        Scenario s = Scenarios.byId(scenario);
        return explorer(s, variant, weak, MemoryModel.LKMM);
    }

    private static Explorer explorer(Scenario s, String variant, Predicate<OrderingPoint> weak, MemoryModel m) {
        return new Explorer(mem -> s.newRun(s.variant(variant), mem), Explorer.UNBOUNDED, STEPS, m, weak)
                .maxExecutions(100_000).jobs(2);
    }

    /**
     * Every variant graded fixed on every two-actor form of every race and canary, from the
     * registry (less {@link ProofList#LKMM_OPT_OUTS}, printed): a new race's fix with an lkmm
     * counterexample of any depth fails here.
     */
    static Stream<ProofList.Case> fixes() {
        return ProofList.all().filter(c -> c.expectation() == Expectation.FIXED)
                .filter(c -> ProofList.included(c, "LkmmProofTest"));
    }

    @org.junit.jupiter.api.BeforeAll
    static void sayWhatIsNotProved() {
        ProofList.LKMM_OPT_OUTS.forEach((id, why) -> System.out.printf("LkmmProofTest: %s opted out: %s%n", id, why));
        System.out.printf("LkmmProofTest: forms of more than two actors, proved under sc by the gate only: %s%n",
                ProofList.threeActorForms());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixes")
    void theFixIsProvedExhaustively(ProofList.Case c) {
        Explorer.Result r = explorer(c.scenario(), c.variant().id(), null, MemoryModel.LKMM).explore();
        System.out.printf("LkmmProofTest: %s exhaustive=%s %d executions in %d ms%n", c.id(), r.exhaustive(), r.schedules(),
                r.millis());
        assertThat(r.violated()).as("a counterexample: %s", r.counterexample() == null ? ""
                : Timeline.render(r.counterexample(), false)).isFalse();
        assertThat(r.exhaustive()).as("%s", r).isTrue();
        assertThat(r.bounded()).isFalse();
    }

    /**
     * A bug only weak memory shows has a verdict under both models, exhaustive: no counterexample
     * under sc, one under lkmm (the documented HMM protocol on the paths that do not hold
     * mmap_lock for write).
     */
    static Stream<ProofList.Case> weakOnlyBugs() {
        return ProofList.all().filter(ProofList.Case::weakOnlyBug).filter(c -> !c.scenario().id().contains("canary"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weakOnlyBugs")
    void aWeakMemoryBugIsCleanUnderScAndACounterexampleUnderLkmm(ProofList.Case c) {
        Explorer.Result sc = explorer(c.scenario(), c.variant().id(), null, MemoryModel.SC).explore();
        assertThat(sc.violated()).isFalse();
        assertThat(sc.exhaustive()).isTrue();
        Explorer.Result lk = explorer(c.scenario(), c.variant().id(), null, MemoryModel.LKMM).explore();
        assertThat(lk.violated()).isTrue();
        assertThat(lk.counterexample().staleReads()).isPositive();
    }

    static Stream<Arguments> loadBearing() {
        return Stream.of(
                // the pair tools/memory-model and kvm_host.h name: smp_wmb() in kvm_mmu_invalidate_end() ...
                Arguments.of("kvm-fault-vs-invalidate", "lockless-retry", "kvm_mmu_invalidate_end: mmu_invalidate_seq++",
                        "smp_wmb", "(Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++"),
                // ... and the smp_rmb() in mmu_invalidate_retry() that pairs with it
                Arguments.of("kvm-fault-vs-invalidate", "lockless-retry", "mmu_invalidate_retry", "smp_rmb",
                        "(Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++"),
                // mmu_notifier_retry_cache(): "Ensure mn_active_invalidate_count is read before mmu_invalidate_seq"
                Arguments.of("gpc-refresh-vs-invalidate", "refresh-retry", "mmu_notifier_retry_cache", "smp_rmb",
                        "(Invalidator) kvm_mmu_invalidate_end: mmu_invalidate_seq++"),
                // kvm_make_request(): smp_wmb() publishes the payload before the request bit
                Arguments.of("publish-canary", "kvm-request", "kvm_make_request", "smp_wmb", "(Writer) requester: payload"),
                // the proposed fix of the documented HMM protocol: the acquire on read_begin's wait ...
                // (the stale read is the PTE the walk reads; the store it missed has no ordering point to name)
                Arguments.of("hmm-mirror-vs-invalidate", "read-begin-acquire", "mmu_interval_read_begin: wait_event(subscriptions->wq)",
                        "smp_load_acquire", ""),
                // ... and subscriptions->lock around read_begin's reads, which orders the walk after an
                // invalidation whose inv_end came first (spin_unlock in inv_end, spin_lock here)
                Arguments.of("hmm-mirror-vs-invalidate", "read-begin-acquire", "mmu_interval_read_begin", "spin_lock",
                        "(Invalidator) mmu_notifier_invalidate_range_start"));
    }

    @ParameterizedTest(name = "{0} / {1}: {2}: {3}()")
    @MethodSource("loadBearing")
    void droppingALoadBearingBarrierIsACounterexample(String scenario, String variant, String function, String primitive,
                                                      String partner) {
        Explorer.Result r = explorer(scenario, variant, p -> function.equals(p.function()) && primitive.equals(p.primitive()))
                .explore();
        assertThat(r.violated()).as(function + ": " + primitive + " dropped").isTrue();
        assertThat(r.counterexample().staleReads()).isPositive();
        if (!partner.isEmpty()) {
            assertThat(Fences.pairsWith(r.counterexample())).contains(partner);
        }
    }
}
