package dev.tlbrace.harness.litmus.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusReader;
import dev.tlbrace.harness.litmus.oracle.OperationalOracle.Model;
import dev.tlbrace.harness.litmus.oracle.OperationalOracle.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operational oracle on small litmus programs written for these tests, whose final states
 * can be worked out by hand, and on every litmus file of the test resources (it must run them).
 */
class OperationalOracleTest {

    private static LitmusAst.Test read(String text) throws Exception {
        return LitmusReader.read("t.litmus", text);
    }

    private static Set<String> sc(String text) throws Exception {
        return OperationalOracle.run(read(text), Model.SC).finalStates();
    }

    private static Set<String> tso(String text) throws Exception {
        return OperationalOracle.run(read(text), Model.TSO).finalStates();
    }

    private static String observation(String text, Model m) throws Exception {
        LitmusAst.Test t = read(text);
        return OperationalOracle.observation(t, OperationalOracle.run(t, m));
    }

    static final String SB = """
            C sb
            {}
            P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); }
            P1(int *x, int *y) { int r1; WRITE_ONCE(*y, 1); r1 = READ_ONCE(*x); }
            exists (0:r0=0 /\\ 1:r1=0)
            """;

    @Test
    void storeBufferingScForbidsBothZeroTsoAllowsIt() throws Exception {
        assertThat(sc(SB)).containsExactlyInAnyOrder("0:r0=0; 1:r1=1", "0:r0=1; 1:r1=0", "0:r0=1; 1:r1=1");
        assertThat(tso(SB)).containsExactlyInAnyOrder("0:r0=0; 1:r1=0", "0:r0=0; 1:r1=1", "0:r0=1; 1:r1=0",
                "0:r0=1; 1:r1=1");
        assertThat(observation(SB, Model.SC)).isEqualTo("Never");
        assertThat(observation(SB, Model.TSO)).isEqualTo("Sometimes");
    }

    @Test
    void storeBufferingWithFullBarriersIsForbiddenUnderBoth() throws Exception {
        String text = SB.replace("WRITE_ONCE(*x, 1);", "WRITE_ONCE(*x, 1); smp_mb();")
                .replace("WRITE_ONCE(*y, 1);", "WRITE_ONCE(*y, 1); smp_mb();");
        assertThat(observation(text, Model.SC)).isEqualTo("Never");
        assertThat(observation(text, Model.TSO)).isEqualTo("Never");
        assertThat(tso(text)).hasSize(3);
        // smp_store_mb's barrier and an xchg drain the buffer too
        String storeMb = SB.replace("WRITE_ONCE(*x, 1);", "smp_store_mb(*x, 1);")
                .replace("WRITE_ONCE(*y, 1);", "smp_store_mb(*y, 1);");
        assertThat(observation(storeMb, Model.TSO)).isEqualTo("Never");
        String xchg = SB.replace("WRITE_ONCE(*x, 1);", "xchg(x, 1);").replace("WRITE_ONCE(*y, 1);", "xchg_relaxed(y, 1);");
        assertThat(observation(xchg, Model.TSO)).isEqualTo("Never");
        // smp_wmb / release are no fence on x86
        String wmb = SB.replace("WRITE_ONCE(*x, 1);", "smp_store_release(x, 1); smp_wmb();");
        assertThat(observation(wmb, Model.TSO)).isEqualTo("Sometimes");
    }

    static final String MP = """
            C mp
            {}
            P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
            P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = READ_ONCE(*x); }
            exists (1:r0=1 /\\ 1:r1=0)
            """;

    @Test
    void messagePassingIsForbiddenUnderScAndTso() throws Exception {
        assertThat(sc(MP)).containsExactlyInAnyOrder("1:r0=0; 1:r1=0", "1:r0=0; 1:r1=1", "1:r0=1; 1:r1=1");
        assertThat(tso(MP)).isEqualTo(sc(MP));
    }

    @Test
    void theLocksMakeCriticalSectionsAtomic() throws Exception {
        String text = """
                C locked-increment
                { spinlock_t l; }
                P0(spinlock_t *l, int *x) { int r0; spin_lock(l); r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); spin_unlock(l); }
                P1(spinlock_t *l, int *x) { int r0; spin_lock(l); r0 = READ_ONCE(*x); WRITE_ONCE(*x, r0 + 1); spin_unlock(l); }
                locations [0:r0; 1:r0;]
                exists (x=1)
                """;
        assertThat(sc(text)).containsExactlyInAnyOrder("0:r0=0; 1:r0=1; x=2", "0:r0=1; 1:r0=0; x=2");
        assertThat(tso(text)).isEqualTo(sc(text));
        String unlocked = text.replace("spin_lock(l);", "").replace("spin_unlock(l);", "");
        assertThat(sc(unlocked)).contains("0:r0=0; 1:r0=0; x=1");
    }

    @Test
    void trylockAndIsLocked() throws Exception {
        String text = """
                C trylock
                {}
                P0(spinlock_t *l) { int r0; int r1; r0 = spin_trylock(l); r1 = spin_is_locked(l); }
                P1(spinlock_t *l) { int r0; r0 = spin_trylock(l); }
                locations [0:r1;]
                exists (0:r0=1 /\\ 1:r0=1)
                """;
        assertThat(sc(text)).containsExactlyInAnyOrder("0:r0=1; 0:r1=1; 1:r0=0", "0:r0=0; 0:r1=1; 1:r0=1");
        assertThat(tso(text)).isEqualTo(sc(text));
    }

    @Test
    void aDeadlockHasNoFinalState() throws Exception {
        String text = """
                C abba
                {}
                P0(spinlock_t *a, spinlock_t *b) { spin_lock(a); spin_lock(b); spin_unlock(b); spin_unlock(a); }
                P1(spinlock_t *a, spinlock_t *b) { spin_lock(b); spin_lock(a); spin_unlock(a); spin_unlock(b); }
                exists (a=0)
                """;
        Result r = OperationalOracle.run(read(text), Model.SC);
        assertThat(r.finalStates()).containsExactly("a=0");
        String self = """
                C self
                {}
                P0(spinlock_t *a) { spin_lock(a); spin_lock(a); }
                exists (a=1)
                """;
        assertThat(sc(self)).isEmpty();
    }

    static final String RCU = """
            C rcu-gp
            {}
            P0(int *x, int *y) { int r0; int r1; rcu_read_lock(); r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); rcu_read_unlock(); }
            P1(int *x, int *y) { WRITE_ONCE(*x, 1); synchronize_rcu(); WRITE_ONCE(*y, 1); }
            exists (0:r0=0 /\\ 0:r1=1)
            """;

    @Test
    void theGracePeriodForbidsWhatPlainScAllows() throws Exception {
        assertThat(sc(RCU)).containsExactlyInAnyOrder("0:r0=0; 0:r1=0", "0:r0=1; 0:r1=0", "0:r0=1; 0:r1=1");
        assertThat(tso(RCU)).isEqualTo(sc(RCU));
        String nosync = RCU.replace("synchronize_rcu();", "");
        assertThat(sc(nosync)).contains("0:r0=0; 0:r1=1");
        String outside = RCU.replace("rcu_read_lock();", "").replace("rcu_read_unlock();", "");
        assertThat(sc(outside)).contains("0:r0=0; 0:r1=1");
        // nesting: only the outermost unlock ends the section
        String nested = RCU.replace("rcu_read_lock();", "rcu_read_lock(); rcu_read_lock();")
                .replace("r0 = READ_ONCE(*x);", "r0 = READ_ONCE(*x); rcu_read_unlock();");
        assertThat(sc(nested)).doesNotContain("0:r0=0; 0:r1=1");
    }

    @Test
    void srcuGracePeriodsWaitOnlyForTheirOwnStruct() throws Exception {
        String text = """
                C srcu-gp
                {}
                P0(int *x, int *y, struct srcu_struct *s) { int r0; int r1; int i;
                  i = srcu_read_lock(s); r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); srcu_read_unlock(s, i); }
                P1(int *x, int *y, struct srcu_struct *s) { WRITE_ONCE(*x, 1); synchronize_srcu(s); WRITE_ONCE(*y, 1); }
                exists (0:r0=0 /\\ 0:r1=1)
                """;
        assertThat(observation(text, Model.SC)).isEqualTo("Never");
        assertThat(observation(text, Model.TSO)).isEqualTo("Never");
        String other = text.replace("synchronize_srcu(s)", "synchronize_srcu(t)").replace(
                "P1(int *x, int *y, struct srcu_struct *s)", "P1(int *x, int *y, struct srcu_struct *t)");
        assertThat(observation(other, Model.SC)).isEqualTo("Sometimes");
    }

    @Test
    void aFailingCmpxchgWritesNothingAndReturnsTheOldValue() throws Exception {
        String text = """
                C cmpxchg
                { x=2; }
                P0(int *x) { int r0; int r1; r0 = cmpxchg(x, 1, 5); r1 = cmpxchg_relaxed(x, 2, 3); }
                locations [0:r0; 0:r1;]
                exists (x=3)
                """;
        assertThat(sc(text)).containsExactly("0:r0=2; 0:r1=2; x=3");
        String race = """
                C cmpxchg-race
                {}
                P0(int *x) { int r0; r0 = cmpxchg(x, 0, 1); }
                P1(int *x) { int r0; r0 = cmpxchg(x, 0, 2); }
                locations [x;]
                exists (0:r0=0 /\\ 1:r0=0)
                """;
        assertThat(sc(race)).containsExactlyInAnyOrder("0:r0=0; 1:r0=1; x=1", "0:r0=2; 1:r0=0; x=2");
        assertThat(tso(race)).isEqualTo(sc(race));
    }

    @Test
    void atomicsReturnWhatTheCheckerSays() throws Exception {
        String text = """
                C atomics
                { atomic_t a = ATOMIC_INIT(1); }
                P0(atomic_t *a) { int r0; int r1; int r2; int r3; int r4; int r5;
                  r0 = atomic_fetch_add(2, a); r1 = atomic_inc_return(a); r2 = atomic_dec_and_test(a);
                  r3 = atomic_add_unless(a, 5, 3); r4 = atomic_sub_return_relaxed(9, a); r5 = atomic_add_negative(1, a);
                  atomic_inc(a); }
                locations [0:r0; 0:r1; 0:r2; 0:r3; 0:r4; 0:r5;]
                exists (a=0)
                """;
        // 1 -> 3 (r0=1) -> 4 (r1=4) -> 3 (r2=0) -> unless 3: unchanged (r3=0) -> -6 (r4=-6) -> -5 (r5=1) -> -4
        assertThat(sc(text)).containsExactly("0:r0=1; 0:r1=4; 0:r2=0; 0:r3=0; 0:r4=-6; 0:r5=1; a=-4");
    }

    @Test
    void storesThroughPointersReadFromMemory() throws Exception {
        String text = """
                C store-through-read-pointer
                { x1=y1; x2=y2; }
                P0(intptr_t *x1, intptr_t *x2) { intptr_t r3=x2; WRITE_ONCE(*x1, r3); }
                P1(intptr_t *v0, intptr_t *x1) { intptr_t r3=v0; intptr_t r1 = READ_ONCE(*x1); WRITE_ONCE(*(intptr_t *)r1, r3); }
                P2(intptr_t *x2) { intptr_t r1 = READ_ONCE(*x2); }
                exists (1:r1=x2 /\\ 2:r1=v0)
                """;
        Set<String> states = sc(text);
        assertThat(states).contains("1:r1=x2; 2:r1=v0");
        assertThat(states).containsExactlyInAnyOrder("1:r1=x2; 2:r1=v0", "1:r1=x2; 2:r1=y2", "1:r1=y1; 2:r1=y2");
        assertThat(observation(text, Model.SC)).isEqualTo("Sometimes");
    }

    @Test
    void condLoadBlocksUntilItsConditionHolds() throws Exception {
        String text = """
                C cond-load
                {}
                P0(int *x, int *y) { WRITE_ONCE(*y, 1); smp_store_release(x, 2); }
                P1(int *x, int *y) { int r0; int r1; r0 = smp_cond_load_acquire(x, VAL == 2); r1 = READ_ONCE(*y); }
                exists (1:r1=0)
                """;
        assertThat(sc(text)).containsExactly("1:r1=1");
        assertThat(tso(text)).containsExactly("1:r1=1");
    }

    @Test
    void loopsAreBoundedAndControlFlowWorks() throws Exception {
        String text = """
                C loop
                {}
                P0(int *x) { WRITE_ONCE(*x, 1); WRITE_ONCE(*x, 2); }
                P1(int *x) { int r0; int r1 = 0; r0 = READ_ONCE(*x); while (r0 != 2) { r1 = r1 + 1; r0 = READ_ONCE(*x); }
                  if (r1 > 0 && READ_ONCE(*x) == 2) { r1 = r1 + 10; } else { r1 = r1 ? r1 : 7; } }
                exists (1:r1=0)
                """;
        // the loop runs its body at most twice; the if's right operand reads x only when r1 > 0
        assertThat(sc(text)).containsExactlyInAnyOrder("1:r1=7", "1:r1=11", "1:r1=12");
    }

    @Test
    void accessThroughANonPointerIsNoExecution() throws Exception {
        String text = """
                C wild
                {}
                P0(int *x) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*(int *)r0); }
                P1(int *x, int *y) { WRITE_ONCE(*x, y); }
                exists (0:r0=y)
                """;
        assertThat(sc(text)).containsExactly("0:r0=y");
    }

    @Test
    void pointerArithmeticAndRegisterInit() throws Exception {
        String text = """
                C arith
                { int *p = &x; 0:r2=y; }
                P0(int *x, int **p) { int *r0; int r1; int r3; r0 = READ_ONCE(*p); WRITE_ONCE(*(r0 + 1), 4);
                  r1 = READ_ONCE(*(r2 - 0)); r3 = READ_ONCE(*(1 + x)); }
                exists (0:r0=x /\\ 0:r1=0 /\\ 0:r3=4 /\\ x=0)
                """;
        assertThat(sc(text)).containsExactly("0:r0=x; 0:r1=0; 0:r3=4; x=0");
    }

    @Test
    void filterDropsStates() throws Exception {
        String text = """
                C filtered
                {}
                P0(int *x) { WRITE_ONCE(*x, 1); }
                P1(int *x) { int r0; r0 = READ_ONCE(*x); }
                filter (1:r0=1)
                exists (x=1)
                """;
        assertThat(sc(text)).containsExactly("1:r0=1; x=1");
    }

    @Test
    void unknownFunctionsAreUnsupported() {
        assertThatThrownBy(() -> sc("""
                C unknown
                {}
                P0(int *x) { frobnicate(x); }
                exists (x=0)
                """)).isInstanceOf(OperationalOracle.Unsupported.class).hasMessageContaining("frobnicate");
    }

    @Test
    void runsEveryResourceFile() throws Exception {
        Path dir = Path.of("src/test/resources/litmus");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".litmus")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(50);
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            LitmusAst.Test t = LitmusReader.read(f.toString(), Files.readString(f));
            for (Model m : Model.values()) {
                try {
                    Result r = OperationalOracle.run(t, m);
                    if (r.finalStates().isEmpty() && !f.toString().contains("deadlock")) {
                        bad.add(f.getFileName() + " " + m + ": no final state");
                    }
                } catch (OperationalOracle.Unsupported e) {
                    bad.add(f.getFileName() + " " + m + ": " + e.getMessage());
                }
            }
        }
        assertThat(bad).isEmpty();
    }
}
