package dev.tlbrace.harness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.graph.MemoryModel;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each variant's outcome list ({@link Scenario#outcomes(Variant)}) is what it can end in: the
 * explorer, over every schedule of up to two preemptions, reaches every good outcome listed and
 * nothing unlisted, and a known bug reaches a bad one. The jcstress annotations and the gate's
 * "verdicts the judge does not list" are built from these lists, so an outcome id that cannot
 * occur, or a verdict the list forgot, fails here before it reaches a stress run.
 */
class OutcomeListTest {
    static final int BOUND = 2;

    static Stream<Arguments> variants() {
        return Scenarios.everything().stream().flatMap(s -> s.variants().stream().map(v -> Arguments.of(s.id(), v.id())));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("variants")
    void theExplorerReachesExactlyTheListedGoodOutcomesAndABadOneForABug(String scenario, String variant) {
        Scenario s = Scenarios.byId(scenario);
        Variant v = s.variant(variant);
        Set<String> listed = s.outcomes(v).stream().map(Scenario.Outcome::id).collect(Collectors.toSet());
        Set<String> good = s.outcomes(v).stream().filter(o -> !o.bad()).map(Scenario.Outcome::id).collect(Collectors.toSet());
        Set<String> reached = reached(s, v, MemoryModel.SC);
        if (v.showsUnder() != MemoryModel.SC) {
            // its window may need one more preemption or stale read than BOUND (the documented HMM protocol: 3)
            reached.addAll(reached(s, v, v.showsUnder(), BOUND + 1));
        }
        assertThat(listed).as("listed outcomes of %s/%s", scenario, variant).containsAll(reached);
        assertThat(reached).as("reached outcomes of %s/%s", scenario, variant).containsAll(good);
        if (v.expectation() == Expectation.KNOWN_BUG) {
            assertThat(reached).containsAnyElementsOf(s.badOutcomes());
        }
    }

    private static Set<String> reached(Scenario s, Variant v, MemoryModel m) {
        return reached(s, v, m, BOUND);
    }

    private static Set<String> reached(Scenario s, Variant v, MemoryModel m, int bound) {
        Set<String> out = new TreeSet<>();
        Explorer.Sweep sweep = new Explorer(mem -> s.newRun(v, mem), bound, 400, m, null).exploreAll(
                e -> {
                    if (e.status() != Execution.Status.BLOCKED) { // a wait loop's repeated turn, dropped (spin-assume)
                        out.add(e.status() == Execution.Status.COMPLETED ? e.verdict().outcome() : e.status().toString());
                    }
                });
        assertThat(sweep.exhaustive()).isTrue();
        return out;
    }
}
