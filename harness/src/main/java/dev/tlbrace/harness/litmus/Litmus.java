package dev.tlbrace.harness.litmus;

import java.util.List;
import java.util.Map;

/**
 * One test in the kernel's C litmus format (tools/memory-model/litmus-tests): a name, the
 * documented result, an init block, one body per CPU, and a final condition. Built by
 * {@link LitmusParser}, run by {@link LitmusRunner} on the explorer's memory models.
 *
 * @param name     the {@code C name} line
 * @param expected {@code Never}, {@code Sometimes} or {@code Always} from the Result comment, or null
 * @param init     initial values of shared variables (absent ones start at 0)
 * @param procs    P0..Pn
 * @param kind     exists, ~exists or forall
 * @param cond     the proposition over final registers and variables
 */
public record Litmus(String name, String expected, Map<String, Long> init, List<Proc> procs, Kind kind, Prop cond) {

    public enum Kind { EXISTS, NOT_EXISTS, FORALL }

    /** One CPU: its pointer parameters (shared variables), registers, body. */
    public record Proc(int index, List<String> params, List<String> registers, List<Stmt> body) { }

    /** A statement; {@code line} is where it starts in the file. */
    public sealed interface Stmt permits Assign, Eval, If, Block { }

    /** {@code r = e;} */
    public record Assign(String reg, Expr e, int line) implements Stmt { }

    /** An expression evaluated for its effect: a store, a fence, an RMW, a lock. */
    public record Eval(Expr e, int line) implements Stmt { }

    public record If(Expr cond, List<Stmt> then, List<Stmt> otherwise, int line) implements Stmt { }

    public record Block(List<Stmt> body) implements Stmt { }

    public sealed interface Expr permits Const, Reg, Call, Binary, Unary { }

    public record Const(long value) implements Expr { }

    public record Reg(String name) implements Expr { }

    /** A kernel primitive applied to a shared variable and value arguments. */
    public record Call(String primitive, String variable, List<Expr> args, int line) implements Expr { }

    public record Binary(String op, Expr left, Expr right) implements Expr { }

    public record Unary(String op, Expr operand) implements Expr { }

    /** The final condition. */
    public sealed interface Prop permits RegIs, VarIs, And, Or, Not { }

    public record RegIs(int proc, String reg, long value) implements Prop { }

    public record VarIs(String variable, long value) implements Prop { }

    public record And(Prop left, Prop right) implements Prop { }

    public record Or(Prop left, Prop right) implements Prop { }

    public record Not(Prop p) implements Prop { }

    /** Shared variables: every parameter of every CPU and every initialised one. */
    public List<String> variables() {
        java.util.LinkedHashSet<String> vars = new java.util.LinkedHashSet<>(init.keySet());
        procs.forEach(p -> vars.addAll(p.params()));
        return List.copyOf(vars);
    }
}
