package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.graph.Val;
import dev.tlbrace.harness.litmus.LitmusAst.And;
import dev.tlbrace.harness.litmus.LitmusAst.Atom;
import dev.tlbrace.harness.litmus.LitmusAst.Cond;
import dev.tlbrace.harness.litmus.LitmusAst.Implies;
import dev.tlbrace.harness.litmus.LitmusAst.Not;
import dev.tlbrace.harness.litmus.LitmusAst.Or;
import dev.tlbrace.harness.litmus.LitmusAst.Ref;
import dev.tlbrace.harness.litmus.LitmusAst.RefOperand;
import dev.tlbrace.harness.litmus.LitmusAst.ValueOperand;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A litmus test's final condition (or filter): its atoms, its truth in a final state, its text. */
final class LitmusConditions {
    private LitmusConditions() {
    }

    /** Every atom of c, left to right. */
    static List<Atom> atoms(Cond c) {
        List<Atom> out = new ArrayList<>();
        collect(c, out);
        return out;
    }

    private static void collect(Cond c, List<Atom> out) {
        if (c instanceof And a) {
            collect(a.left(), out);
            collect(a.right(), out);
        } else if (c instanceof Or o) {
            collect(o.left(), out);
            collect(o.right(), out);
        } else if (c instanceof Implies i) {
            collect(i.left(), out);
            collect(i.right(), out);
        } else if (c instanceof Not n) {
            collect(n.operand(), out);
        } else if (c instanceof Atom a) {
            out.add(a);
        }
    }

    /** The refs an atom reads: its left side, and its right side when that is a ref too. */
    static List<Ref> refs(Atom a) {
        return a.right() instanceof RefOperand ro ? List.of(a.left(), ro.ref()) : List.of(a.left());
    }

    /** Does c read a location's final value (not only registers)? */
    static boolean readsMemory(Cond c) {
        return c != null && atoms(c).stream().flatMap(a -> refs(a).stream()).anyMatch(r -> r.proc() < 0);
    }

    /** Does c name register {@code name} of {@code proc} (proc -1: location {@code name})? */
    static boolean mentions(Cond c, int proc, String name) {
        return c != null && atoms(c).stream().flatMap(a -> refs(a).stream())
                .anyMatch(r -> r.proc() == proc && r.name().equals(name));
    }

    /** c's truth when each ref has the value {@code value} gives it. */
    static boolean holds(Cond c, Function<Ref, Val> value) {
        if (c instanceof LitmusAst.True) {
            return true;
        }
        if (c instanceof LitmusAst.False) {
            return false;
        }
        if (c instanceof And a) {
            return holds(a.left(), value) && holds(a.right(), value);
        }
        if (c instanceof Or o) {
            return holds(o.left(), value) || holds(o.right(), value);
        }
        if (c instanceof Implies i) {
            return !holds(i.left(), value) || holds(i.right(), value);
        }
        if (c instanceof Not n) {
            return !holds(n.operand(), value);
        }
        Atom a = (Atom) c;
        Val l = value.apply(a.left());
        Val r = a.right() instanceof ValueOperand vo ? LitmusProgram.value(vo.value())
                : value.apply(((RefOperand) a.right()).ref());
        return a.op().equals("!=") != l.equals(r);
    }

    /** The condition as herd7 prints it. */
    static String show(Cond c) {
        if (c instanceof LitmusAst.True) {
            return "true";
        }
        if (c instanceof LitmusAst.False) {
            return "false";
        }
        if (c instanceof And a) {
            return "(" + show(a.left()) + " /\\ " + show(a.right()) + ")";
        }
        if (c instanceof Or o) {
            return "(" + show(o.left()) + " \\/ " + show(o.right()) + ")";
        }
        if (c instanceof Implies i) {
            return "(" + show(i.left()) + " => " + show(i.right()) + ")";
        }
        if (c instanceof Not n) {
            return "~" + show(n.operand());
        }
        Atom a = (Atom) c;
        String right = a.right() instanceof ValueOperand v
                ? (v.value() instanceof LitmusAst.Num n ? Long.toString(n.value()) : ((LitmusAst.Addr) v.value()).location())
                : ref(((RefOperand) a.right()).ref());
        return ref(a.left()) + (a.op().equals("!=") ? "!=" : "=") + right;
    }

    private static String ref(Ref r) {
        return r.proc() < 0 ? r.name() : r.proc() + ":" + r.name();
    }
}
