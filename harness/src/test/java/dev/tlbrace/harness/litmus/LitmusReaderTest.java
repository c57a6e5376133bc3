package dev.tlbrace.harness.litmus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.harness.litmus.LitmusAst.Addr;
import dev.tlbrace.harness.litmus.LitmusAst.AddrOf;
import dev.tlbrace.harness.litmus.LitmusAst.And;
import dev.tlbrace.harness.litmus.LitmusAst.Assign;
import dev.tlbrace.harness.litmus.LitmusAst.Atom;
import dev.tlbrace.harness.litmus.LitmusAst.Binary;
import dev.tlbrace.harness.litmus.LitmusAst.Block;
import dev.tlbrace.harness.litmus.LitmusAst.Call;
import dev.tlbrace.harness.litmus.LitmusAst.Cond;
import dev.tlbrace.harness.litmus.LitmusAst.Const;
import dev.tlbrace.harness.litmus.LitmusAst.Decl;
import dev.tlbrace.harness.litmus.LitmusAst.Deref;
import dev.tlbrace.harness.litmus.LitmusAst.Expr;
import dev.tlbrace.harness.litmus.LitmusAst.ExprStmt;
import dev.tlbrace.harness.litmus.LitmusAst.If;
import dev.tlbrace.harness.litmus.LitmusAst.Implies;
import dev.tlbrace.harness.litmus.LitmusAst.Init;
import dev.tlbrace.harness.litmus.LitmusAst.Not;
import dev.tlbrace.harness.litmus.LitmusAst.Num;
import dev.tlbrace.harness.litmus.LitmusAst.Or;
import dev.tlbrace.harness.litmus.LitmusAst.Param;
import dev.tlbrace.harness.litmus.LitmusAst.Proc;
import dev.tlbrace.harness.litmus.LitmusAst.Quantifier;
import dev.tlbrace.harness.litmus.LitmusAst.Ref;
import dev.tlbrace.harness.litmus.LitmusAst.RefOperand;
import dev.tlbrace.harness.litmus.LitmusAst.Result;
import dev.tlbrace.harness.litmus.LitmusAst.Stmt;
import dev.tlbrace.harness.litmus.LitmusAst.Ternary;
import dev.tlbrace.harness.litmus.LitmusAst.True;
import dev.tlbrace.harness.litmus.LitmusAst.Unary;
import dev.tlbrace.harness.litmus.LitmusAst.ValueOperand;
import dev.tlbrace.harness.litmus.LitmusAst.Var;
import dev.tlbrace.harness.litmus.LitmusAst.While;
import dev.tlbrace.harness.litmus.LitmusReader.LitmusSyntaxError;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LitmusReader} on small litmus texts written for these tests, in the shapes the kernel
 * community writes (luc-style generated headers, hand-written tests, LISA tables), and on broken
 * ones, whose errors must name the right line.
 */
class LitmusReaderTest {

    private static LitmusAst.Test read(String text) throws LitmusSyntaxError {
        return LitmusReader.read("t.litmus", text);
    }

    // ---- tree builders: line numbers are those of the text blocks below, counting from 1 -------

    private static Var v(String name, int line) {
        return new Var(name, line);
    }

    private static Deref deref(Expr e, int line) {
        return new Deref(e, line);
    }

    private static Call call(String f, int line, Expr... args) {
        return new Call(f, List.of(args), line);
    }

    private static Const c(long n) {
        return new Const(n);
    }

    private static ExprStmt stmt(Expr e, int line) {
        return new ExprStmt(e, line);
    }

    private static Atom atom(int proc, String name, long value) {
        return new Atom(new Ref(proc, name), "=", new ValueOperand(new Num(value)));
    }

    private static Proc proc(LitmusAst.Test t, int i) {
        return t.procs().get(i);
    }

    // ---- the C dialect ---------------------------------------------------------------------------

    @Test
    void aGeneratedHeaderIsSkippedAndItsResultCommentKept() throws Exception {
        LitmusAst.Test t = read("""
            C C-MP+pooncerelease.x-y+poacquireonce
            "PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce"
            Cycle=RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce PodWWOnceRelease
            Relax=
            Safe=RfeReleaseAcquire PodWWOnceRelease
            Prefetch=0:x=F,0:y=W,1:y=F,1:x=T
            Com=Rf Fr
            Orig=PodWWOnceRelease RfeReleaseAcquire PodRRAcquireOnce FreOnceOnce
            (* Result: Never *)
            {
            }

            P0(int *x, int *y)
            {
            	WRITE_ONCE(*x, 1);
            	smp_store_release(y, 1);
            }

            P1(int *x, int *y)
            {
            	r0 = smp_load_acquire(y);
            	r1 = READ_ONCE(*x);
            }

            exists
            (1:r0=1 /\\ 1:r1=0)
            """);
        assertThat(t.file()).isEqualTo("t.litmus");
        assertThat(t.name()).isEqualTo("C-MP+pooncerelease.x-y+poacquireonce");
        assertThat(t.result()).isEqualTo(new Result("Never", false, "Never"));
        assertThat(t.init()).isEmpty();
        assertThat(t.procs()).hasSize(2);
        assertThat(proc(t, 0)).isEqualTo(new Proc(0, List.of(new Param("int *", "x"), new Param("int *", "y")),
            List.of(stmt(call("WRITE_ONCE", 15, deref(v("x", 15), 15), c(1)), 15),
                stmt(call("smp_store_release", 16, v("y", 16), c(1)), 16)),
            13));
        assertThat(proc(t, 1).body()).containsExactly(
            new Assign(v("r0", 21), call("smp_load_acquire", 21, v("y", 21)), 21),
            new Assign(v("r1", 22), call("READ_ONCE", 22, deref(v("x", 22), 22)), 22));
        assertThat(t.locations()).isEmpty();
        assertThat(t.filter()).isNull();
        assertThat(t.quantifier()).isEqualTo(Quantifier.EXISTS);
        assertThat(t.condition()).isEqualTo(new And(atom(1, "r0", 1), atom(1, "r1", 0)));
    }

    @Test
    void registersMayBeUndeclaredOrOfAnyTypeAndDeclarationsExpand() throws Exception {
        LitmusAst.Test t = read("""
            C regs
            {}
            P0(int *x, intptr_t *p, int **pp, struct srcu_struct *s, volatile int* w)
            {
            	intptr_t r1;
            	int r2, *r3 = &x;
            	unsigned long r4 = 7;
            	r0 = READ_ONCE(*x);
            }
            exists (0:r0=0)
            """);
        Proc p = proc(t, 0);
        assertThat(p.params()).containsExactly(new Param("int *", "x"), new Param("intptr_t *", "p"),
            new Param("int **", "pp"), new Param("struct srcu_struct *", "s"), new Param("volatile int *", "w"));
        assertThat(p.body()).containsExactly(
            new Decl("intptr_t", "r1", null, 5),
            new Decl("int", "r2", null, 6),
            new Decl("int *", "r3", new AddrOf(v("x", 6), 6), 6),
            new Decl("unsigned long", "r4", c(7), 7),
            new Assign(v("r0", 8), call("READ_ONCE", 8, deref(v("x", 8), 8)), 8));
    }

    @Test
    void initEntriesOfEveryShape() throws Exception {
        LitmusAst.Test t = read("""
            C inits
            {
            	int *p = &x;
            	x1=y1; (* x1 holds y1's address *)
            	0:r1=x;
            	P1:r2 = -3;
            	spinlock_t l;
            	atomic_t a = ATOMIC_INIT(2);
            	unsigned long u;
            	int* q = 1;
            	z = 0x10;
            	int 1:r4;
            	/* a C comment */ struct srcu_struct s
            }
            P0() { }
            P1(void) { }
            exists (x=1)
            """);
        assertThat(t.init()).containsExactly(
            new Init(-1, "p", "int *", new Addr("x"), 3),
            new Init(-1, "x1", null, new Addr("y1"), 4),
            new Init(0, "r1", null, new Addr("x"), 5),
            new Init(1, "r2", null, new Num(-3), 6),
            new Init(-1, "l", "spinlock_t", null, 7),
            new Init(-1, "a", "atomic_t", new Num(2), 8),
            new Init(-1, "u", "unsigned long", null, 9),
            new Init(-1, "q", "int *", new Num(1), 10),
            new Init(-1, "z", null, new Num(16), 11),
            new Init(1, "r4", "int", null, 12),
            new Init(-1, "s", "struct srcu_struct", null, 13));
        assertThat(t.procs()).extracting(Proc::params).containsExactly(List.of(), List.of());
    }

    @Test
    void plainAccessesAreDerefs() throws Exception {
        LitmusAst.Test t = read("""
            C plain
            {}
            P0(int *x, int *y)
            {
            	*x = 1;
            	r = *y;
            	*r = r + 1;
            }
            exists (x=1)
            """);
        assertThat(proc(t, 0).body()).containsExactly(
            new Assign(deref(v("x", 5), 5), c(1), 5),
            new Assign(v("r", 6), deref(v("y", 6), 6), 6),
            new Assign(deref(v("r", 7), 7), new Binary("+", v("r", 7), c(1)), 7));
    }

    @Test
    void ifElseWhileCompoundAssignmentsAndCasts() throws Exception {
        LitmusAst.Test t = read("""
            C control
            {}
            P0(int *x, int *f, int **pp)
            {
            	if (r0 == 1) {
            		WRITE_ONCE(*x, 1);
            	} else
            		(void)xchg(x, 2);
            	while (!READ_ONCE(*f))
            		;
            	r0 += 2;
            	r0++;
            	r1 = (int *)READ_ONCE(*pp);
            	if (r1) ; else { }
            }
            exists (x=1)
            """);
        assertThat(proc(t, 0).body()).containsExactly(
            new If(new Binary("==", v("r0", 5), c(1)),
                new Block(List.of(stmt(call("WRITE_ONCE", 6, deref(v("x", 6), 6), c(1)), 6)), 5),
                stmt(call("xchg", 8, v("x", 8), c(2)), 8), 5),
            new While(new Unary("!", call("READ_ONCE", 9, deref(v("f", 9), 9))), new Block(List.of(), 10), 9),
            new Assign(v("r0", 11), new Binary("+", v("r0", 11), c(2)), 11),
            new Assign(v("r0", 12), new Binary("+", v("r0", 12), c(1)), 12),
            new Assign(v("r1", 13), call("READ_ONCE", 13, deref(v("pp", 13), 13)), 13),
            new If(v("r1", 14), new Block(List.of(), 14), new Block(List.of(), 14), 14));
    }

    @Test
    void expressionsBindAsInC() throws Exception {
        LitmusAst.Test t = read("""
            C prec
            {}
            P0(int *x)
            {
            	r = a + b * c << 1 == d && !e | 1 || f ? -1 : ~g - -2;
            }
            exists (x=1)
            """);
        Var a = v("a", 5);
        Expr left = new Binary("||",
            new Binary("&&",
                new Binary("==", new Binary("<<", new Binary("+", a, new Binary("*", v("b", 5), v("c", 5))), c(1)),
                    v("d", 5)),
                new Binary("|", new Unary("!", v("e", 5)), c(1))),
            v("f", 5));
        assertThat(proc(t, 0).body()).containsExactly(new Assign(v("r", 5),
            new Ternary(left, c(-1), new Binary("-", new Unary("~", v("g", 5)), c(-2))), 5));
    }

    @Test
    void locationsFilterAndExists() throws Exception {
        LitmusAst.Test t = read("""
            C tail
            {}
            P0(int *x) { r1 = READ_ONCE(*x); }
            P1(int *y) { r1 = 1; }
            locations [x; 0:r1; y;]
            filter (0:r1=1 /\\ ~x=2)  (* only these *)
            exists 0:r1=y \\/ [y]=1 /\\ 1:r1=0:r1 \\/ x!=0
            (* a closing remark *)
            """);
        assertThat(t.locations()).containsExactly(new Ref(-1, "x"), new Ref(0, "r1"), new Ref(-1, "y"));
        assertThat(t.filter()).isEqualTo(new And(atom(0, "r1", 1), new Not(atom(-1, "x", 2))));
        assertThat(t.quantifier()).isEqualTo(Quantifier.EXISTS);
        Cond yAddr = new Atom(new Ref(0, "r1"), "=", new ValueOperand(new Addr("y")));
        Cond and = new And(atom(-1, "y", 1), new Atom(new Ref(1, "r1"), "=", new RefOperand(new Ref(0, "r1"))));
        Cond neq = new Atom(new Ref(-1, "x"), "!=", new ValueOperand(new Num(0)));
        assertThat(t.condition()).isEqualTo(new Or(new Or(yAddr, and), neq));
    }

    @Test
    void notExistsAndForall() throws Exception {
        String body = """
            C q
            {}
            P0(int *x) { WRITE_ONCE(*x, 1); }
            """;
        assertThat(read(body + "~exists (x=1)").quantifier()).isEqualTo(Quantifier.NOT_EXISTS);
        assertThat(read(body + "~ exists (x=1)").quantifier()).isEqualTo(Quantifier.NOT_EXISTS);
        LitmusAst.Test forall = read(body + "forall (x=1 \\/ P0:r0=2)");
        assertThat(forall.quantifier()).isEqualTo(Quantifier.FORALL);
        assertThat(forall.condition()).isEqualTo(new Or(atom(-1, "x", 1), atom(0, "r0", 2)));
        // herd7 reads a file without any condition (a deadlock test) as "forall true".
        LitmusAst.Test none = read(body);
        assertThat(none.quantifier()).isEqualTo(Quantifier.FORALL);
        assertThat(none.condition()).isEqualTo(new True());
    }

    @Test
    void implicationBindsTighterThanAndAsInHerd() throws Exception {
        LitmusAst.Test t = read("""
            C imp
            {}
            P0(int *x) { WRITE_ONCE(*x, 1); }
            exists (x=1 /\\ 0:r0=1 => ~x=2 \\/ x=3 ==> true)
            """);
        assertThat(t.condition()).isEqualTo(new Or(
            new And(atom(-1, "x", 1), new Implies(atom(0, "r0", 1), new Not(atom(-1, "x", 2)))),
            new Implies(atom(-1, "x", 3), new True())));
    }

    @Test
    void resultComments() throws Exception {
        String rest = """
            {}
            P0(int *x) { *x = 1; }
            exists (x=1)
            """;
        assertThat(read("C a\n(* Result: Sometimes DATARACE *)\n" + rest).result())
            .isEqualTo(new Result("Sometimes", true, "Sometimes DATARACE"));
        assertThat(read("C a\n(*\n * Result: DEADLOCK\n *\n * (* nested *) text\n *)\n" + rest).result())
            .isEqualTo(new Result(null, false, "DEADLOCK"));
        assertThat(read("C a\n(* Result: Sometimes (but requires modeling the compiler) *)\n" + rest).result())
            .isEqualTo(new Result("Sometimes", false, "Sometimes (but requires modeling the compiler)"));
        assertThat(read("C a\n(* Result: Maybe *)\n" + rest).result()).isEqualTo(new Result(null, false, "Maybe"));
        assertThat(read("C a\n(* no result here *)\n" + rest).result()).isNull();
        assertThat(read("C a (* Result: Always *)\n" + rest).result()).isEqualTo(new Result("Always", false, "Always"));
    }

    // ---- LISA --------------------------------------------------------------------------------------

    @Test
    void aLisaTableBecomesTheCTree() throws Exception {
        LitmusAst.Test t = read("""
            LISA MP+lisa
            (* Result: Never *)
            {
            x = 0;
            0:r9 = 1;
            }
             P0            | P1                 ;
             w[once] x 1   | r[acquire] r1 y    ;
             f[mb]         | mov r2 (eq r1 0)   ;
             w[release] y 1| b[] r2 SKIP        ;
                           | r[once] r3 z+r1    ;
                           | f[sync]            ;
                           | SKIP:              ;
                           | r[lderef] r4 x     ;
            exists (1:r1=1 /\\ 1:r4=0)
            """);
        assertThat(t.name()).isEqualTo("MP+lisa");
        assertThat(t.result()).isEqualTo(new Result("Never", false, "Never"));
        assertThat(t.init()).containsExactly(new Init(-1, "x", null, new Num(0), 4),
            new Init(0, "r9", null, new Num(1), 5));
        assertThat(proc(t, 0)).isEqualTo(new Proc(0, List.of(new Param("int *", "x"), new Param("int *", "y")),
            List.of(stmt(call("WRITE_ONCE", 8, deref(v("x", 8), 8), c(1)), 8),
                stmt(call("smp_mb", 9), 9),
                stmt(call("smp_store_release", 10, v("y", 10), c(1)), 10)),
            7));
        List<Stmt> skipped = List.of(
            new Assign(v("r3", 11), call("READ_ONCE", 11, deref(new Binary("+", v("z", 11), v("r1", 11)), 11)), 11),
            stmt(call("synchronize_rcu", 12), 12));
        assertThat(proc(t, 1).params()).containsExactly(new Param("int *", "y"), new Param("int *", "z"),
            new Param("int *", "x"));
        assertThat(proc(t, 1).body()).containsExactly(
            new Assign(v("r1", 8), call("smp_load_acquire", 8, v("y", 8)), 8),
            new Assign(v("r2", 9), new Binary("==", v("r1", 9), c(0)), 9),
            // b[] jumps when r2 is non-zero: what it skips runs when it is zero.
            new If(new Unary("!", v("r2", 10)), new Block(skipped, 10), null, 10),
            new Assign(v("r4", 14), call("rcu_dereference", 14, deref(v("x", 14), 14)), 14));
        assertThat(t.condition()).isEqualTo(new And(atom(1, "r1", 1), atom(1, "r4", 0)));
    }

    @Test
    void crossingLisaBranchesBecomeIfElseWithTheTailOnEachPath() throws Exception {
        LitmusAst.Test t = read("""
            LISA ite
            {}
             P0              ;
             b[] r1 ELSE     ;
             w[once] x 1     ;
             b[] r9 END      ;
             ELSE:           ;
             w[once] x 2     ;
             END:            ;
             w[once] y 3     ;
            exists (x=1)
            """);
        Stmt x1 = stmt(call("WRITE_ONCE", 5, deref(v("x", 5), 5), c(1)), 5);
        Stmt x2 = stmt(call("WRITE_ONCE", 8, deref(v("x", 8), 8), c(2)), 8);
        Stmt y3 = stmt(call("WRITE_ONCE", 10, deref(v("y", 10), 10), c(3)), 10);
        assertThat(proc(t, 0).body()).containsExactly(new If(new Unary("!", v("r1", 4)),
            new Block(List.of(x1, new If(new Unary("!", v("r9", 6)), new Block(List.of(x2), 6), null, 6), y3), 4),
            new Block(List.of(x2, y3), 4), 4));
    }

    @Test
    void otherLisaTagsKeepTheirNames() throws Exception {
        LitmusAst.Test t = read("""
            LISA tags
            {}
             P0                       ;
             r[noret] r1 x            ;
             w[weird] x (add r1 2)    ;
             f[rb_dep]                ;
             f[rcu-lock]              ;
            exists (x=1)
            """);
        assertThat(proc(t, 0).body()).containsExactly(
            new Assign(v("r1", 4), call("__load_noret", 4, v("x", 4)), 4),
            stmt(call("__store_weird", 5, v("x", 5), new Binary("+", v("r1", 5), c(2))), 5),
            stmt(call("__fence_rb_dep", 6), 6),
            stmt(call("rcu_read_lock", 7), 7));
    }

    // ---- errors ------------------------------------------------------------------------------------

    private static void assertError(String text, int line, String what) {
        assertThatThrownBy(() -> read(text))
            .isInstanceOf(LitmusSyntaxError.class)
            .hasMessageStartingWith("t.litmus:" + line + ": ")
            .hasMessageContaining(what)
            .satisfies(e -> assertThat(((LitmusSyntaxError) e).line()).isEqualTo(line))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingOrMisspelledQuantifierIsReportedWhereTheConditionShouldBe() {
        String start = """
            C e
            {}
            P0(int *x)
            {
            	WRITE_ONCE(*x, 1);
            }

            """;
        assertError(start + "exist (x=1)\n", 8, "expected exists, ~exists or forall, found 'exist'");
        assertError(start + "exists\n", 9, "found end of file");
        assertError(start + "exists (x=1) junk\n", 8, "unexpected 'junk' after the final condition");
    }

    @Test
    void unterminatedCommentsAreReportedWhereTheyOpen() {
        assertError("C e\n\n(* Result: Never\n{}\nP0(int *x) { }\nexists (x=1)\n", 3, "unterminated (* comment");
        assertError("C e\n{}\nP0(int *x)\n{\n  /* no end\n}\nexists (x=1)\n", 5, "unterminated /* comment");
    }

    @Test
    void badTokensAreReportedOnTheirLine() {
        assertError("C e\n{}\nP0(int *x)\n{\n\tr0 = 1;\n\tr1 = 2 @ 3;\n}\nexists (x=1)\n", 6, "unexpected character '@'");
        assertError("C e\n{}\nP0(int *x)\n{\n\tr0 = 1\n\tr1 = 2;\n}\nexists (x=1)\n", 6, "expected ';'");
        assertError("C e\n{ x = ; }\nP0(int *x) { }\nexists (x=1)\n", 2, "expected an initial value");
        assertError("C e\n{}\nP0(int *x) { }\nP2(int *x) { }\nexists (x=1)\n", 4, "expected P1");
        assertError("C e\n{}\nP0(int *x)\n{\n\tfor (;;) ;\n}\nexists (x=1)\n", 5, "'for'");
        assertError("PPC e\n{}\n", 1, "not a C or LISA litmus test");
        assertError("C e\nP0(int *x) { }\nexists (x=1)\n", 2, "expected the init block");
    }

    @Test
    void lisaErrorsNameTheirLine() {
        assertError("LISA e\n{}\n P0 ;\n b[] r1 NOWHERE ;\n w[once] x 1 ;\nexists (x=1)\n", 4, "no label NOWHERE");
        assertError("LISA e\n{}\n P0 ;\n L: ;\n b[] r1 L ;\nexists (x=1)\n", 5, "no label L: follows");
        assertError("LISA e\n{}\n P0 | P1 ;\n w[once] x 1 ;\nexists (x=1)\n", 4, "1 columns, the header has 2");
        assertError("LISA e\n{}\n P0 ;\n\n jmp L ;\nexists (x=1)\n", 5, "unknown LISA instruction 'jmp'");
    }

    /** Every prefix of a valid file either reads or is a LitmusSyntaxError: nothing else escapes. */
    @Test
    void truncatedFilesFailCleanly() {
        String[] texts = {"""
            C trunc
            (* Result: Sometimes *)
            { int *p = &x; 0:r1=x; atomic_t a = ATOMIC_INIT(1); }
            P0(int *x, int **p)
            {
            	int r0 = READ_ONCE(*x);
            	if (r0 != 0) { *x = r0 + 1; } else WRITE_ONCE(*x, -1);
            	while (r0) r0--;
            }
            locations [x;]
            filter (0:r0=1)
            exists (0:r0=1 /\\ ~x=2 \\/ [x]=0:r0)
            """, """
            LISA trunc
            { x = 0; }
             P0            | P1               ;
             w[once] x 1   | r[once] r1 x     ;
                           | b[] (eq r1 0) L  ;
                           | w[release] y+r1 1;
                           | L:               ;
            exists (1:r1=1)
            """};
        for (String text : texts) {
            assertThatCode(() -> read(text)).doesNotThrowAnyException();
            for (int i = 0; i <= text.length(); i++) {
                String prefix = text.substring(0, i);
                try {
                    read(prefix);
                } catch (LitmusSyntaxError e) {
                    assertThat(e.getMessage()).startsWith("t.litmus:").doesNotContain("\n");
                } catch (RuntimeException e) {
                    throw new AssertionError("reading the first " + i + " characters threw " + e, e);
                }
            }
        }
    }
}
