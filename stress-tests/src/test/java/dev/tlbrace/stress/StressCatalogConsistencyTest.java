package dev.tlbrace.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.gate.StressCatalog;
import dev.tlbrace.harness.gate.StressTest;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.stress.baseline.TrivialPairTest;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.infra.StateCase;
import org.openjdk.jcstress.infra.TestInfo;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * The gate's catalog and the jcstress tests compiled here must agree: a test the catalog does
 * not know would run ungraded, a catalog entry with no test would fail every gate.
 */
class StressCatalogConsistencyTest {

    @Test
    void everyCatalogEntryIsACompiledTestWithTheSameActorCount() {
        for (StressTest t : StressCatalog.all()) {
            TestInfo info = TestList.getInfo(t.name());
            assertThat(info).as(t.name()).isNotNull();
            assertThat(info.threads()).as(t.name()).isEqualTo(t.actors());
        }
    }

    @Test
    void everyCompiledTestIsInTheCatalog() {
        Set<String> catalog = StressCatalog.all().stream().map(StressTest::name).collect(Collectors.toSet());
        // the one exception: SampleRate's floor, which is not a race and never graded
        assertThat(TestList.tests()).isNotEmpty().contains(TrivialPairTest.class.getName())
                .filteredOn(t -> !t.equals(TrivialPairTest.class.getName())).allMatch(catalog::contains);
    }

    @Test
    void everyRequiredFormHasTwoActors() {
        assertThat(StressCatalog.all()).filteredOn(StressTest::required).allMatch(t -> t.actors() == 2);
    }

    @Test
    void outcomeIdsInAnnotationsAreVerdictsTheJudgeCanReturn() {
        for (StressTest t : StressCatalog.all()) {
            Set<String> judged = t.scenario().outcomes(t.variant()).stream().map(Scenario.Outcome::id).collect(Collectors.toSet());
            for (StateCase c : TestList.getInfo(t.name()).cases()) {
                assertThat(judged).as(t.name()).contains(c.matchPattern());
            }
        }
    }
}
