package dev.tlbrace.harness.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.Verdict;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.harness.scenario.kvm.GpcRefreshVsInvalidate;
import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import dev.tlbrace.model.sync.Memory;
import java.util.stream.Stream;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A second opinion from Lincheck's model checker, which switches threads at every shared
 * access of the instrumented code, not only at tlbrace's trace points: it must find each known
 * bug and pass each fix. Where it finds what the explorer missed, a trace point is missing.
 *
 * <p>The data-structure API is used: each role is an {@code @Operation} (a non-parallel group
 * of its own, so two copies of one role never race), the judge is the {@code @Validate}
 * function. {@code Lincheck.runConcurrentTest} over the same roles did not reach the APIC race
 * in 20,000 invocations (see README).
 */
class LincheckSecondOpinionTest {
    static final int ITERATIONS = 10;
    /**
     * A fix is passed with fewer iterations: every shared access is now a Cell behind the
     * memory API, which Lincheck instruments one call deeper, and 10 x 1,000 took 90 s per fix.
     */
    static final int FIX_ITERATIONS = 3;
    static final int INVOCATIONS = 1_000;

    /** The variant under test; Lincheck builds the test instances itself, one per invocation. */
    static volatile Variant current;

    static Stream<Arguments> variants() {
        return Scenarios.all().stream().flatMap(s -> s.variants().stream().map(v -> Arguments.of(s.id(), v.id())));
    }

    static void judge(Verdict v) {
        if (v.bad()) {
            throw new IllegalStateException(v.outcome() + ": " + v.violations());
        }
    }

    /** The APIC race's roles as operations. */
    public static class Apic {
        private final ApicAccessReload.Run run =
                (ApicAccessReload.Run) Scenarios.byId(ApicAccessReload.ID).newRun(current, Memory.hardware());

        @Operation(nonParallelGroup = "invalidator")
        public void invalidator() { run.invalidator(); }

        @Operation(nonParallelGroup = "vcpu")
        public void vcpu() { run.vcpu(0); }

        @Validate
        public void judge() { LincheckSecondOpinionTest.judge(run.judge()); }
    }

    /** The SMMU race's roles as operations. */
    public static class Smmu {
        private final SmmuStaleReadOnly.Run run =
                (SmmuStaleReadOnly.Run) Scenarios.byId(SmmuStaleReadOnly.ID).newRun(current, Memory.hardware());

        @Operation(nonParallelGroup = "smmu")
        public void smmu() { run.smmu(); }

        @Operation(nonParallelGroup = "cpu")
        public void cpu() { run.cpu(); }

        @Validate
        public void judge() { LincheckSecondOpinionTest.judge(run.judge()); }
    }

    /** The KVM fault race's roles as operations. */
    public static class Fault {
        private final KvmFaultVsInvalidate.Run run =
                (KvmFaultVsInvalidate.Run) Scenarios.byId(KvmFaultVsInvalidate.ID).newRun(current, Memory.hardware());

        @Operation(nonParallelGroup = "invalidator")
        public void invalidator() { run.invalidator(); }

        @Operation(nonParallelGroup = "vcpu")
        public void vcpu() { run.vcpu(); }

        @Validate
        public void judge() { LincheckSecondOpinionTest.judge(run.judge()); }
    }

    /** The gfn-to-pfn cache race's roles as operations. */
    public static class Gpc {
        private final GpcRefreshVsInvalidate.Run run =
                (GpcRefreshVsInvalidate.Run) Scenarios.byId(GpcRefreshVsInvalidate.ID).newRun(current, Memory.hardware());

        @Operation(nonParallelGroup = "invalidator")
        public void invalidator() { run.invalidator(); }

        @Operation(nonParallelGroup = "vcpu")
        public void vcpu() { run.vcpu(); }

        @Validate
        public void judge() { LincheckSecondOpinionTest.judge(run.judge()); }
    }

    private static final java.util.Map<String, Class<?>> TESTS = java.util.Map.of(
            ApicAccessReload.ID, Apic.class, SmmuStaleReadOnly.ID, Smmu.class, KvmFaultVsInvalidate.ID, Fault.class,
            GpcRefreshVsInvalidate.ID, Gpc.class);

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("variants")
    void lincheckFindsEveryKnownBugAndPassesEveryFix(String scenarioId, String variantId) {
        Scenario s = Scenarios.byId(scenarioId);
        current = s.variant(variantId);
        Class<?> test = TESTS.get(scenarioId);
        assertThat(test).as("a Lincheck binding for " + scenarioId).isNotNull();
        int iterations = current.expectation() == Expectation.KNOWN_BUG ? ITERATIONS : FIX_ITERATIONS;
        ModelCheckingOptions options = new ModelCheckingOptions().iterations(iterations)
                .invocationsPerIteration(INVOCATIONS).threads(2).actorsPerThread(1).actorsBefore(0).actorsAfter(0);
        long start = System.nanoTime();
        if (current.expectation() == Expectation.KNOWN_BUG) {
            Throwable t = assertThrows(Throwable.class, () -> options.check(test));
            assertThat(s.badOutcomes()).anyMatch(b -> t.getMessage().contains(b));
        } else {
            options.check(test);
        }
        System.out.printf("lincheck %s/%s: %s in %d ms%n", scenarioId, variantId,
                current.expectation() == Expectation.KNOWN_BUG ? "counterexample" : "passed",
                (System.nanoTime() - start) / 1_000_000);
    }
}
