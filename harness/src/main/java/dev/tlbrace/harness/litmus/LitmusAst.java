package dev.tlbrace.harness.litmus;

import java.util.List;

/**
 * A litmus file as herd7 reads it, before any meaning is given to it: the C dialect of the
 * kernel's tools/memory-model/litmus-tests, Documentation/litmus-tests and the maintainer's
 * repository, and LISA files translated into the same tree. {@link LitmusReader} builds it;
 * {@code LitmusProgram} gives it the semantics of linux-kernel.def.
 */
public final class LitmusAst {
    private LitmusAst() {
    }

    /**
     * One file.
     *
     * @param file       the path it was read from
     * @param name       the name on the {@code C name} (or {@code LISA name}) line
     * @param result     the Result comment, or null when the file has none
     * @param init       the init block's entries, in order
     * @param procs      P0..Pn
     * @param locations  the {@code locations [...]} line's entries (empty when absent)
     * @param filter     the {@code filter} clause, or null
     * @param quantifier exists, ~exists or forall
     * @param condition  the final condition
     */
    public record Test(String file, String name, Result result, List<Init> init, List<Proc> procs,
            List<Ref> locations, Cond filter, Quantifier quantifier, Cond condition) {
    }

    /**
     * The Result comment herd7's users write: {@code Result: Never}, {@code Sometimes},
     * {@code Always}, optionally followed by {@code DATARACE}.
     *
     * @param word     Never, Sometimes or Always; null when the comment says something else
     *                 ({@code DEADLOCK}, {@code Maybe}, {@code Flag srcu-bad-nesting}, ...)
     * @param dataRace the comment says DATARACE
     * @param raw      the text after {@code Result:}, trimmed, up to the end of its line or {@code *)}
     */
    public record Result(String word, boolean dataRace, String raw) {
    }

    public enum Quantifier { EXISTS, NOT_EXISTS, FORALL }

    /**
     * One init-block entry: {@code x=1;}, {@code int *p = &x;}, {@code x1=y1;} (x1 holds y1's
     * address), {@code 0:r1=x;}, {@code spinlock_t l;}, {@code atomic_t a = ATOMIC_INIT(2);}.
     *
     * @param proc  -1 for a shared location, else the process whose register this is
     * @param name  the location or register
     * @param type  the C type as written ({@code int}, {@code int *}, {@code atomic_t}, ...), or null
     * @param value the initial value, or null when only declared (it starts at 0)
     */
    public record Init(int proc, String name, String type, Value value, int line) {
    }

    /** A constant value: a number or the address of a shared location. */
    public sealed interface Value permits Num, Addr {
    }

    public record Num(long value) implements Value {
    }

    /** The address of a shared location: {@code &x}, or a bare {@code x} where a value is expected. */
    public record Addr(String location) implements Value {
    }

    /** A process parameter such as {@code int *x} or {@code spinlock_t *l}. */
    public record Param(String type, String name) {
    }

    /** One process: {@code P0(int *x, int *y) { ... }}. */
    public record Proc(int index, List<Param> params, List<Stmt> body, int line) {
    }

    /** A statement. Every one carries the line it starts on. */
    public sealed interface Stmt permits Decl, Assign, ExprStmt, If, While, Block {
        int line();
    }

    /** {@code int r0;}, {@code int r1 = READ_ONCE(*x);}, {@code intptr_t r2;}, {@code int *r3 = &y;}. */
    public record Decl(String type, String name, Expr init, int line) implements Stmt {
    }

    /**
     * {@code r = e;} (target a {@link Var}), {@code *x = e;} and {@code *r = e;} (target a
     * {@link Deref}: a plain store). Compound forms ({@code r += e}, {@code r++}) are expanded.
     */
    public record Assign(Expr target, Expr value, int line) implements Stmt {
    }

    /** An expression evaluated for its effect: {@code WRITE_ONCE(*x, 1);}, {@code smp_mb();}. */
    public record ExprStmt(Expr e, int line) implements Stmt {
    }

    /** {@code if (c) s else s}; {@code otherwise} is null without an else. */
    public record If(Expr cond, Stmt then, Stmt otherwise, int line) implements Stmt {
    }

    /** {@code while (c) s}. */
    public record While(Expr cond, Stmt body, int line) implements Stmt {
    }

    public record Block(List<Stmt> body, int line) implements Stmt {
    }

    /** An expression. */
    public sealed interface Expr permits Const, Var, Deref, AddrOf, Call, Binary, Unary, Ternary {
    }

    /** An integer literal (also {@code true}/{@code false}, {@code NULL} as 0). */
    public record Const(long value) implements Expr {
    }

    /** A register, a parameter (which holds its location's address) or a location name. */
    public record Var(String name, int line) implements Expr {
    }

    /** {@code *e}: a plain (unmarked) access through the pointer e, read or written. */
    public record Deref(Expr pointer, int line) implements Expr {
    }

    /** {@code &e}. */
    public record AddrOf(Expr operand, int line) implements Expr {
    }

    /**
     * A call, with its arguments as written: {@code READ_ONCE(*x)} is
     * {@code Call("READ_ONCE", [Deref(Var x)])}, {@code smp_store_release(x, 1)} is
     * {@code Call("smp_store_release", [Var x, Const 1])}, {@code ATOMIC_INIT(1)} likewise.
     */
    public record Call(String function, List<Expr> args, int line) implements Expr {
    }

    /** {@code + - * / % & | ^ << >> == != < <= > >= && ||}. */
    public record Binary(String op, Expr left, Expr right) implements Expr {
    }

    /** {@code ! ~ -}. */
    public record Unary(String op, Expr operand) implements Expr {
    }

    /** {@code c ? a : b}. */
    public record Ternary(Expr cond, Expr then, Expr otherwise) implements Expr {
    }

    /** A final-state or filter condition. */
    public sealed interface Cond permits True, False, And, Or, Not, Implies, Atom {
    }

    public record True() implements Cond {
    }

    public record False() implements Cond {
    }

    public record And(Cond left, Cond right) implements Cond {
    }

    public record Or(Cond left, Cond right) implements Cond {
    }

    public record Not(Cond operand) implements Cond {
    }

    /** {@code a ==> b}. */
    public record Implies(Cond left, Cond right) implements Cond {
    }

    /**
     * {@code 0:r1=1}, {@code x=2}, {@code 1:r0=x} (r0 holds x's address), {@code x!=0},
     * {@code 0:r1=1:r1}.
     *
     * @param op {@code =} or {@code !=}
     */
    public record Atom(Ref left, String op, Operand right) implements Cond {
    }

    /** The right side of an atom: a constant or another register or location's final value. */
    public sealed interface Operand permits ValueOperand, RefOperand {
    }

    public record ValueOperand(Value value) implements Operand {
    }

    public record RefOperand(Ref ref) implements Operand {
    }

    /** A final value: register {@code reg} of process {@code proc}, or location {@code name} (proc -1). */
    public record Ref(int proc, String name) {
    }
}
