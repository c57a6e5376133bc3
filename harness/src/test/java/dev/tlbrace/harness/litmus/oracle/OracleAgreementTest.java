package dev.tlbrace.harness.litmus.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusProgram;
import dev.tlbrace.harness.litmus.LitmusReader;
import dev.tlbrace.harness.litmus.gen.LitmusGenerator;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checker's verdicts against oracles that share nothing with it but the parsed AST: on
 * every file of the project's suite and on programs drawn by {@link LitmusGenerator},
 * <ul>
 * <li>operational SC's final states equal the axiomatic {@code sc}'s,
 * <li>operational x86-TSO's equal the axiomatic {@code tso}'s,
 * <li>both are among {@code lkmm}'s: the kernel runs on x86, so what x86 does LKMM allows;
 * <li>so are {@code armv8}'s where LKMM finds no data race: arm64 runs the kernel too, and it is
 *     weaker than x86, so it catches an LKMM that forbids what only weakly ordered CPUs do.
 * </ul>
 * A value the checker's enumeration never offers a read, a non-atomic RMW, an axiom too strong
 * or too weak: each shows as a state one side has and the other lacks.
 * {@code -Dtlbrace.gen.count=N -Dtlbrace.gen.seed=S} runs a longer draw (README "Oracles"). One
 * disagreement such a draw can find is LKMM's, not the checker's: lock.cat's {@code rfi-ru} makes a
 * {@code spin_is_locked()} after its CPU's own unlock read that unlock, so {@code lkmm} forbids
 * seeing the lock free after another CPU took and dropped it, which every machine can.
 */
class OracleAgreementTest {
    static final long SEED = 20261207L;
    static final int COUNT = 2000;

    static Path suite() throws URISyntaxException {
        return Paths.get(OracleAgreementTest.class.getResource("/litmus").toURI());
    }

    static Stream<String> suiteFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(suite())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".litmus")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suiteFiles")
    void theSuiteAgreesWithTheOracles(String file) throws Exception {
        Path f = suite().resolve(file);
        LitmusAst.Test t = LitmusReader.read(f.toString(), Files.readString(f));
        assertThat(disagreements(t)).isEmpty();
    }

    @Test
    void generatedProgramsAgreeWithTheOracles() {
        int count = LitmusGenerator.count(COUNT);
        long seed = LitmusGenerator.seed(SEED);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger unsupported = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        IntStream.range(0, count).parallel().forEach(i -> {
            // program i alone depends on (seed, i): drawn in parallel too
            String text;
            try {
                text = LitmusGenerator.generate(seed, i, LitmusGenerator.Options.ALL);
            } catch (RuntimeException e) {
                // a generator bug fails the run but does not end it: a long run keeps what it found
                failures.add("program " + i + " of seed " + seed + " could not be drawn: " + e);
                return;
            }
            try {
                List<String> d = disagreements(LitmusGenerator.parse(text));
                if (!d.isEmpty()) {
                    failures.add(String.join("\n", d) + "\n" + text);
                }
            } catch (LitmusProgram.Unsupported | OperationalOracle.Unsupported e) {
                unsupported.incrementAndGet();
            }
            int n = done.incrementAndGet();
            if (n % 10_000 == 0) { // a long run says how far it got
                System.out.printf("oracles: %,d of %,d programs, %d disagree so far, %d ms%n", n, count, failures.size(),
                        (System.nanoTime() - start) / 1_000_000);
            }
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("oracles: %d generated programs (seed %d), %d disagree, %d not runnable, %d ms%n", count, seed,
                failures.size(), unsupported.get(), ms);
        failures.stream().limit(5).forEach(f -> System.out.println("---\n" + f));
        assertThat(failures).as("programs where the checker and an oracle differ").isEmpty();
        assertThat(unsupported.get()).as("programs nothing could run").isLessThanOrEqualTo(count / 50);
    }

    /** What the checker and the oracles disagree on, one line each; empty when they agree. */
    static List<String> disagreements(LitmusAst.Test t) {
        List<String> out = new ArrayList<>();
        Set<String> sc = states(LitmusCheck.run(t, MemoryModels.byId("sc"), true).finalStates());
        Set<String> tso = states(LitmusCheck.run(t, MemoryModels.byId("tso"), true).finalStates());
        LitmusCheck.Outcome lk = LitmusCheck.run(t, MemoryModels.byId("lkmm"), true);
        Set<String> lkmm = states(lk.finalStates());
        if (!lk.dataRace()) {
            // arm64 runs the kernel too; a racy test's behaviour is undefined under LKMM
            missing(out, "armv8", states(LitmusCheck.run(t, MemoryModels.byId("armv8"), true).finalStates()), "lkmm", lkmm);
        }
        Set<String> opSc = states(OperationalOracle.run(t, OperationalOracle.Model.SC).finalStates());
        Set<String> opTso = states(OperationalOracle.run(t, OperationalOracle.Model.TSO).finalStates());
        differ(out, "operational SC", opSc, "sc", sc);
        differ(out, "operational TSO", opTso, "tso", tso);
        missing(out, "operational SC", opSc, "lkmm", lkmm);
        missing(out, "operational TSO", opTso, "lkmm", lkmm);
        return out;
    }

    private static void differ(List<String> out, String a, Set<String> as, String b, Set<String> bs) {
        missing(out, a, as, b, bs);
        missing(out, b, bs, a, as);
    }

    private static void missing(List<String> out, String a, Set<String> as, String b, Set<String> bs) {
        Set<String> only = new TreeSet<>(as);
        only.removeAll(bs);
        if (!only.isEmpty()) {
            out.add(a + " reaches, " + b + " does not: " + only);
        }
    }

    /** A state line as a set of "ref=value" entries, independent of order and separators. */
    static Set<String> states(Set<String> lines) {
        return lines.stream()
                .map(l -> Arrays.stream(l.split(";")).map(String::trim).filter(s -> !s.isEmpty()).sorted()
                        .collect(Collectors.joining("; ")))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
