package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.litmus.LitmusAst.Assign;
import dev.tlbrace.harness.litmus.LitmusAst.Binary;
import dev.tlbrace.harness.litmus.LitmusAst.Block;
import dev.tlbrace.harness.litmus.LitmusAst.Call;
import dev.tlbrace.harness.litmus.LitmusAst.Const;
import dev.tlbrace.harness.litmus.LitmusAst.Deref;
import dev.tlbrace.harness.litmus.LitmusAst.Expr;
import dev.tlbrace.harness.litmus.LitmusAst.ExprStmt;
import dev.tlbrace.harness.litmus.LitmusAst.If;
import dev.tlbrace.harness.litmus.LitmusAst.Param;
import dev.tlbrace.harness.litmus.LitmusAst.Proc;
import dev.tlbrace.harness.litmus.LitmusAst.Stmt;
import dev.tlbrace.harness.litmus.LitmusAst.Unary;
import dev.tlbrace.harness.litmus.LitmusAst.Var;
import dev.tlbrace.harness.litmus.LitmusReader.LitmusSyntaxError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates the table of a LISA litmus file (herd7's LISA front end) into the C tree, with the
 * meaning linux-kernel.def gives LISA's tagged instructions:
 * <pre>
 *  P0            | P1              ;      header row
 *  w[once] x 1   | r[once] r1 x    ;      one instruction (or label) per cell
 *  f[mb]         | b[] r1 L0       ;
 *  w[once] y 1   | L0:             ;
 * exists (...)                            where the table ends
 * </pre>
 * {@code r[once] r x} is {@code r = READ_ONCE(*x)}, {@code r[acquire]} {@code smp_load_acquire(x)},
 * {@code r[lderef]}/{@code r[deref]} {@code rcu_dereference(*x)}; {@code w[once]} is
 * {@code WRITE_ONCE(*x, v)}, {@code w[release]} {@code smp_store_release(x, v)}, {@code w[assign]}
 * {@code rcu_assign_pointer(*x, v)}; {@code f[mb]}, {@code f[rmb]}, {@code f[wmb]}, {@code f[sync]},
 * {@code f[rcu_read_lock]}, {@code f[rcu_read_unlock]} are the kernel calls of the same meaning.
 * Other tags become {@code __load_TAG(addr)}, {@code __store_TAG(addr, v)} and {@code __fence_TAG()}.
 * {@code mov r (op a b)} is {@code r = a op b}; an address {@code z+r2} is {@code z + r2}.
 *
 * <p>A branch {@code b[] c L} jumps when c is non-zero, forward to label {@code L:} in the same
 * column. One whose target closes a region that no other branch leaves becomes
 * {@code if (!c) { skipped }}; one that crosses another branch's region (an if-then-else
 * written with two branches) becomes {@code if (!c) { fall-through to the end } else { from L to
 * the end }}, which repeats the common tail but runs the same events on every path.
 *
 * <p>Each column's process gets one {@code int *} parameter per location it names (registers are
 * {@code r0}, {@code r1}, ...), so that a location is used as it is in a C test: through a
 * parameter holding its address.
 */
final class LisaReader {
    /** The translated processes and the offset where the text after the table starts. */
    record Table(List<Proc> procs, int end) {
    }

    /** What may follow the table: herd7's quantifiers, locations and filter, or a bare (cond). */
    private static final Pattern TAIL = Pattern.compile("(?:exists|forall|final|not|locations|filter)\\b|~|\\(");
    private static final Pattern REGISTER = Pattern.compile("r[0-9]+");
    /** Labels, registers and locations. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("-?(?:0[xX][0-9a-fA-F]+|[0-9]+)");
    private static final Map<String, String> OPERATORS = Map.ofEntries(Map.entry("add", "+"),
        Map.entry("sub", "-"), Map.entry("mul", "*"), Map.entry("div", "/"), Map.entry("mod", "%"),
        Map.entry("xor", "^"), Map.entry("and", "&"), Map.entry("or", "|"), Map.entry("eq", "=="),
        Map.entry("neq", "!="), Map.entry("ne", "!="), Map.entry("lt", "<"), Map.entry("le", "<="),
        Map.entry("gt", ">"), Map.entry("ge", ">="));
    private static final Map<String, String> FENCES = Map.of("mb", "smp_mb", "rmb", "smp_rmb", "wmb", "smp_wmb",
        "sync", "synchronize_rcu", "sync-rcu", "synchronize_rcu", "rcu_read_lock", "rcu_read_lock",
        "rcu-lock", "rcu_read_lock", "rcu_read_unlock", "rcu_read_unlock", "rcu-unlock", "rcu_read_unlock");
    /** Branches that cross can only be structured by repeating code; past this a file is hostile. */
    private static final int MAX_STATEMENTS = 10_000;

    private final LitmusLexer lexer;
    private final String text;

    LisaReader(LitmusLexer lexer) {
        this.lexer = lexer;
        this.text = lexer.text();
    }

    /** One cell: its text with comments blanked, and the line it starts on. */
    private record Cell(String text, int line) {
    }

    /** An instruction, a label or a branch, in column order. */
    private sealed interface Item permits Plain, Label, Branch {
    }

    private record Plain(Stmt stmt) implements Item {
    }

    private record Label(String name, int line) implements Item {
    }

    private record Branch(Expr cond, String target, int line) implements Item {
    }

    /** Reads the table starting at {@code pos} (just after the init block). */
    Table read(int pos) throws LitmusSyntaxError {
        List<List<Cell>> rows = new ArrayList<>();
        List<Integer> rowLines = new ArrayList<>();
        int p = pos;
        int n = text.length();
        while (true) {
            p = lexer.skip(p, false);
            if (p >= n || TAIL.matcher(text).region(p, n).lookingAt()) {
                break;
            }
            int rowStart = p;
            List<Cell> cells = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            int cellStart = p;
            int first = -1; // where the cell's text starts, for its line
            while (true) {
                if (p >= n) {
                    throw lexer.error(rowStart, "unterminated LISA table row: expected ';'");
                }
                char c = text.charAt(p);
                if (text.startsWith("(*", p)) {
                    p = lexer.ocamlCommentEnd(p);
                    cur.append(' ');
                } else if (c == '|' || c == ';') {
                    cells.add(new Cell(cur.toString().trim(), lexer.lineOf(first >= 0 ? first : cellStart)));
                    cur.setLength(0);
                    p++;
                    cellStart = p;
                    first = -1;
                    if (c == ';') {
                        break;
                    }
                } else {
                    if (first < 0 && !Character.isWhitespace(c)) {
                        first = p;
                    }
                    cur.append(c);
                    p++;
                }
            }
            rows.add(cells);
            rowLines.add(lexer.lineOf(rowStart));
        }
        if (rows.isEmpty()) {
            throw lexer.error(p, "expected the LISA table ('P0 | P1 ;') after the init block");
        }
        List<Cell> header = rows.get(0);
        for (int i = 0; i < header.size(); i++) {
            if (!header.get(i).text().equals("P" + i)) {
                throw lexer.errorAtLine(rowLines.get(0), "expected P" + i + " in the LISA table's header row, found '"
                    + header.get(i).text() + "'");
            }
        }
        for (int r = 1; r < rows.size(); r++) {
            if (rows.get(r).size() != header.size()) {
                throw lexer.errorAtLine(rowLines.get(r), "LISA table row has " + rows.get(r).size()
                    + " columns, the header has " + header.size());
            }
        }
        List<Proc> procs = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            List<Cell> column = new ArrayList<>();
            for (int r = 1; r < rows.size(); r++) {
                column.add(rows.get(r).get(i));
            }
            procs.add(column(i, column, rowLines.get(0)));
        }
        return new Table(procs, p);
    }

    private Proc column(int index, List<Cell> cells, int line) throws LitmusSyntaxError {
        Set<String> locations = new LinkedHashSet<>();
        List<Item> items = new ArrayList<>();
        for (Cell cell : cells) {
            if (!cell.text().isEmpty()) {
                new Instruction(cell, locations).into(items);
            }
        }
        Map<String, Integer> labels = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Label l && labels.put(l.name(), i) != null) {
                throw lexer.errorAtLine(l.line(), "label " + l.name() + " appears twice in P" + index + "'s column");
            }
        }
        int[] targets = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Branch b) {
                Integer t = labels.get(b.target());
                if (t == null || t < i) {
                    throw lexer.errorAtLine(b.line(), "branch to " + b.target() + ", but no label " + b.target()
                        + ": follows it in P" + index + "'s column");
                }
                targets[i] = t;
            }
        }
        int[] budget = {MAX_STATEMENTS};
        List<Stmt> body = structure(items, targets, 0, items.size(), budget, index);
        List<Param> params = new ArrayList<>();
        for (String loc : locations) {
            params.add(new Param("int *", loc));
        }
        return new Proc(index, params, body, line);
    }

    /**
     * The statements for items [from, to); every branch in that range targets a label at or
     * before {@code to}, and a branch to {@code to} jumps to the range's end.
     */
    private List<Stmt> structure(List<Item> items, int[] targets, int from, int to, int[] budget, int proc)
            throws LitmusSyntaxError {
        List<Stmt> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            if (--budget[0] < 0) {
                throw lexer.errorAtLine(line(items.get(i)), "the branches in P" + proc
                    + "'s column cross too often to be written as if statements");
            }
            Item item = items.get(i);
            if (item instanceof Plain p) {
                out.add(p.stmt());
                i++;
            } else if (item instanceof Label) {
                i++;
            } else {
                Branch b = (Branch) item;
                int j = targets[i];
                Expr notTaken = new Unary("!", b.cond());
                if (nested(items, targets, i + 1, j)) {
                    out.add(new If(notTaken, new Block(structure(items, targets, i + 1, j, budget, proc), b.line()),
                        null, b.line()));
                    i = j;
                } else {
                    // Another branch leaves the skipped region past L: give each path its own tail.
                    out.add(new If(notTaken, new Block(structure(items, targets, i + 1, to, budget, proc), b.line()),
                        new Block(structure(items, targets, j, to, budget, proc), b.line()), b.line()));
                    i = to;
                }
            }
        }
        return out;
    }

    /** No branch in [from, end) jumps past end. */
    private static boolean nested(List<Item> items, int[] targets, int from, int end) {
        for (int k = from; k < end; k++) {
            if (items.get(k) instanceof Branch && targets[k] > end) {
                return false;
            }
        }
        return true;
    }

    private static int line(Item item) {
        if (item instanceof Plain p) {
            return p.stmt().line();
        }
        return item instanceof Label l ? l.line() : ((Branch) item).line();
    }

    /** Reads one cell: {@code L:}, an instruction, or a label followed by an instruction. */
    private final class Instruction {
        private final List<String> words;
        private final int line;
        private final Set<String> locations;
        private int k;

        Instruction(Cell cell, Set<String> locations) throws LitmusSyntaxError {
            this.line = cell.line();
            this.locations = locations;
            this.words = split(cell.text());
        }

        /** Splits into words, {@code [tag]}s, parentheses, {@code +} and {@code :}. */
        private List<String> split(String s) throws LitmusSyntaxError {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '[') {
                    int close = s.indexOf(']', i);
                    if (close < 0) {
                        throw error("unclosed '[' in '" + s + "'");
                    }
                    out.add(s.substring(i, close + 1));
                    i = close + 1;
                } else if ("()+:".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    i++;
                } else if (LitmusLexer.isIdentPart(c) || c == '-') {
                    int e = i + 1;
                    while (e < s.length() && LitmusLexer.isIdentPart(s.charAt(e))) {
                        e++;
                    }
                    out.add(s.substring(i, e));
                    i = e;
                } else {
                    throw error("unexpected character " + LitmusLexer.shownChar(c) + " in '" + s + "'");
                }
            }
            return out;
        }

        void into(List<Item> items) throws LitmusSyntaxError {
            if (words.size() >= 2 && words.get(1).equals(":")) {
                String label = next();
                if (!NAME.matcher(label).matches()) {
                    throw error("bad label '" + label + "'");
                }
                next();
                items.add(new Label(label, line));
                if (k == words.size()) {
                    return;
                }
            }
            String op = next();
            String tag = "";
            if (k < words.size() && words.get(k).startsWith("[")) {
                String t = next();
                tag = t.substring(1, t.length() - 1).trim();
            }
            switch (op) {
                case "r" -> {
                    Var reg = register();
                    Expr addr = address();
                    Call load = switch (tag) {
                        case "once" -> call("READ_ONCE", new Deref(addr, line));
                        case "acquire" -> call("smp_load_acquire", addr);
                        case "lderef", "deref" -> call("rcu_dereference", new Deref(addr, line));
                        default -> call("__load_" + tag, addr);
                    };
                    items.add(new Plain(new Assign(reg, load, line)));
                }
                case "w" -> {
                    Expr addr = address();
                    Expr v = value();
                    Call store = switch (tag) {
                        case "once" -> call("WRITE_ONCE", new Deref(addr, line), v);
                        case "release" -> call("smp_store_release", addr, v);
                        case "assign" -> call("rcu_assign_pointer", new Deref(addr, line), v);
                        default -> call("__store_" + tag, addr, v);
                    };
                    items.add(new Plain(new ExprStmt(store, line)));
                }
                case "f" -> items.add(new Plain(new ExprStmt(call(FENCES.getOrDefault(tag, "__fence_" + tag)), line)));
                case "mov" -> {
                    Var reg = register();
                    items.add(new Plain(new Assign(reg, value(), line)));
                }
                case "b" -> {
                    // b[] c L jumps when c is non-zero; b[] L always jumps.
                    Expr c = words.size() - k == 1 ? new Const(1) : value();
                    String target = next();
                    if (!NAME.matcher(target).matches()) {
                        throw error("bad branch target '" + target + "'");
                    }
                    items.add(new Branch(c, target, line));
                }
                default -> throw error("unknown LISA instruction '" + op + "'");
            }
            if (k != words.size()) {
                throw error("unexpected '" + words.get(k) + "' after the instruction");
            }
        }

        private Var register() throws LitmusSyntaxError {
            String r = next();
            if (!REGISTER.matcher(r).matches()) {
                throw error("expected a register such as r1, found '" + r + "'");
            }
            return new Var(r, line);
        }

        /** {@code x}, {@code r1} (holding an address), {@code x+r2}. */
        private Expr address() throws LitmusSyntaxError {
            Expr base = name(next());
            if (k < words.size() && words.get(k).equals("+")) {
                next();
                return new Binary("+", base, atom(next()));
            }
            return base;
        }

        /** A number, a register, a location (its address) or {@code (op a b)}. */
        private Expr value() throws LitmusSyntaxError {
            String w = next();
            if (!w.equals("(")) {
                return atom(w);
            }
            String op = next();
            String c = OPERATORS.get(op);
            if (c == null) {
                throw error("unknown LISA operator '" + op + "'");
            }
            Expr a = value();
            Expr b = value();
            if (!next().equals(")")) {
                throw error("expected ')' after (" + op + " ...");
            }
            return new Binary(c, a, b);
        }

        private Expr atom(String w) throws LitmusSyntaxError {
            if (NUMBER.matcher(w).matches()) {
                try {
                    boolean neg = w.startsWith("-");
                    String digits = neg ? w.substring(1) : w;
                    long v = digits.startsWith("0x") || digits.startsWith("0X")
                        ? Long.parseUnsignedLong(digits.substring(2), 16) : Long.parseLong(digits);
                    return new Const(neg ? -v : v);
                } catch (NumberFormatException e) {
                    throw error("number '" + w + "' out of range");
                }
            }
            return name(w);
        }

        private Var name(String w) throws LitmusSyntaxError {
            if (!NAME.matcher(w).matches()) {
                throw error("expected a register or location, found '" + w + "'");
            }
            if (!REGISTER.matcher(w).matches()) {
                locations.add(w);
            }
            return new Var(w, line);
        }

        private Call call(String f, Expr... args) {
            return new Call(f, List.of(args), line);
        }

        private String next() throws LitmusSyntaxError {
            if (k >= words.size()) {
                throw error("instruction '" + String.join(" ", words) + "' ends too early");
            }
            return words.get(k++);
        }

        private LitmusSyntaxError error(String what) {
            return lexer.errorAtLine(line, what);
        }
    }
}
