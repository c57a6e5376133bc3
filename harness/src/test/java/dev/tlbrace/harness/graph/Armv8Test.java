package dev.tlbrace.harness.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusReader;
import org.junit.jupiter.api.Test;

/**
 * {@code armv8} on small litmus tests written for this class, each a shape whose ARMv8 verdict
 * is the documented one (Pulte et al. POPL 2018; herdtools7's AArch64 catalogue): what ARM
 * forbids and, as importantly, what it allows that the kernel's model also allows (LB) or
 * that a weaker fence does not order (MP+wmb+ctrl).
 */
class Armv8Test {

    static LitmusCheck.Outcome run(String text) throws Exception {
        return LitmusCheck.run(LitmusReader.read("t.litmus", text), MemoryModels.byId("armv8"), true);
    }

    static String observed(String text) throws Exception {
        return run(text).observed();
    }

    /** A two-CPU test over x and y: P0's and P1's bodies and the exists clause. */
    static String two(String p0, String p1, String exists) {
        return "C t\n{}\nP0(int *x, int *y)\n{\n" + p0 + "\n}\n\nP1(int *x, int *y)\n{\n" + p1 + "\n}\n\nexists (" + exists
                + ")\n";
    }

    static final String MP_EXISTS = "1:r0=1 /\\ 1:r1=0";
    static final String SB_EXISTS = "0:r0=0 /\\ 1:r0=0";

    @Test
    void messagePassingNeedsOrderOnBothSides() throws Exception {
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nint r1 = READ_ONCE(*x);", MP_EXISTS))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nint r1 = READ_ONCE(*x);", MP_EXISTS))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nsmp_rmb();\nint r1 = READ_ONCE(*x);", MP_EXISTS))).isEqualTo("Never");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_store_release(y, 1);",
                "int r0 = smp_load_acquire(y);\nint r1 = READ_ONCE(*x);", MP_EXISTS))).isEqualTo("Never");
    }

    @Test
    void anAddressDependencyOrdersReadsAControlDependencyDoesNot() throws Exception {
        String addr = """
            C t
            { int *p = &z; }
            P0(int *x, int **p)
            {
                WRITE_ONCE(*x, 1);
                smp_wmb();
                WRITE_ONCE(*p, x);
            }
            P1(int *x, int **p)
            {
                int *r0 = READ_ONCE(*p);
                int r1 = READ_ONCE(*r0);
            }
            exists (1:r0=x /\\ 1:r1=0)
            """;
        assertThat(observed(addr)).isEqualTo("Never");
        // ctrl orders a later write, not a later read: ARM speculates the read past the branch
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "int r1 = 0;\nint r0 = READ_ONCE(*y);\nif (r0) { r1 = READ_ONCE(*x); }", MP_EXISTS))).isEqualTo("Sometimes");
    }

    @Test
    void storeBufferingNeedsAFullBarrierOrAFullyOrderedRmw() throws Exception {
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nint r0 = READ_ONCE(*y);",
                "WRITE_ONCE(*y, 1);\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_mb();\nint r0 = READ_ONCE(*y);",
                "WRITE_ONCE(*y, 1);\nsmp_mb();\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Never");
        // release then acquire is ordered on ARM (RCsc LDAR after STLR)
        assertThat(observed(two("smp_store_release(x, 1);\nint r0 = smp_load_acquire(y);",
                "smp_store_release(y, 1);\nint r0 = smp_load_acquire(x);", SB_EXISTS))).isEqualTo("Never");
        // release then plain read is not
        assertThat(observed(two("smp_store_release(x, 1);\nint r0 = READ_ONCE(*y);",
                "smp_store_release(y, 1);\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Sometimes");
    }

    @Test
    void aFullyOrderedRmwOrdersBeforeWithAfterAndItsOwnWriteWithAfter() throws Exception {
        // an xchg on a third location between the store and the load (SWPAL as a barrier)
        String between = """
            C t
            {}
            P0(int *x, int *y, int *z)
            {
                WRITE_ONCE(*x, 1);
                int r1 = xchg(z, 1);
                int r0 = READ_ONCE(*y);
            }
            P1(int *x, int *y, int *z)
            {
                WRITE_ONCE(*y, 1);
                int r1 = xchg(z, 2);
                int r0 = READ_ONCE(*x);
            }
            exists (0:r0=0 /\\ 1:r0=0)
            """;
        assertThat(observed(between)).isEqualTo("Never");
        // the xchg is the store: range([A];amo;[L]);po (herdtools7 PR #322)
        assertThat(observed(two("int r1 = xchg(x, 1);\nint r0 = READ_ONCE(*y);",
                "int r1 = xchg(y, 1);\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Never");
        assertThat(observed(two("int r1 = atomic_add_return(1, x);\nint r0 = READ_ONCE(*y);",
                "int r1 = atomic_add_return(1, y);\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Never");
        // relaxed and non-returning RMWs order nothing
        assertThat(observed(two("int r1 = xchg_relaxed(x, 1);\nint r0 = READ_ONCE(*y);",
                "int r1 = xchg_relaxed(y, 1);\nint r0 = READ_ONCE(*x);", SB_EXISTS))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\natomic_inc(z);\nint r0 = READ_ONCE(*y);",
                "WRITE_ONCE(*y, 1);\natomic_inc(z);\nint r0 = READ_ONCE(*x);", SB_EXISTS).replace("int *y)", "int *y, int *z)")))
                .isEqualTo("Sometimes");
        // smp_mb__after_atomic makes the non-returning one a barrier (arm64: smp_mb())
        assertThat(observed(two("WRITE_ONCE(*x, 1);\natomic_inc(z);\nsmp_mb__after_atomic();\nint r0 = READ_ONCE(*y);",
                "WRITE_ONCE(*y, 1);\natomic_inc(z);\nsmp_mb__after_atomic();\nint r0 = READ_ONCE(*x);", SB_EXISTS)
                .replace("int *y)", "int *y, int *z)"))).isEqualTo("Never");
    }

    @Test
    void aFailedCmpxchgOrdersNothing() throws Exception {
        // z is never 5: every cmpxchg fails, and the LL/SC form skips its dmb ish
        String failed = """
            C t
            {}
            P0(int *x, int *y, int *z)
            {
                WRITE_ONCE(*x, 1);
                int r1 = cmpxchg(z, 5, 1);
                int r0 = READ_ONCE(*y);
            }
            P1(int *x, int *y, int *z)
            {
                WRITE_ONCE(*y, 1);
                int r1 = cmpxchg(z, 5, 2);
                int r0 = READ_ONCE(*x);
            }
            exists (0:r0=0 /\\ 1:r0=0)
            """;
        assertThat(observed(failed)).isEqualTo("Sometimes");
        // on two locations both succeed (CASAL): SB is forbidden
        assertThat(observed(failed.replace("5, ", "0, ").replace("cmpxchg(z, 0, 2)", "cmpxchg(w, 0, 2)")
                .replace("int *z)", "int *z, int *w)"))).isEqualTo("Never");
        // on one location one of them fails, and its CPU is unordered
        assertThat(observed(failed.replace("5, ", "0, "))).isEqualTo("Sometimes");
    }

    @Test
    void loadBufferingIsAllowedUnlessDependenciesOrderIt() throws Exception {
        String lb = "1:r0=1 /\\ 0:r0=1";
        assertThat(observed(two("int r0 = READ_ONCE(*x);\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nWRITE_ONCE(*x, 1);", lb))).isEqualTo("Sometimes");
        assertThat(observed(two("int r0 = READ_ONCE(*x);\nWRITE_ONCE(*y, r0);",
                "int r0 = READ_ONCE(*y);\nWRITE_ONCE(*x, r0);", lb))).isEqualTo("Never");
        assertThat(observed(two("int r0 = READ_ONCE(*x);\nif (r0) { WRITE_ONCE(*y, 1); }",
                "int r0 = READ_ONCE(*y);\nif (r0) { WRITE_ONCE(*x, 1); }", lb))).isEqualTo("Never");
    }

    @Test
    void iriwWithFullBarriersIsForbiddenOtherMultiCopyAtomicity() throws Exception {
        String iriw = """
            C t
            {}
            P0(int *x) { WRITE_ONCE(*x, 1); }
            P1(int *x, int *y) { int r0 = READ_ONCE(*x); %s int r1 = READ_ONCE(*y); }
            P2(int *y) { WRITE_ONCE(*y, 1); }
            P3(int *x, int *y) { int r0 = READ_ONCE(*y); %s int r1 = READ_ONCE(*x); }
            exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)
            """;
        assertThat(observed(iriw.formatted("", ""))).isEqualTo("Sometimes");
        assertThat(observed(iriw.formatted("smp_mb();", "smp_mb();"))).isEqualTo("Never");
        // on ARM, unlike Power, dependencies alone suffice: a read is ordered as soon as it is satisfied
        assertThat(observed(iriw.formatted("smp_rmb();", "smp_rmb();"))).isEqualTo("Never");
    }

    @Test
    void wrcWithADependencyAndABarrierIsForbidden() throws Exception {
        String wrc = """
            C t
            {}
            P0(int *x) { WRITE_ONCE(*x, 1); }
            P1(int *x, int *y) { int r0 = READ_ONCE(*x); %s }
            P2(int *x, int *y) { int r0 = READ_ONCE(*y); %s }
            exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
            """;
        assertThat(observed(wrc.formatted("WRITE_ONCE(*y, 1);", "int r1 = READ_ONCE(*x);"))).isEqualTo("Sometimes");
        // WRC+data+addr: the data-dependent write, then an address dependency (through r0 ^ r0)
        assertThat(observed(wrc.formatted("WRITE_ONCE(*y, r0);", "int *p = x + (r0 ^ r0);\nint r1 = READ_ONCE(*p);")))
                .isEqualTo("Never");
    }

    @Test
    void coherenceAndTwoPlusTwoWritesAndRAndS() throws Exception {
        assertThat(observed(two("WRITE_ONCE(*x, 1);", "int r0 = READ_ONCE(*x);\nint r1 = READ_ONCE(*x);",
                "1:r0=1 /\\ 1:r1=0"))).isEqualTo("Never");
        String twoTwoW = "x=1 /\\ y=1";
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nWRITE_ONCE(*y, 2);", "WRITE_ONCE(*y, 1);\nWRITE_ONCE(*x, 2);",
                twoTwoW))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 2);",
                "WRITE_ONCE(*y, 1);\nsmp_wmb();\nWRITE_ONCE(*x, 2);", twoTwoW))).isEqualTo("Never");
        // R: the second CPU's write-to-read needs its full barrier; the first CPU's write-to-write
        // needs only DMB ISHST on ARM (multi-copy atomic), where the kernel's model asks for smp_mb()
        String r = "y=2 /\\ 1:r0=0";
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "WRITE_ONCE(*y, 2);\nint r0 = READ_ONCE(*x);", r))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nWRITE_ONCE(*y, 1);",
                "WRITE_ONCE(*y, 2);\nsmp_mb();\nint r0 = READ_ONCE(*x);", r))).isEqualTo("Sometimes");
        assertThat(observed(two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "WRITE_ONCE(*y, 2);\nsmp_mb();\nint r0 = READ_ONCE(*x);", r))).isEqualTo("Never");
        // S: wmb, then a data dependency to the write
        String s = "x=2 /\\ 1:r0=1";
        assertThat(observed(two("WRITE_ONCE(*x, 2);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nWRITE_ONCE(*x, r0);", s))).isEqualTo("Never");
        assertThat(observed(two("WRITE_ONCE(*x, 2);\nWRITE_ONCE(*y, 1);",
                "int r0 = READ_ONCE(*y);\nWRITE_ONCE(*x, r0);", s))).isEqualTo("Sometimes");
    }

    @Test
    void locksAndSrcuActAsArm64CompilesThem() throws Exception {
        String mpLock = """
            C t
            {}
            P0(int *x, int *y, spinlock_t *s) { spin_lock(s); WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); spin_unlock(s); }
            P1(int *x, int *y, spinlock_t *s) { spin_lock(s); int r0 = READ_ONCE(*y); int r1 = READ_ONCE(*x); spin_unlock(s); }
            exists (1:r0=1 /\\ 1:r1=0)
            """;
        assertThat(observed(mpLock)).isEqualTo("Never");
        // srcu_read_lock's smp_mb() (Tree SRCU) orders a store before it with a load after it
        String sbSrcu = """
            C t
            {}
            P0(int *x, int *y, struct srcu_struct *s) { WRITE_ONCE(*x, 1); int i = srcu_read_lock(s); int r0 = READ_ONCE(*y); srcu_read_unlock(s, i); }
            P1(int *x, int *y) { WRITE_ONCE(*y, 1); smp_mb(); int r0 = READ_ONCE(*x); }
            exists (0:r0=0 /\\ 1:r0=0)
            """;
        assertThat(observed(sbSrcu)).isEqualTo("Never");
        assertThat(observed(sbSrcu.replace("int i = srcu_read_lock(s); ", "").replace(" srcu_read_unlock(s, i);", "")))
                .isEqualTo("Sometimes");
    }

    @Test
    void noDataRaceFlagAndTheAxiomsNamedAsTheCatNamesThem() throws Exception {
        LitmusCheck.Outcome o = run(two("*x = 1;\n*y = 1;", "int r0 = *y;\nint r1 = *x;", MP_EXISTS));
        assertThat(o.observed()).isEqualTo("Sometimes");
        assertThat(o.flags()).isEmpty();
        assertThat(MemoryModels.byId("armv8").id()).isEqualTo("armv8");
    }

    @Test
    void whatLkmmAllowsAndArm64CannotDo() throws Exception {
        // store-release then load-acquire: RCsc on ARM ([L]; po; [A]); LKMM, for Power's lwsync, does not order them
        String sb = two("smp_store_release(x, 1);\nint r0 = smp_load_acquire(y);",
                "smp_store_release(y, 1);\nint r0 = smp_load_acquire(x);", SB_EXISTS);
        assertThat(observed(sb)).isEqualTo("Never");
        assertThat(LitmusCheck.run(LitmusReader.read("t.litmus", sb), new Lkmm(), true).observed()).isEqualTo("Sometimes");
        // R+wmb+mb: ARM is other-multi-copy-atomic, so DMB ISHST, the coherence edge and DMB ISH close a
        // cycle in ob; LKMM, for Power (R+lwsync+sync is observed there), starts no propagation from a coe
        String r = two("WRITE_ONCE(*x, 1);\nsmp_wmb();\nWRITE_ONCE(*y, 1);",
                "WRITE_ONCE(*y, 2);\nsmp_mb();\nint r0 = READ_ONCE(*x);", "y=2 /\\ 1:r0=0");
        assertThat(observed(r)).isEqualTo("Never");
        assertThat(LitmusCheck.run(LitmusReader.read("t.litmus", r), new Lkmm(), true).observed()).isEqualTo("Sometimes");
    }

    @Test
    void theGracePeriodWaitsForTheReader() throws Exception {
        // RCU message passing: synchronize_rcu() is DMB ISH on arm64, which alone orders only the
        // writer's CPU; the reader's section is ordered by the grace period waiting for it.
        String rcuMp = """
            C t
            {}
            P0(int *x, int *y) { rcu_read_lock(); int r0 = READ_ONCE(*y); int r1 = READ_ONCE(*x); rcu_read_unlock(); }
            P1(int *x, int *y) { WRITE_ONCE(*x, 1); synchronize_rcu(); WRITE_ONCE(*y, 1); }
            exists (0:r0=1 /\\ 0:r1=0)
            """;
        assertThat(LitmusCheck.run(LitmusReader.read("t.litmus", rcuMp), new Lkmm(), true).observed()).isEqualTo("Never");
        assertThat(observed(rcuMp)).isEqualTo("Never");
        assertThat(observed(rcuMp.replace("rcu_read_lock(); ", "").replace(" rcu_read_unlock();", "")))
                .as("no section, nothing to wait for").isEqualTo("Sometimes");
    }
}
