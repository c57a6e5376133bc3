package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.litmus.Litmus.Assign;
import dev.tlbrace.harness.litmus.Litmus.Binary;
import dev.tlbrace.harness.litmus.Litmus.Block;
import dev.tlbrace.harness.litmus.Litmus.Call;
import dev.tlbrace.harness.litmus.Litmus.Const;
import dev.tlbrace.harness.litmus.Litmus.Eval;
import dev.tlbrace.harness.litmus.Litmus.Expr;
import dev.tlbrace.harness.litmus.Litmus.If;
import dev.tlbrace.harness.litmus.Litmus.Proc;
import dev.tlbrace.harness.litmus.Litmus.Prop;
import dev.tlbrace.harness.litmus.Litmus.Reg;
import dev.tlbrace.harness.litmus.Litmus.Stmt;
import dev.tlbrace.harness.litmus.Litmus.Unary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the kernel's C litmus format as tools/memory-model/litmus-tests ships it: the
 * {@code C name} line, {@code (* ... Result: Never|Sometimes|Always ... *)}, the {@code { }}
 * init block, {@code P0(int *x, ...) { ... }} bodies with local {@code int} registers, and an
 * {@code exists} / {@code ~exists} / {@code forall} clause over {@code N:rK=V} and {@code x=V}
 * atoms joined by {@code /\}, {@code \/} and {@code ~}.
 *
 * <p>Errors: a malformed file or an identifier no kernel header defines is a
 * {@link LitmusException} naming the line (the command exits 2); a kernel primitive the
 * memory model does not implement (RCU, SRCU, ...) is a {@link Unsupported}, counted as such,
 * never given an answer.
 */
public final class LitmusParser {

    /** A construct the kernel has but tlbrace's memory model does not (README lists them). */
    public static final class Unsupported extends RuntimeException {
        public Unsupported(String message) {
            super(message);
        }
    }

    /** A file that is not a litmus test: the message names the line. */
    public static final class LitmusException extends RuntimeException {
        public LitmusException(String message) {
            super(message);
        }
    }

    /** Primitives the runner implements, and where their shared variable is among the arguments. */
    static final Map<String, Integer> VARIABLE_ARG = new LinkedHashMap<>();
    static final Set<String> FENCES = Set.of("smp_mb", "smp_rmb", "smp_wmb", "smp_mb__before_atomic",
            "smp_mb__after_atomic", "smp_mb__after_spinlock");
    static final Set<String> UNSUPPORTED = Set.of("rcu_read_lock", "rcu_read_unlock", "synchronize_rcu",
            "synchronize_rcu_expedited", "srcu_read_lock", "srcu_read_unlock", "srcu_down_read", "srcu_up_read",
            "synchronize_srcu", "synchronize_srcu_expedited", "rcu_dereference", "rcu_assign_pointer",
            "rcu_read_lock_bh", "rcu_read_unlock_bh", "rcu_read_lock_sched", "rcu_read_unlock_sched", "call_rcu",
            "spin_trylock", "spin_is_locked", "smp_mb__after_unlock_lock", "smp_load_acquire_ptr", "lockless_dereference",
            "READ_ONCE_PTR", "atomic_long_read", "xchg_acquire_ptr", "smp_cond_load_acquire", "smp_cond_load_relaxed");
    static {
        for (String s : List.of("READ_ONCE", "smp_load_acquire", "atomic_read", "atomic_read_acquire",
                "WRITE_ONCE", "smp_store_release", "smp_store_mb", "atomic_set", "atomic_set_release",
                "xchg", "xchg_relaxed", "xchg_acquire", "xchg_release",
                "atomic_xchg", "atomic_xchg_relaxed", "atomic_xchg_acquire", "atomic_xchg_release",
                "cmpxchg", "cmpxchg_relaxed", "cmpxchg_acquire", "cmpxchg_release",
                "atomic_cmpxchg", "atomic_cmpxchg_relaxed", "atomic_cmpxchg_acquire", "atomic_cmpxchg_release",
                "atomic_inc", "atomic_dec", "atomic_inc_return", "atomic_dec_return",
                "atomic_inc_return_relaxed", "atomic_inc_return_acquire", "atomic_inc_return_release",
                "atomic_dec_return_relaxed", "atomic_dec_return_acquire", "atomic_dec_return_release",
                "atomic_fetch_inc", "atomic_fetch_dec", "atomic_fetch_inc_relaxed", "atomic_fetch_dec_relaxed",
                "spin_lock", "spin_unlock")) {
            VARIABLE_ARG.put(s, 0);
        }
        for (String s : List.of("atomic_add", "atomic_sub", "atomic_add_return", "atomic_sub_return",
                "atomic_add_return_relaxed", "atomic_add_return_acquire", "atomic_add_return_release",
                "atomic_sub_return_relaxed", "atomic_sub_return_acquire", "atomic_sub_return_release",
                "atomic_fetch_add", "atomic_fetch_sub", "atomic_fetch_add_relaxed", "atomic_fetch_sub_relaxed",
                "atomic_fetch_add_acquire", "atomic_fetch_add_release")) {
            VARIABLE_ARG.put(s, 1);
        }
    }

    private static final Pattern RESULT = Pattern.compile("Result:\\s*(Never|Sometimes|Always)");
    private static final Pattern PROC = Pattern.compile("P(\\d+)");

    private final String file;
    private List<Tok> toks;
    private int pos;

    private record Tok(String text, int line, boolean ident, boolean number) { }

    private LitmusParser(String file) {
        this.file = file;
    }

    /** Parses {@code text}; {@code file} names it in errors. */
    public static Litmus parse(String file, String text) {
        return new LitmusParser(file).parseAll(text);
    }

    private Litmus parseAll(String text) {
        String[] lines = text.split("\n", -1);
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first == lines.length || !lines[first].trim().startsWith("C ")) {
            throw error(first + 1, "expected 'C name' on the first line");
        }
        String name = lines[first].trim().substring(2).trim();
        if (name.isEmpty()) {
            throw error(first + 1, "the C line has no test name");
        }
        StringBuilder rest = new StringBuilder();
        String expected = null;
        // blank out the C line and (* ... *) comments, keeping line numbers
        String body = String.join("\n", java.util.Arrays.copyOfRange(lines, first + 1, lines.length));
        int lineBase = first + 2;
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            if (body.startsWith("(*", i) && (i + 2 >= body.length() || !Character.isJavaIdentifierPart(body.charAt(i + 2)))) {
                // an OCaml comment, not the C of WRITE_ONCE(*x, 1)
                int end = body.indexOf("*)", i + 2);
                if (end < 0) {
                    throw error(lineBase + count(body, i), "unterminated (* comment");
                }
                String comment = body.substring(i, end + 2);
                Matcher m = RESULT.matcher(comment);
                if (m.find() && expected == null) {
                    expected = m.group(1);
                }
                for (char ch : comment.toCharArray()) {
                    kept.append(ch == '\n' ? '\n' : ' ');
                }
                i = end + 1;
            } else {
                kept.append(body.charAt(i));
            }
        }
        rest.append(kept);
        toks = tokenize(rest.toString(), lineBase);
        pos = 0;
        Map<String, Long> init = new LinkedHashMap<>();
        Map<String, Long> initRegs = new LinkedHashMap<>();
        expect("{");
        parseInit(init, initRegs);
        List<Proc> procs = new ArrayList<>();
        while (peek() != null && PROC.matcher(peek().text()).matches()) {
            procs.add(parseProc(procs.size()));
        }
        if (procs.isEmpty()) {
            throw error(line(), "no P0(...) { ... } process");
        }
        while (peek() != null && peek().text().equals("locations")) {
            next();
            expect("[");
            while (peek() != null && !peek().text().equals("]")) {
                next();
            }
            expect("]");
        }
        Tok k = next();
        if (k == null) {
            throw error(line(), "missing exists / ~exists / forall clause");
        }
        Litmus.Kind kind;
        if (k.text().equals("exists")) {
            kind = Litmus.Kind.EXISTS;
        } else if (k.text().equals("forall")) {
            kind = Litmus.Kind.FORALL;
        } else if (k.text().equals("~") && peek() != null && peek().text().equals("exists")) {
            next();
            kind = Litmus.Kind.NOT_EXISTS;
        } else if (k.text().equals("filter")) {
            throw new Unsupported("unsupported: filter clause at line " + k.line());
        } else {
            throw error(k.line(), "expected exists, ~exists or forall, found '" + k.text() + "'");
        }
        Prop cond = parseOr(procs.size());
        if (peek() != null) {
            throw error(peek().line(), "unexpected '" + peek().text() + "' after the final condition");
        }
        if (!initRegs.isEmpty()) {
            throw new Unsupported("unsupported: initial register values in the init block");
        }
        return new Litmus(name, expected, init, procs, kind, cond);
    }

    private void parseInit(Map<String, Long> init, Map<String, Long> regs) {
        while (!peekIs("}")) {
            Tok t = next();
            if (t == null) {
                throw error(line(), "unterminated init block");
            }
            if (t.text().equals(";")) {
                continue;
            }
            if (t.number() && peekIs(":")) {
                next();
                Tok reg = ident();
                expect("=");
                regs.put(t.text() + ":" + reg.text(), value());
                continue;
            }
            Tok var = t;
            while (t.ident() && peek() != null && peek().ident()) { // a type: int x = 1;
                var = next();
                t = var;
            }
            if (!var.ident()) {
                throw error(var.line(), "expected a variable in the init block, found '" + var.text() + "'");
            }
            if (peekIs("=")) {
                next();
                if (peek() != null && peek().ident() && !peek().number()) {
                    throw new Unsupported("unsupported: pointer-valued initialiser " + var.text() + "=" + peek().text()
                            + " at line " + peek().line());
                }
                init.put(var.text(), value());
            } else {
                init.put(var.text(), 0L);
            }
        }
        expect("}");
    }

    private long value() {
        boolean neg = false;
        if (peekIs("-")) {
            next();
            neg = true;
        }
        Tok t = next();
        if (t == null || !t.number()) {
            throw error(t == null ? line() : t.line(), "expected a number");
        }
        long v = Long.decode(t.text());
        return neg ? -v : v;
    }

    private Proc parseProc(int expectedIndex) {
        Tok p = next();
        Matcher m = PROC.matcher(p.text());
        m.matches();
        int index = Integer.parseInt(m.group(1));
        if (index != expectedIndex) {
            throw error(p.line(), "expected P" + expectedIndex + ", found " + p.text());
        }
        expect("(");
        List<String> params = new ArrayList<>();
        while (!peekIs(")")) {
            Tok type = ident();
            int stars = 0;
            while (peekIs("*")) {
                next();
                stars++;
            }
            Tok name = ident();
            if (stars != 1) {
                throw new Unsupported("unsupported: parameter " + type.text() + " " + "*".repeat(stars) + name.text()
                        + " at line " + name.line() + " (only pointers to shared words)");
            }
            params.add(name.text());
            if (peekIs(",")) {
                next();
            }
        }
        expect(")");
        List<String> regs = new ArrayList<>();
        expect("{");
        List<Stmt> body = parseStmts(regs, params);
        expect("}");
        return new Proc(index, params, regs, body);
    }

    private List<Stmt> parseStmts(List<String> regs, List<String> params) {
        List<Stmt> out = new ArrayList<>();
        while (peek() != null && !peekIs("}")) {
            Stmt s = parseStmt(regs, params);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private Stmt parseStmt(List<String> regs, List<String> params) {
        Tok t = peek();
        if (t.text().equals(";")) {
            next();
            return null;
        }
        if (t.text().equals("{")) {
            next();
            List<Stmt> b = parseStmts(regs, params);
            expect("}");
            return new Block(b);
        }
        if (t.text().equals("int") || t.text().equals("long") || t.text().equals("unsigned")) {
            next();
            while (peek() != null && peek().ident() && (peek().text().equals("int") || peek().text().equals("long"))) {
                next();
            }
            List<Stmt> inits = new ArrayList<>();
            for (;;) {
                if (peekIs("*")) {
                    throw new Unsupported("unsupported: pointer register at line " + t.line());
                }
                Tok r = ident();
                regs.add(r.text());
                if (peekIs("=")) {
                    next();
                    inits.add(new Assign(r.text(), parseExpr(regs, params), r.line()));
                }
                if (peekIs(",")) {
                    next();
                    continue;
                }
                break;
            }
            expect(";");
            return inits.isEmpty() ? null : new Block(inits);
        }
        if (t.text().equals("*")) {
            throw new Unsupported("unsupported: plain (unmarked) access at line " + t.line());
        }
        if (t.text().equals("if")) {
            next();
            expect("(");
            Expr c = parseExpr(regs, params);
            expect(")");
            Stmt then = parseStmt(regs, params);
            Stmt otherwise = null;
            if (peekIs("else")) {
                next();
                otherwise = parseStmt(regs, params);
            }
            return new If(c, then == null ? List.of() : List.of(then), otherwise == null ? List.of() : List.of(otherwise),
                    t.line());
        }
        if (t.ident() && toks.size() > pos + 1 && toks.get(pos + 1).text().equals("=")) {
            next();
            next();
            if (!regs.contains(t.text())) {
                throw params.contains(t.text())
                        ? new Unsupported("unsupported: plain (unmarked) access to " + t.text() + " at line " + t.line())
                        : error(t.line(), "assignment to undeclared register '" + t.text() + "'");
            }
            Expr e = parseExpr(regs, params);
            expect(";");
            return new Assign(t.text(), e, t.line());
        }
        Expr e = parseExpr(regs, params);
        expect(";");
        return new Eval(e, t.line());
    }

    // ---- expressions -----------------------------------------------------------------

    private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("|"), List.of("^"),
            List.of("&"), List.of("==", "!="), List.of("<", ">", "<=", ">="), List.of("+", "-"), List.of("*", "/", "%"));

    private Expr parseExpr(List<String> regs, List<String> params) {
        return level(0, regs, params);
    }

    private Expr level(int l, List<String> regs, List<String> params) {
        if (l == LEVELS.size()) {
            return unary(regs, params);
        }
        Expr left = level(l + 1, regs, params);
        while (peek() != null && LEVELS.get(l).contains(peek().text())) {
            String op = next().text();
            left = new Binary(op, left, level(l + 1, regs, params));
        }
        return left;
    }

    private Expr unary(List<String> regs, List<String> params) {
        if (peekIs("!") || peekIs("-") || peekIs("~")) {
            return new Unary(next().text(), unary(regs, params));
        }
        if (peekIs("*") || peekIs("&")) {
            throw new Unsupported("unsupported: plain (unmarked) access or address at line " + peek().line());
        }
        Tok t = next();
        if (t == null) {
            throw error(line(), "unexpected end of file in an expression");
        }
        if (t.text().equals("(")) {
            Expr e = parseExpr(regs, params);
            expect(")");
            return e;
        }
        if (t.number()) {
            return new Const(Long.decode(t.text()));
        }
        if (!t.ident()) {
            throw error(t.line(), "unexpected '" + t.text() + "' in an expression");
        }
        if (peekIs("(")) {
            return call(t, regs, params);
        }
        if (regs.contains(t.text())) {
            return new Reg(t.text());
        }
        if (params.contains(t.text())) {
            throw new Unsupported("unsupported: plain (unmarked) access to " + t.text() + " at line " + t.line());
        }
        throw error(t.line(), "unknown identifier '" + t.text() + "'");
    }

    private Expr call(Tok name, List<String> regs, List<String> params) {
        String prim = name.text();
        if (UNSUPPORTED.contains(prim)) {
            throw new Unsupported("unsupported: " + prim + " at line " + name.line());
        }
        boolean fence = FENCES.contains(prim);
        if (!fence && !VARIABLE_ARG.containsKey(prim)) {
            throw error(name.line(), "unknown primitive '" + prim + "'");
        }
        expect("(");
        List<Expr> args = new ArrayList<>();
        String variable = null;
        int varIndex = fence ? -1 : VARIABLE_ARG.get(prim);
        int i = 0;
        while (!peekIs(")")) {
            if (i == varIndex) {
                if (peekIs("*") || peekIs("&")) {
                    next();
                }
                Tok v = ident();
                if (!params.contains(v.text())) {
                    throw regs.contains(v.text())
                            ? new Unsupported("unsupported: access through a pointer register " + v.text() + " at line " + v.line())
                            : error(v.line(), prim + ": '" + v.text() + "' is not a parameter of this process");
                }
                variable = v.text();
            } else {
                args.add(parseExpr(regs, params));
            }
            i++;
            if (peekIs(",")) {
                next();
            }
        }
        expect(")");
        if (!fence && variable == null) {
            throw error(name.line(), prim + " needs a shared variable");
        }
        return new Call(prim, variable, args, name.line());
    }

    // ---- the final condition ---------------------------------------------------------

    private Prop parseOr(int procs) {
        Prop left = parseAnd(procs);
        while (peekIs("\\/")) {
            next();
            left = new Litmus.Or(left, parseAnd(procs));
        }
        return left;
    }

    private Prop parseAnd(int procs) {
        Prop left = parseNot(procs);
        while (peekIs("/\\")) {
            next();
            left = new Litmus.And(left, parseNot(procs));
        }
        return left;
    }

    private Prop parseNot(int procs) {
        if (peekIs("~")) {
            next();
            return new Litmus.Not(parseNot(procs));
        }
        if (peekIs("(")) {
            next();
            Prop p = parseOr(procs);
            expect(")");
            return p;
        }
        Tok t = next();
        if (t == null) {
            throw error(line(), "unexpected end of the final condition");
        }
        if (t.number() && peekIs(":")) {
            next();
            Tok reg = ident();
            expect("=");
            int proc = Integer.parseInt(t.text());
            if (proc >= procs) {
                throw error(t.line(), "condition names P" + proc + " but the test has " + procs + " processes");
            }
            if (peek() != null && peek().ident() && !peek().number()) {
                throw new Unsupported("unsupported: register compared with an address (" + peek().text() + ") at line "
                        + peek().line());
            }
            return new Litmus.RegIs(proc, reg.text(), value());
        }
        if (t.ident()) {
            expect("=");
            return new Litmus.VarIs(t.text(), value());
        }
        throw error(t.line(), "unexpected '" + t.text() + "' in the final condition");
    }

    // ---- tokens ----------------------------------------------------------------------

    private static final List<String> SYMBOLS = List.of("/\\", "\\/", "==", "!=", "<=", ">=", "&&", "||",
            "(", ")", "{", "}", "[", "]", ",", ";", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", ":", ".");

    private List<Tok> tokenize(String s, int firstLine) {
        List<Tok> out = new ArrayList<>();
        int line = firstLine;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) {
                    throw error(line, "unterminated /* comment");
                }
                line += count(s.substring(i, end), 0);
                i = end + 2;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Tok(s.substring(i, j), line, true, false));
                i = j;
                continue;
            }
            if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)))) {
                    j++;
                }
                String num = s.substring(i, j);
                try {
                    Long.decode(num);
                } catch (NumberFormatException e) {
                    throw error(line, "bad number '" + num + "'");
                }
                out.add(new Tok(num, line, false, true));
                i = j;
                continue;
            }
            String sym = null;
            for (String x : SYMBOLS) {
                if (s.startsWith(x, i)) {
                    sym = x;
                    break;
                }
            }
            if (sym == null) {
                throw error(line, "unexpected character '" + c + "'");
            }
            out.add(new Tok(sym, line, false, false));
            i += sym.length();
        }
        return out;
    }

    private static int count(String s, int upTo) {
        int n = 0;
        for (int i = 0; i < s.length() && (upTo == 0 || i < upTo); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private Tok peek() {
        return pos < toks.size() ? toks.get(pos) : null;
    }

    private boolean peekIs(String text) {
        Tok t = peek();
        return t != null && t.text().equals(text);
    }

    private Tok next() {
        return pos < toks.size() ? toks.get(pos++) : null;
    }

    private Tok ident() {
        Tok t = next();
        if (t == null || !t.ident()) {
            throw error(t == null ? line() : t.line(), "expected a name, found " + (t == null ? "end of file" : "'" + t.text() + "'"));
        }
        return t;
    }

    private void expect(String text) {
        Tok t = next();
        if (t == null || !t.text().equals(text)) {
            throw error(t == null ? line() : t.line(), "expected '" + text + "', found " + (t == null ? "end of file" : "'" + t.text() + "'"));
        }
    }

    private int line() {
        return toks == null || toks.isEmpty() ? 1 : toks.get(Math.min(pos, toks.size() - 1)).line();
    }

    private LitmusException error(int line, String message) {
        return new LitmusException(file + ":" + line + ": " + message);
    }
}
