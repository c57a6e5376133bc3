package dev.tlbrace.harness.litmus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.graph.Explorable;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.LitmusCommandTest.Result;
import dev.tlbrace.harness.litmus.gen.LitmusGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code litmus --engine explore}: litmus tests as explorer programs, the explorer's search and
 * reductions checked two ways that share none of them.
 * <ul>
 * <li>Against the checker restricted to the graphs the explorer builds ({@link Explorable}:
 *     {@code po ∪ rf} acyclic; the litmus programs give the explorer their dependencies), counted exhaustively: the same final states, on
 *     every file of the suite the explorer can express, under every model.</li>
 * <li>Against the explorer's own unreduced search ({@link Explorer#naive}: every store a load could
 *     read, every coherence position, the model asked only about complete graphs, no partial-order
 *     reduction, run past the preemption bound where it stops finding states) on generated
 *     programs (fixed seed): the same final states.</li>
 * </ul>
 */
class LitmusExploreTest {
    static final long SEED = 20261208L;
    static final int GENERATED = 300;
    static final int NAIVE_BOUND = 6;
    /** How many of the generated programs are also run through the unreduced search (the slow part). */
    static final int NAIVE = 100;

    @TempDir
    Path tmp;

    static Stream<Arguments> suiteUnderEveryModel() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (Object f : LitmusCommandTest.suiteFiles()) {
            for (String m : List.of("lkmm", "sc", "tso", "armv8")) {
                out.add(Arguments.of(Path.of(f.toString()).getFileName().toString(), m));
            }
        }
        return out.stream();
    }

    static LitmusAst.Test read(Path p) throws Exception {
        return LitmusReader.read(p.toString(), Files.readString(p));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("suiteUnderEveryModel")
    void theExplorerReachesExactlyTheStatesOfTheCheckerOnItsGraphs(String file, String model) throws Exception {
        LitmusAst.Test t = read(LitmusCommandTest.suite().resolve(file));
        LitmusCheck.Outcome ex;
        try {
            ex = LitmusExplore.run(t, MemoryModel.byId(model));
        } catch (LitmusProgram.Unsupported u) {
            assertThat(u.getMessage()).as("a refusal names its construct").containsPattern(
                    "plain access|spin_trylock|spin_is_locked|rcu_read_lock|srcu_read_lock|synchronize_s?rcu");
            return;
        }
        LitmusCheck.Outcome reach = LitmusCheck.run(t, new Explorable(MemoryModels.byId(model), false, true), true);
        if (model.equals("tso") && file.startsWith("CoWR+")) {
            // a known gap of the explorer's tso (NOTES-engine.md): a load forwards from its own
            // buffer and never lets that buffer drain first, so CoWR's read of the other CPU's
            // later store is missed; what it reaches it may reach
            assertThat(reach.finalStates()).containsAll(ex.finalStates()).hasSizeGreaterThan(ex.finalStates().size());
            return;
        }
        assertThat(ex.finalStates()).isEqualTo(reach.finalStates());
        assertThat(ex.observed()).isEqualTo(reach.observed());
    }

    /**
     * Stores still buffered when a role's code returns drain one at a time, each a step of its
     * own: 2+2W's three final states under x86-TSO, of which draining what was left in role order
     * at the judge reached one.
     */
    @Test
    void tsoBuffersLeftAtTheEndDrainInEveryOrder() throws Exception {
        LitmusAst.Test t = read(LitmusCommandTest.suite().resolve("2+2W+poonceonces.litmus"));
        Set<String> checker = LitmusCheck.run(t, MemoryModels.byId("tso"), true).finalStates();
        assertThat(checker).hasSize(3);
        assertThat(LitmusExplore.run(t, MemoryModel.TSO).finalStates()).isEqualTo(checker);
    }

    @Test
    void theDesignedGapsShowAndNothingElse() {
        Path suite = pathOf();
        Result r = LitmusCommandTest.litmus("--compare", suite);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("LB\\+poonceonces.litmus +by design \\(load buffering\\): check Sometimes");
        assertThat(r.out()).doesNotContain("MP+fencewmbonceonce+addronceonce.litmus");
        assertThat(r.out()).contains(" 0 need dependencies, 2 need load buffering, 0 need both, 0 bugs,").doesNotContain("BUG");
        // without the dependencies the litmus programs give it, the graph is the scenarios': MP with an addr dependency is Sometimes
        Result bare = LitmusCommandTest.litmus("--compare", "--explore-without-dependencies", suite);
        assertThat(bare.code()).as(bare.out() + bare.err()).isZero();
        assertThat(bare.out()).containsPattern("MP\\+fencewmbonceonce\\+addronceonce.litmus +by design \\(dependencies\\): "
                + "check Never, without dependencies Sometimes, explore Sometimes");
        assertThat(bare.out()).contains(" 1 need dependencies, 2 need load buffering, 0 need both, 0 bugs,");
    }

    private static Path pathOf() {
        try {
            return LitmusCommandTest.suite();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnknownEngineIsOneLineAndExitTwo() {
        Result r = LitmusCommandTest.litmus("--engine", "herd", pathOf().resolve("SB+poonceonces.litmus"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("tlbrace: unknown engine 'herd'; valid: check, explore");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aFileTheExplorerCannotExpressIsOneLineNeverAVerdict() {
        Path trylock = pathOf().resolve("SB+locks-trylock.litmus");
        Path sb = pathOf().resolve("SB+poonceonces.litmus");
        Result r = LitmusCommandTest.litmus("--engine", "explore", "--no-witness", trylock, sb);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1).first().asString()
                .contains("SB+locks-trylock.litmus:28:").contains("spin_trylock()");
        assertThat(r.out()).doesNotContain("SB+locks-trylock").containsPattern("SB\\+poonceonces +observed Sometimes .* agree");
        assertThat(r.out()).contains("1 agree, 0 disagree, 0 without Result, 1 errors (lkmm, explore, exhaustive");
        Result plain = LitmusCommandTest.litmus("--engine", "explore", pathOf().resolve("MP+poonces-plain.litmus"));
        assertThat(plain.code()).isEqualTo(2);
        assertThat(plain.err()).contains("plain access *x");
    }

    @Test
    void theSameOutputAsTheChecker() {
        Path mp = pathOf().resolve("MP+poonceonces.litmus");
        Result check = LitmusCommandTest.litmus("--no-witness", mp);
        Result ex = LitmusCommandTest.litmus("--engine", "explore", "--no-witness", mp);
        assertThat(ex.code()).isEqualTo(check.code()).isZero();
        String line = "MP\\+poonceonces +observed Sometimes +expected Sometimes +agree";
        assertThat(check.out()).containsPattern(line);
        assertThat(ex.out()).containsPattern(line);
    }

    /**
     * Generated programs (locks, RMWs, pointers, branches; no RCU, SRCU or plain accesses, which
     * the memory API lacks): the reduced search reaches exactly the states of the unreduced one,
     * which is exhaustive at {@link #NAIVE_BOUND} (one more preemption finds nothing new), and of
     * the checker on the explorer's graphs.
     */
    @Test
    void generatedProgramsReachTheStatesOfTheUnreducedSearch() throws Exception {
        LitmusGenerator.Options opts = LitmusGenerator.Options.ALL.withRcu(false).withSrcu(false).withPlain(false)
                .withSize(3, 3);
        int compared = 0;
        int refused = 0;
        List<String> bad = new ArrayList<>();
        long seed = LitmusGenerator.seed(SEED);
        int count = LitmusGenerator.count(GENERATED);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String text = LitmusGenerator.generate(seed, i, opts);
            LitmusAst.Test t = LitmusReader.read("gen-" + i + ".litmus", text);
            for (String model : List.of("lkmm", "sc")) {
                Set<String> reduced;
                try {
                    reduced = LitmusExplore.run(t, MemoryModel.byId(model)).finalStates();
                } catch (LitmusProgram.Unsupported u) {
                    refused++;
                    break;
                }
                Set<String> naive = i < NAIVE ? naive(t, MemoryModel.byId(model), NAIVE_BOUND) : reduced;
                if (i < NAIVE / 5) {
                    assertThat(naive(t, MemoryModel.byId(model), NAIVE_BOUND + 1)).as("the unreduced search is exhaustive at %d",
                            NAIVE_BOUND).isEqualTo(naive);
                }
                Set<String> reach = LitmusCheck.run(t, new Explorable(MemoryModels.byId(model), false, true), true).finalStates();
                compared++;
                if (!reduced.equals(naive) || !reduced.equals(reach)) {
                    bad.add(model + " " + i + ": reduced " + reduced + " naive " + naive + " checker " + reach + "\n" + text);
                }
            }
        }
        System.out.printf("LitmusExploreTest: %d generated programs (seed %d), %d comparisons, %d refused, %d ms%n", count,
                seed, compared, refused, (System.nanoTime() - start) / 1_000_000);
        assertThat(compared).isGreaterThanOrEqualTo(count);
        assertThat(bad).as(bad.isEmpty() ? "" : bad.get(0)).isEmpty();
    }

    static Set<String> naive(LitmusAst.Test t, MemoryModel m, int bound) {
        Set<String> out = new TreeSet<>();
        Explorer.Sweep s = new Explorer(LitmusExplore.program(t), bound, 20_000, m, null).naive().exploreAll(e -> {
            String st = LitmusExplore.state(e);
            if (st != null) {
                out.add(st);
            }
        });
        assertThat(s.exhaustive()).isTrue();
        return out;
    }

    @Test
    void aRefusalIsAnUnsupportedNamingTheLine() throws Exception {
        Path f = tmp.resolve("t.litmus");
        Files.writeString(f, """
                C t
                {}
                P0(int *x)
                {
                	WRITE_ONCE(*x, 1);
                	synchronize_rcu();
                }
                exists (x=1)
                """);
        assertThatThrownBy(() -> LitmusExplore.run(read(f), MemoryModel.LKMM))
                .isInstanceOf(LitmusProgram.Unsupported.class)
                .satisfies(e -> assertThat(((LitmusProgram.Unsupported) e).line()).isEqualTo(6));
    }
}
