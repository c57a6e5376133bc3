package dev.tlbrace.harness.litmus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.Lkmm;
import dev.tlbrace.harness.graph.MemoryModels;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each relation and axiom of linux-kernel.cat decides at least one litmus test of our own
 * (src/test/resources/litmus): with it the test is Never, as LKMM says; with it dropped, the
 * forbidden outcome appears. A model that lost a relation, or a search that stopped building
 * coherence or atomicity into the orders it tries, fails here. The reduction self-check below
 * compares the pruned search with brute force on every file of the suite.
 */
class LkmmRelationsTest {

    static Stream<Arguments> relations() {
        return Stream.of(
                Arguments.of(Set.of("rmb"), "MP+fencewmbonceonce+fencermbonceonce"),
                Arguments.of(Set.of("wmb"), "S+fencewmbonceonce+poacquireonce"),
                Arguments.of(Set.of("mb"), "SB+fencembonceonces"),
                // a grace period is a strong fence twice over: as gp in pb, and as rcu-fence in rb
                Arguments.of(Set.of("gp", "rcu"), "SB+syncs"),
                Arguments.of(Set.of("acq-po"), "MP+pooncerelease+poacquireonce"),
                Arguments.of(Set.of("po-rel"), "MP+pooncerelease+poacquireonce"),
                Arguments.of(Set.of("po-unlock-lock-po"), "MP+unlocklockonceonce+fencermbonceonce"),
                Arguments.of(Set.of("po-unlock-lock-po"), "ISA2+lockonceonce+lockonceonce+fencermbonceonce"),
                Arguments.of(Set.of("addr"), "MP+fencewmbonceonce+addronceonce"),
                Arguments.of(Set.of("data"), "LB+datas"),
                Arguments.of(Set.of("ctrl"), "LB+fencembonceonce+ctrlonceonce"),
                Arguments.of(Set.of("ctrl"), "3.LB+ctrlonceonces"),
                Arguments.of(Set.of("A-cumul"), "WRC+pooncerelease+fencermbonceonce+Once"),
                Arguments.of(Set.of("A-cumul"), "ISA2+pooncerelease+pooncerelease+poacquireonce"),
                Arguments.of(Set.of("rmw-sequence"), "MP+porelease+rmwinc+poacquireonce"),
                Arguments.of(Set.of("rcu-order"), "RCU-MP+sync"),
                Arguments.of(Set.of("srcu-rscs"), "SRCU-MP+sync"),
                Arguments.of(Set.of("coherence"), "CoRR+poonceonce+Once"),
                Arguments.of(Set.of("coherence"), "CoWW+poonceonce"),
                Arguments.of(Set.of("atomic"), "SB+xchgrelaxed-sameloc"),
                Arguments.of(Set.of("happens-before"), "MP+pooncerelease+poacquireonce"),
                Arguments.of(Set.of("propagation"), "Z6.1+fencembonceonces+poacquireonce"),
                Arguments.of(Set.of("rcu"), "RCU-MP+sync"),
                Arguments.of(Set.of("plain-coherence"), "MP+porelease+poacquire-plain"));
    }

    static LitmusAst.Test test(String name) throws Exception {
        Path f = suite().resolve(name + ".litmus");
        return LitmusReader.read(f.toString(), Files.readString(f));
    }

    static Path suite() throws URISyntaxException {
        return Paths.get(LkmmRelationsTest.class.getResource("/litmus").toURI());
    }

    @ParameterizedTest(name = "{1} needs {0}")
    @MethodSource("relations")
    void eachRelationDecidesALitmusTest(Set<String> dropped, String name) throws Exception {
        LitmusAst.Test t = test(name);
        assertThat(LitmusCheck.run(t, new Lkmm()).observed()).as("with every relation").isEqualTo("Never");
        assertThat(LitmusCheck.run(t, new Lkmm(dropped)).observed()).as("without " + dropped).isEqualTo("Sometimes");
    }

    static Stream<Arguments> suiteAndModels() throws IOException, URISyntaxException {
        List<Path> files;
        try (Stream<Path> s = Files.list(suite())) {
            files = s.filter(p -> p.toString().endsWith(".litmus")).sorted().toList();
        }
        return files.stream().flatMap(f -> Stream.of("lkmm", "sc", "tso")
                .map(m -> Arguments.of(f.getFileName().toString().replace(".litmus", ""), m)));
    }

    /**
     * The search prunes (a partial graph that already breaks an axiom), builds coherence and
     * atomicity into the orders it tries, and stops once the verdict is known; brute force does
     * none of that. They must reach the same final states and flags.
     */
    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("suiteAndModels")
    void theSearchFindsEveryFinalStateBruteForceFinds(String name, String model) throws Exception {
        LitmusAst.Test t = test(name);
        MemoryModels.Model m = MemoryModels.byId(model);
        LitmusCheck.Outcome naive = LitmusCheck.runNaive(t, m);
        LitmusCheck.Outcome counted = LitmusCheck.run(t, m, true);
        LitmusCheck.Outcome verdict = LitmusCheck.run(t, m);
        assertThat(counted.finalStates()).isEqualTo(naive.finalStates());
        assertThat(counted.positive()).isEqualTo(naive.positive());
        assertThat(counted.negative()).isEqualTo(naive.negative());
        assertThat(counted.flags()).isEqualTo(naive.flags());
        assertThat(verdict.observed()).isEqualTo(naive.observed());
        assertThat(verdict.flags()).isEqualTo(naive.flags());
    }
}
