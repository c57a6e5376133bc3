package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
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
        return new Explorer(mem -> s.newRun(s.variant(variant), mem), Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, weak)
                .maxExecutions(100_000).jobs(2);
    }

    static Stream<Arguments> fixes() {
        return Stream.of(
                Arguments.of("apic-access-reload", "invalidate-range-request"),
                Arguments.of("smmu-stale-readonly", "notify-on-upgrade"),
                Arguments.of("kvm-fault-vs-invalidate", "seq-retry"),
                Arguments.of("kvm-fault-vs-invalidate", "lockless-retry"),
                Arguments.of("gpc-refresh-vs-invalidate", "refresh-retry"),
                Arguments.of("publish-canary", "kvm-request"));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("fixes")
    void theFixIsProvedExhaustively(String scenario, String variant) {
        Explorer.Result r = explorer(scenario, variant, null).explore();
        assertThat(r.violated()).as("a counterexample: %s", r.counterexample()).isFalse();
        assertThat(r.exhaustive()).as("%s", r).isTrue();
        assertThat(r.bounded()).isFalse();
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
                Arguments.of("publish-canary", "kvm-request", "kvm_make_request", "smp_wmb", "(Writer) requester: payload"));
    }

    @ParameterizedTest(name = "{0} / {1}: {2}: {3}()")
    @MethodSource("loadBearing")
    void droppingALoadBearingBarrierIsACounterexample(String scenario, String variant, String function, String primitive,
                                                      String partner) {
        Explorer.Result r = explorer(scenario, variant, p -> function.equals(p.function()) && primitive.equals(p.primitive()))
                .explore();
        assertThat(r.violated()).as(function + ": " + primitive + " dropped").isTrue();
        assertThat(r.counterexample().staleReads()).isPositive();
        assertThat(Fences.pairsWith(r.counterexample())).contains(partner);
    }
}
