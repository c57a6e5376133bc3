package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code fences} in one pass ({@link Fences.Method#ONE_PASS}) gives the rows the per-point search
 * gives: the same ordering points, each NEEDED, not needed or UNKNOWN alike, on every fixed
 * variant of the canaries and of the cheapest race, under {@code lkmm} (the canaries under
 * {@code armv8} too). A NEEDED row's
 * counterexample is one the program with that point alone weakened runs, and ends badly.
 */
class FencesOnePassTest {
    private static final int STEPS = 400;

    static Stream<Arguments> fixes() {
        return Stream.concat(Scenarios.canaries().stream(), Stream.of(Scenarios.byId("smmu-stale-readonly")))
                .flatMap(s -> s.variants().stream().filter(v -> v.expectation() == Expectation.FIXED)
                        .map(v -> Arguments.of(s.id(), v.id())));
    }

    static Stream<Arguments> canaryFixes() {
        return Scenarios.canaries().stream().flatMap(s -> s.variants().stream()
                .filter(v -> v.expectation() == Expectation.FIXED).map(v -> Arguments.of(s.id(), v.id())));
    }

    /** The same under {@code armv8}, whose tags the one pass weakens as it does lkmm's: the canaries. */
    @ParameterizedTest(name = "armv8: {0} / {1}")
    @MethodSource("canaryFixes")
    void onePassGivesThePerPointRowsUnderArmv8(String scenario, String variant) {
        Scenario s = Scenarios.byId(scenario);
        Program p = mem -> s.newRun(s.variant(variant), mem);
        Fences.Report old = Fences.run(p, Explorer.UNBOUNDED, STEPS, Long.MAX_VALUE, 0, 2, MemoryModel.ARMV8,
                Fences.Method.PER_POINT);
        Fences.Report one = Fences.run(p, Explorer.UNBOUNDED, STEPS, Long.MAX_VALUE, 0, 2, MemoryModel.ARMV8,
                Fences.Method.ONE_PASS);
        assertThat(one.onePass()).isTrue();
        assertThat(verdicts(one)).isEqualTo(verdicts(old));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("fixes")
    void onePassGivesThePerPointRows(String scenario, String variant) {
        Scenario s = Scenarios.byId(scenario);
        Variant v = s.variant(variant);
        Program p = mem -> s.newRun(v, mem);
        Fences.Report old = Fences.run(p, Explorer.UNBOUNDED, STEPS, Long.MAX_VALUE, 0, 2, MemoryModel.LKMM,
                Fences.Method.PER_POINT);
        Fences.Report one = Fences.run(p, Explorer.UNBOUNDED, STEPS, Long.MAX_VALUE, 0, 2, MemoryModel.LKMM,
                Fences.Method.ONE_PASS);
        System.out.printf("FencesOnePassTest: %s / %s: per point %d ms, one pass %d ms (%d executions)%n", scenario, variant,
                old.rows().stream().mapToLong(Fences.Row::millis).sum() + old.baseline().millis(),
                one.baseline().millis() + one.rows().stream().filter(r -> !PointLabels.inOnePass(r.point()))
                        .mapToLong(Fences.Row::millis).sum(), one.baseline().schedules());
        assertThat(old.onePass()).isFalse();
        assertThat(one.onePass()).as("the pass ran and the fix is clean under lkmm").isTrue();
        assertThat(verdicts(one)).isEqualTo(verdicts(old));
        for (Fences.Row r : one.rows()) {
            if (r.needed()) {
                Execution e = new Explorer(p, Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, r.point()::equals)
                        .runOnce(r.counterexample().choices(), new java.util.ArrayList<>());
                assertThat(e.bad() || e.status() == Execution.Status.DEADLOCK).as(r.point() + ": " + r.schedule()).isTrue();
            }
        }
    }

    /** Per point: NEEDED, not needed (proved) or UNKNOWN. */
    private static Map<OrderingPoint, String> verdicts(Fences.Report r) {
        Map<OrderingPoint, String> out = new LinkedHashMap<>();
        for (Fences.Row row : r.rows()) {
            out.put(row.point(), row.needed() ? "NEEDED" : row.exhaustive() ? "not needed" : "UNKNOWN");
        }
        return out;
    }
}
