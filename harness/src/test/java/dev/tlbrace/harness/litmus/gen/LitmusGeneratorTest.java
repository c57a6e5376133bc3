package dev.tlbrace.harness.litmus.gen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.gen.LitmusGenerator.Options;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The random litmus generator: deterministic, every program readable, every feature drawn
 * often, and (nearly) every program given a verdict by the checker, fast enough for
 * differential runs of thousands of programs.
 *
 * <p>A long run: {@code mvn -B -q -pl harness -am test -Dtest=LitmusGeneratorTest
 * -Dtlbrace.gen.count=100000 -Dtlbrace.gen.seed=42} (the count and seed of
 * {@link #everyProgramGetsAVerdictQuickly}).
 */
class LitmusGeneratorTest {
    static final long SEED = 20240601L;

    /** Feature name to the pattern that finds it in a program's text. */
    static final Map<String, Pattern> FEATURES = new LinkedHashMap<>();

    static {
        String[] plainFeatures = {
            "READ_ONCE(", "WRITE_ONCE(", "smp_load_acquire(", "smp_store_release(", "rcu_dereference(",
            "rcu_assign_pointer(", "atomic_read(", "atomic_set(", "smp_store_mb(", "smp_mb();", "smp_rmb();",
            "smp_wmb();", "barrier();", "smp_mb__before_atomic();", "smp_mb__after_atomic();",
            "smp_mb__after_spinlock();", "smp_mb__after_unlock_lock();", " xchg(", "xchg_relaxed(",
            "xchg_acquire(", "xchg_release(", " cmpxchg(", "cmpxchg_relaxed(", "cmpxchg_acquire(",
            "cmpxchg_release(", "atomic_inc(", "atomic_add(", "atomic_fetch_add", "atomic_add_return",
            "atomic_inc_return(", "atomic_dec_and_test(", "spin_lock(", "spin_unlock(", "spin_trylock(",
            "spin_is_locked(", "rcu_read_lock();", "synchronize_rcu();", "srcu_read_lock(", "synchronize_srcu(",
            "intptr_t ", "} else {", "~exists", "forall", "filter (", "\\/", "/\\", "ATOMIC_INIT(",
        };
        for (String f : plainFeatures) {
            FEATURES.put(f, Pattern.compile(Pattern.quote(f)));
        }
        FEATURES.put("exists", Pattern.compile("(?m)^exists"));
        FEATURES.put("plain load", Pattern.compile("r\\d+ = \\*\\w+;"));
        FEATURES.put("plain store", Pattern.compile("(?m)^\\s+\\*\\w+ = "));
        FEATURES.put("pointer init int *p = &", Pattern.compile("int \\*p = &"));
        FEATURES.put("pointer init p=y", Pattern.compile("(?m)^\\tp=\\w+;"));
        FEATURES.put("read through a read pointer", Pattern.compile("READ_ONCE\\(\\*r\\d+\\)|= \\*r\\d+;"));
        FEATURES.put("write through a read pointer", Pattern.compile("WRITE_ONCE\\(\\*r\\d+|smp_store_release\\(r\\d+"));
        FEATURES.put("publish", Pattern.compile("(WRITE_ONCE\\(\\*p|rcu_assign_pointer\\(\\*p|smp_store_release\\(p), [a-z]\\)"));
        FEATURES.put("branch", Pattern.compile("if \\(r\\d+"));
        FEATURES.put("data dependency", Pattern.compile("(WRITE_ONCE|smp_store_release|atomic_set|xchg|cmpxchg)\\w*\\([^)]*, r\\d+( \\+ 1)?\\)"));
        FEATURES.put("cmpxchg that cannot succeed", Pattern.compile("cmpxchg\\w*\\(\\w+, 7,"));
        FEATURES.put("4 CPUs", Pattern.compile("(?m)^P3\\("));
        FEATURES.put("pointer value in the condition", Pattern.compile("\\d:r\\d+!?=[a-z]\\b"));
    }

    @Test
    void sameSeedSameText() {
        LitmusGenerator a = new LitmusGenerator(7);
        LitmusGenerator b = new LitmusGenerator(7);
        for (int i = 0; i < 50; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
        assertThat(new LitmusGenerator(7).next()).isNotEqualTo(new LitmusGenerator(8).next());
        assertThat(LitmusGenerator.generate(7, 3, Options.ALL)).isEqualTo(nth(new LitmusGenerator(7), 3));
        assertThat(new LitmusGenerator(7).next()).startsWith("C gen-7-0\n");
    }

    private static String nth(LitmusGenerator g, int n) {
        String s = null;
        for (int i = 0; i <= n; i++) {
            s = g.next();
        }
        return s;
    }

    @Test
    void everyProgramParsesAndEveryFeatureOccurs() {
        LitmusGenerator g = new LitmusGenerator(SEED);
        Map<String, Integer> counts = new TreeMap<>();
        FEATURES.keySet().forEach(f -> counts.put(f, 0));
        for (int i = 0; i < 500; i++) {
            String text = g.next();
            LitmusAst.Test t = LitmusGenerator.parse(text);
            assertThat(t.procs().size()).as(text).isBetween(2, 4);
            assertLocationsComplete(t, text);
            FEATURES.forEach((f, p) -> {
                if (p.matcher(text).find()) {
                    counts.merge(f, 1, Integer::sum);
                }
            });
        }
        System.out.println("LitmusGenerator features in 500 programs (seed " + SEED + "): " + counts);
        // the rarest primitives come up about 10 times in 500: a feature the weights lost shows as 0
        counts.forEach((f, n) -> assertThat(n).as("programs with " + f).isGreaterThanOrEqualTo(5));
    }

    /** The locations line names every register declared and every location a CPU takes. */
    static void assertLocationsComplete(LitmusAst.Test t, String text) {
        List<String> listed = t.locations().stream().map(r -> r.proc() + ":" + r.name()).toList();
        for (LitmusAst.Proc p : t.procs()) {
            for (LitmusAst.Param param : p.params()) {
                assertThat(listed).as(text).contains("-1:" + param.name());
            }
            for (LitmusAst.Stmt s : p.body()) {
                if (s instanceof LitmusAst.Decl d) {
                    assertThat(listed).as(text).contains(p.index() + ":" + d.name());
                }
            }
        }
    }

    @Test
    void featureMixesAreHonoured() {
        LitmusGenerator g = new LitmusGenerator(SEED, Options.lockFree().withPointers(false).withPlain(false));
        for (int i = 0; i < 200; i++) {
            String text = g.next();
            LitmusGenerator.parse(text);
            assertThat(text).doesNotContain("spin_", "rcu_read_lock", "srcu", "synchronize", "int **p", "= *r");
            assertThat(Pattern.compile("r\\d+ = \\*\\w+;|(?m)^\\s+\\*\\w+ = ").matcher(text).find()).as(text).isFalse();
        }
        LitmusGenerator m = new LitmusGenerator(SEED, Options.marked().withSize(2, 3));
        for (int i = 0; i < 200; i++) {
            String text = m.next();
            LitmusAst.Test t = LitmusGenerator.parse(text);
            assertThat(t.procs()).hasSize(2);
            assertThat(text).doesNotContain("xchg", "atomic", "spin_");
        }
    }
}
