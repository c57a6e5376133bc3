package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.litmus.LitmusAst.AddrOf;
import dev.tlbrace.harness.litmus.LitmusAst.Addr;
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
import dev.tlbrace.harness.litmus.LitmusAst.False;
import dev.tlbrace.harness.litmus.LitmusAst.If;
import dev.tlbrace.harness.litmus.LitmusAst.Implies;
import dev.tlbrace.harness.litmus.LitmusAst.Init;
import dev.tlbrace.harness.litmus.LitmusAst.Not;
import dev.tlbrace.harness.litmus.LitmusAst.Num;
import dev.tlbrace.harness.litmus.LitmusAst.Operand;
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
import dev.tlbrace.harness.litmus.LitmusAst.Value;
import dev.tlbrace.harness.litmus.LitmusAst.ValueOperand;
import dev.tlbrace.harness.litmus.LitmusAst.Var;
import dev.tlbrace.harness.litmus.LitmusAst.While;
import dev.tlbrace.harness.litmus.LitmusLexer.Kind;
import dev.tlbrace.harness.litmus.LitmusLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a litmus file into a {@link LitmusAst.Test}: syntax only, no knowledge of which
 * primitives exist (every {@code f(...)} is a {@link Call}).
 *
 * <p>It follows herd7's C litmus format as the Linux kernel's tools/memory-model/litmus-tests,
 * Documentation/litmus-tests and Paul McKenney's litmus repository write it:
 * <pre>
 * C name
 * "description"  Cycle=...  Relax=...       header lines, ignored
 * (* Result: Sometimes *)                   the Result comment ({@link Result})
 * { x=1; int *p = &amp;x; 0:r1=x; spinlock_t l; atomic_t a = ATOMIC_INIT(1); }
 * P0(int *x, int *y) { int r0 = READ_ONCE(*x); if (r0) WRITE_ONCE(*y, 1); }
 * locations [x; 0:r1;]   filter (...)       both optional
 * exists (0:r0=1 /\ ~y=0)                   or ~exists, forall
 * </pre>
 * Outside process bodies {@code (* *)} comments may appear anywhere; C comments may appear
 * everywhere. Casts are dropped; {@code r += e} and {@code r++} become assignments.
 *
 * <p>The part after the processes follows herd7's lib/stateParser.mly: {@code ~} or {@code not},
 * {@code /\}, {@code \/} and {@code =>} (also {@code ==>}) bind as its precedence declarations
 * say, which is {@code \/} loosest, then {@code /\}, then {@code =>}, then {@code ~}; so
 * {@code a /\ b => c} is {@code a /\ (b => c)}. A bare {@code (cond)} or {@code final cond} is
 * an exists, a {@code ;} may follow the condition, and a file with no condition at all is
 * {@code forall true}, as herd7 reads it.
 *
 * <p>Files starting {@code LISA name} (herd7's LISA front end, a table of columns) are
 * translated into the same tree by {@link LisaReader}, so that they mean under
 * linux-kernel.def what herd7 makes of them.
 *
 * <p>Anything it cannot read is a {@link LitmusSyntaxError} whose message is
 * {@code FILE:LINE: what is wrong}.
 */
public final class LitmusReader {

    /** A file that is not a litmus test we can read: message "FILE:LINE: what is wrong" (one line). */
    public static final class LitmusSyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;

        LitmusSyntaxError(String file, int line, String what) {
            super(file + ":" + line + ": " + what.replaceAll("[\\r\\n]+", " "));
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** Words that start or continue a C type, besides any identifier ending in {@code _t}. */
    private static final Set<String> TYPE_WORDS = Set.of("int", "char", "short", "long", "unsigned", "signed",
        "bool", "_Bool", "void", "const", "volatile", "struct", "union", "u8", "u16", "u32", "u64", "s8", "s16",
        "s32", "s64");
    /** C statements herd7's C dialect has no use for; named in the error rather than misparsed. */
    private static final Set<String> UNSUPPORTED = Set.of("for", "do", "switch", "return", "goto", "break",
        "continue", "case", "default", "else");
    /** C's binary operators, loosest first. */
    private static final List<Set<String>> LEVELS = List.of(Set.of("||"), Set.of("&&"), Set.of("|"), Set.of("^"),
        Set.of("&"), Set.of("==", "!="), Set.of("<", "<=", ">", ">="), Set.of("<<", ">>"), Set.of("+", "-"),
        Set.of("*", "/", "%"));
    private static final Map<String, String> COMPOUND = Map.of("+=", "+", "-=", "-", "*=", "*", "/=", "/",
        "%=", "%", "&=", "&", "|=", "|", "^=", "^", "<<=", "<<", ">>=", ">>");
    private static final Set<String> RESULT_WORDS = Set.of("Never", "Sometimes", "Always");
    private static final Pattern PROC = Pattern.compile("P[0-9]{1,6}");
    private static final Pattern PROC_LINE = Pattern.compile("P[0-9]+\\s*\\(");
    private static final Pattern BLANK = Pattern.compile("\\s*");
    /** Deep enough for any real test, shallow enough that recursion cannot overflow the stack. */
    private static final int MAX_DEPTH = 200;

    private final String file;
    private final String text;
    private final LitmusLexer lexer;
    private Token tok;
    /** Inside a process body: C lexing. */
    private boolean cBody;
    private int depth;

    private LitmusReader(String file, String text) {
        this.file = file;
        this.text = text;
        this.lexer = new LitmusLexer(file, text);
    }

    public static LitmusAst.Test read(String file, String text) throws LitmusSyntaxError {
        return new LitmusReader(file, text).test();
    }

    private LitmusAst.Test test() throws LitmusSyntaxError {
        // The first non-blank line names the dialect and the test.
        int start = 0;
        while (start < text.length() && (Character.isWhitespace(text.charAt(start)) || text.charAt(start) == '\uFEFF')) {
            start++;
        }
        if (start == text.length()) {
            throw lexer.error(start, "empty file: expected 'C name' on the first line");
        }
        int eol = text.indexOf('\n', start);
        eol = eol < 0 ? text.length() : eol;
        String[] words = text.substring(start, eol).trim().split("\\s+");
        String arch = words[0];
        if (!arch.equals("C") && !arch.equals("LISA")) {
            throw lexer.error(start, "not a C or LISA litmus test: it starts with '" + abbreviate(arch) + "'");
        }
        if (words.length < 2) {
            throw lexer.error(start, "no test name after '" + arch + "'");
        }
        String name = words[1];
        Result[] result = new Result[1];
        // The header starts right after the name: a Result comment may share its line.
        int brace = header(text.indexOf(name, start + arch.length()) + name.length(), result);

        tok = lexer.token(brace, false);
        List<Init> init = initBlock();
        List<Proc> procs;
        if (arch.equals("LISA")) {
            LisaReader.Table table = new LisaReader(lexer).read(tok.end());
            procs = table.procs();
            tok = lexer.token(table.end(), false);
        } else {
            advance();
            procs = processes();
        }

        List<Ref> locations = List.of();
        Cond filter = null;
        while (true) {
            if (tok.is("locations")) {
                advance();
                locations = locations();
            } else if (tok.is("filter")) {
                advance();
                filter = cond();
            } else {
                break;
            }
        }
        Quantifier quantifier;
        Cond condition;
        if (tok.kind() == Kind.EOF) {
            // herd7 reads a file without a final condition as "forall true" (a deadlock test, say).
            quantifier = Quantifier.FORALL;
            condition = new True();
        } else {
            quantifier = quantifier();
            condition = cond();
            accept(";"); // herd7 allows one after the condition
            if (tok.kind() != Kind.EOF) {
                throw error(tok, "unexpected " + tok.shown() + " after the final condition");
            }
        }
        return new LitmusAst.Test(file, name, result[0], init, procs, locations, filter, quantifier, condition);
    }

    // ---- header -------------------------------------------------------------------------------

    /**
     * Skips the header lines (a quoted description, {@code Cycle=...} and the like, comments) up
     * to the init block's opening brace, noting the first Result comment; returns the brace's offset.
     */
    private int header(int p, Result[] result) throws LitmusSyntaxError {
        int n = text.length();
        boolean lineStart = false;
        while (p < n) {
            char c = text.charAt(p);
            if (lineStart && !Character.isWhitespace(c)
                    && PROC_LINE.matcher(text).region(p, n).lookingAt()) {
                // Without this a missing init block would make P0's body look like one.
                throw lexer.error(p, "expected the init block '{' before " + text.substring(p, text.indexOf('(', p)));
            }
            if (c == '\n') {
                lineStart = true;
                p++;
                continue;
            }
            if (!Character.isWhitespace(c)) {
                lineStart = false;
            }
            if (text.startsWith("(*", p)) {
                int end = lexer.ocamlCommentEnd(p);
                if (result[0] == null) {
                    result[0] = result(text.substring(p + 2, end - 2));
                }
                p = end;
            } else if (c == '"') {
                // A description line; it may hold anything, but stays on its line.
                int close = text.indexOf('"', p + 1);
                int eol = text.indexOf('\n', p);
                p = close >= 0 && (eol < 0 || close < eol) ? close + 1 : eol < 0 ? n : eol;
            } else if (c == '{') {
                return p;
            } else {
                p++;
            }
        }
        throw lexer.error(n, "no init block: expected '{' after the header");
    }

    /** The Result in a comment's text, or null when it has none. */
    static Result result(String comment) {
        int i = comment.indexOf("Result:");
        if (i < 0) {
            return null;
        }
        String rest = comment.substring(i + "Result:".length());
        int eol = rest.indexOf('\n');
        if (eol >= 0) {
            rest = rest.substring(0, eol);
        }
        int close = rest.indexOf("*)");
        if (close >= 0) {
            rest = rest.substring(0, close);
        }
        String raw = rest.trim();
        List<String> words = raw.isEmpty() ? List.of() : List.of(raw.split("\\s+"));
        // "Sometimes (but requires modeling the compiler)" is still Sometimes; raw keeps the rest.
        String word = !words.isEmpty() && RESULT_WORDS.contains(words.get(0)) ? words.get(0) : null;
        return new Result(word, words.contains("DATARACE"), raw);
    }

    // ---- init block ---------------------------------------------------------------------------

    /** Reads {@code { entry; ... }}, leaving {@code tok} on the closing brace. */
    private List<Init> initBlock() throws LitmusSyntaxError {
        expect("{", "to open the init block");
        List<Init> init = new ArrayList<>();
        while (!tok.is("}")) {
            if (tok.is(";")) {
                advance();
                continue;
            }
            if (tok.kind() == Kind.EOF) {
                throw error(tok, "unterminated init block: expected '}'");
            }
            init.add(initEntry());
            if (!tok.is("}")) {
                expect(";", "after an init entry");
            }
        }
        return init;
    }

    /** {@code [type] x [= v]}, {@code [type] 0:r1 [= v]} or {@code P0:r1 = v}. */
    private Init initEntry() throws LitmusSyntaxError {
        int line = tok.line();
        List<String> words = new ArrayList<>();
        int stars = 0;
        int proc = -1;
        String name = null;
        while (name == null) {
            Token next = lexer.token(tok.end(), false);
            if (next.is(":") && (tok.kind() == Kind.NUM || tok.kind() == Kind.IDENT && PROC.matcher(tok.text()).matches())) {
                proc = procIndex(tok);
                advance();
                advance();
                name = ident("a register name");
            } else if (tok.kind() == Kind.IDENT && stars == 0
                    && (next.kind() == Kind.IDENT || next.is("*") || next.kind() == Kind.NUM)) {
                words.add(tok.text());
                advance();
            } else if (tok.kind() == Kind.IDENT) {
                name = tok.text();
                advance();
            } else if (tok.is("*") && !words.isEmpty()) {
                stars++;
                advance();
            } else {
                throw error(tok, "unexpected " + tok.shown() + " in the init block");
            }
        }
        Value value = null;
        if (tok.is("=")) {
            advance();
            value = initValue();
        }
        return new Init(proc, name, words.isEmpty() ? null : type(words, stars), value, line);
    }

    private Value initValue() throws LitmusSyntaxError {
        if (tok.is("&")) {
            advance();
            return new Addr(ident("a location after '&'"));
        }
        if (tok.kind() == Kind.NUM || tok.is("-")) {
            return new Num(signedNumber());
        }
        if (tok.kind() == Kind.IDENT) {
            Token id = tok;
            advance();
            if (tok.is("(")) {
                // atomic_t a = ATOMIC_INIT(n): the counter starts at n.
                if (!id.text().equals("ATOMIC_INIT")) {
                    throw error(id, "unsupported initial value " + id.shown() + "(...)");
                }
                advance();
                long v = signedNumber();
                expect(")", "to close ATOMIC_INIT(");
                return new Num(v);
            }
            // A bare name where a value is expected is that location's address.
            return id.text().equals("NULL") ? new Num(0) : new Addr(id.text());
        }
        throw error(tok, "expected an initial value, found " + tok.shown());
    }

    // ---- processes ----------------------------------------------------------------------------

    private List<Proc> processes() throws LitmusSyntaxError {
        List<Proc> procs = new ArrayList<>();
        while (tok.kind() == Kind.IDENT && PROC.matcher(tok.text()).matches()) {
            procs.add(process(procs.size()));
        }
        if (procs.isEmpty()) {
            throw error(tok, "expected P0(...) after the init block, found " + tok.shown());
        }
        return procs;
    }

    private Proc process(int expected) throws LitmusSyntaxError {
        Token p = tok;
        int index = procIndex(p);
        if (index != expected) {
            throw error(p, "expected P" + expected + ", found " + p.shown());
        }
        advance();
        expect("(", "after " + p.text());
        List<Param> params = new ArrayList<>();
        if (tok.is("void") && lexer.token(tok.end(), false).is(")")) {
            advance();
        }
        while (!tok.is(")")) {
            params.add(param());
            if (!tok.is(")")) {
                expect(",", "between parameters");
            }
        }
        advance();
        if (!tok.is("{")) {
            throw error(tok, "expected '{' to open " + p.text() + "'s body, found " + tok.shown());
        }
        Token open = tok;
        cBody = true;
        advance();
        List<Stmt> body = statementsUntilBrace(open, p.text() + "'s body");
        cBody = false;
        advance();
        return new Proc(index, params, body, p.line());
    }

    private Param param() throws LitmusSyntaxError {
        List<String> words = new ArrayList<>();
        while (tok.kind() == Kind.IDENT) {
            Token next = peek();
            if (next.kind() != Kind.IDENT && !next.is("*")) {
                break;
            }
            words.add(tok.text());
            advance();
        }
        int stars = 0;
        while (tok.is("*")) {
            stars++;
            advance();
        }
        if (words.isEmpty()) {
            throw error(tok, "expected a typed parameter such as 'int *x', found " + tok.shown());
        }
        return new Param(type(words, stars), ident("a parameter name"));
    }

    // ---- statements ---------------------------------------------------------------------------

    /** Statements up to the brace closing {@code open}; leaves {@code tok} on it. */
    private List<Stmt> statementsUntilBrace(Token open, String what) throws LitmusSyntaxError {
        List<Stmt> out = new ArrayList<>();
        while (!tok.is("}")) {
            if (tok.kind() == Kind.EOF) {
                throw error(open, what + ", opened here, is never closed: expected '}'");
            }
            if (tok.is(";")) {
                advance();
                continue;
            }
            statementInto(out);
        }
        return out;
    }

    /** One statement as the body of an if or while: several declarations become a block. */
    private Stmt statement() throws LitmusSyntaxError {
        int line = tok.line();
        List<Stmt> out = new ArrayList<>();
        statementInto(out);
        return out.size() == 1 ? out.get(0) : new Block(out, line);
    }

    private void statementInto(List<Stmt> out) throws LitmusSyntaxError {
        enter();
        Token t = tok;
        int line = t.line();
        if (t.is("{")) {
            advance();
            List<Stmt> body = statementsUntilBrace(t, "the block");
            advance();
            out.add(new Block(body, line));
        } else if (t.is(";")) {
            advance();
            out.add(new Block(List.of(), line));
        } else if (t.is("if")) {
            advance();
            Expr c = parenthesised("if");
            Stmt then = statement();
            Stmt otherwise = null;
            if (tok.is("else")) {
                advance();
                otherwise = statement();
            }
            out.add(new If(c, then, otherwise, line));
        } else if (t.is("while")) {
            advance();
            Expr c = parenthesised("while");
            out.add(new While(c, statement(), line));
        } else if (t.kind() == Kind.IDENT && UNSUPPORTED.contains(t.text())) {
            throw error(t, "'" + t.text() + "' is not part of herd7's C litmus dialect");
        } else if (isDeclarationStart()) {
            declarations(out);
        } else if (t.is("++") || t.is("--")) {
            advance();
            Expr target = unary();
            assignable(target, t);
            expect(";", "after the statement");
            out.add(new Assign(target, new Binary(t.is("++") ? "+" : "-", target, new Const(1)), line));
        } else {
            out.add(simpleStatement(line));
        }
        depth--;
    }

    /** {@code e;}, {@code lhs = e;}, {@code lhs op= e;}, {@code lhs++;}. */
    private Stmt simpleStatement(int line) throws LitmusSyntaxError {
        Expr e = expr();
        Token op = tok;
        Stmt s;
        if (op.is("=")) {
            assignable(e, op);
            advance();
            s = new Assign(e, expr(), line);
        } else if (op.kind() == Kind.PUNCT && COMPOUND.containsKey(op.text())) {
            assignable(e, op);
            advance();
            s = new Assign(e, new Binary(COMPOUND.get(op.text()), e, expr()), line);
        } else if (op.is("++") || op.is("--")) {
            assignable(e, op);
            advance();
            s = new Assign(e, new Binary(op.is("++") ? "+" : "-", e, new Const(1)), line);
        } else {
            s = new ExprStmt(e, line);
        }
        expect(";", "after the statement");
        return s;
    }

    private void assignable(Expr target, Token op) throws LitmusSyntaxError {
        if (!(target instanceof Var) && !(target instanceof Deref)) {
            throw error(op, "the left of " + op.shown() + " is neither a register nor *pointer");
        }
    }

    /**
     * A C type word, two identifiers in a row ({@code intptr_t r0}, {@code mytype r0}), or an
     * identifier ending in _t before a star ({@code spinlock_t *l}); not {@code foo_t(x)}.
     */
    private boolean isDeclarationStart() throws LitmusSyntaxError {
        if (tok.kind() != Kind.IDENT) {
            return false;
        }
        Token next = peek();
        return TYPE_WORDS.contains(tok.text()) || next.kind() == Kind.IDENT
            || tok.text().endsWith("_t") && next.is("*");
    }

    private static boolean isTypeWord(String s) {
        return TYPE_WORDS.contains(s) || s.endsWith("_t");
    }

    /** {@code int r0, *r1 = &x;}: one Decl per declarator. */
    private void declarations(List<Stmt> out) throws LitmusSyntaxError {
        int line = tok.line();
        List<String> words = new ArrayList<>();
        words.add(tok.text());
        advance();
        while (tok.kind() == Kind.IDENT && (peek().kind() == Kind.IDENT || peek().is("*"))) {
            words.add(tok.text());
            advance();
        }
        do {
            int stars = 0;
            while (tok.is("*")) {
                stars++;
                advance();
            }
            String name = ident("a variable name in the declaration");
            Expr init = null;
            if (tok.is("=")) {
                advance();
                init = expr();
            }
            out.add(new Decl(type(words, stars), name, init, line));
        } while (accept(","));
        expect(";", "after the declaration");
    }

    private Expr parenthesised(String what) throws LitmusSyntaxError {
        expect("(", "after '" + what + "'");
        Expr c = expr();
        expect(")", "to close the " + what + " condition");
        return c;
    }

    // ---- expressions --------------------------------------------------------------------------

    private Expr expr() throws LitmusSyntaxError {
        enter();
        Expr c = binary(0);
        if (tok.is("?")) {
            advance();
            Expr then = expr();
            expect(":", "in the ?: expression");
            c = new Ternary(c, then, expr());
        }
        depth--;
        return c;
    }

    private Expr binary(int level) throws LitmusSyntaxError {
        if (level == LEVELS.size()) {
            return unary();
        }
        Expr left = binary(level + 1);
        while (tok.kind() == Kind.PUNCT && LEVELS.get(level).contains(tok.text())) {
            String op = tok.text();
            advance();
            left = new Binary(op, left, binary(level + 1));
        }
        return left;
    }

    private Expr unary() throws LitmusSyntaxError {
        enter();
        Token t = tok;
        Expr e;
        if (t.is("*") || t.is("&") || t.is("!") || t.is("~") || t.is("-") || t.is("+")) {
            advance();
            Expr operand = unary();
            e = switch (t.text()) {
                case "*" -> new Deref(operand, t.line());
                case "&" -> new AddrOf(operand, t.line());
                case "+" -> operand;
                // A negative literal is a literal.
                case "-" -> operand instanceof Const c ? new Const(-c.value()) : new Unary("-", operand);
                default -> new Unary(t.text(), operand);
            };
        } else if (t.is("(") && isCast()) {
            // (int), (void), (intptr_t), (int *): casts change nothing herd7 looks at.
            advance();
            while (tok.kind() == Kind.IDENT || tok.is("*")) {
                advance();
            }
            expect(")", "to close the cast");
            e = unary();
        } else {
            e = primary();
        }
        depth--;
        return e;
    }

    private boolean isCast() throws LitmusSyntaxError {
        Token next = peek();
        return next.kind() == Kind.IDENT && isTypeWord(next.text());
    }

    private Expr primary() throws LitmusSyntaxError {
        Token t = tok;
        if (t.kind() == Kind.NUM) {
            advance();
            return new Const(number(t));
        }
        if (t.kind() == Kind.IDENT) {
            if (UNSUPPORTED.contains(t.text()) || t.is("if") || t.is("while")) {
                throw error(t, "unexpected " + t.shown() + " in an expression");
            }
            advance();
            if (tok.is("(")) {
                advance();
                List<Expr> args = new ArrayList<>();
                while (!tok.is(")")) {
                    args.add(expr());
                    if (!tok.is(")")) {
                        expect(",", "between the arguments of " + t.text() + "(");
                    }
                }
                advance();
                return new Call(t.text(), args, t.line());
            }
            return switch (t.text()) {
                case "true" -> new Const(1);
                case "false", "NULL" -> new Const(0);
                default -> new Var(t.text(), t.line());
            };
        }
        if (t.is("(")) {
            advance();
            Expr e = expr();
            expect(")", "to close '('");
            return e;
        }
        throw error(t, "expected an expression, found " + t.shown());
    }

    // ---- locations and conditions -------------------------------------------------------------

    private List<Ref> locations() throws LitmusSyntaxError {
        expect("[", "after 'locations'");
        List<Ref> refs = new ArrayList<>();
        while (!tok.is("]")) {
            if (tok.kind() == Kind.EOF) {
                throw error(tok, "unterminated locations list: expected ']'");
            }
            if (tok.is(";")) {
                advance();
                continue;
            }
            refs.add(ref());
            // herd7 lets an entry say how to print it (1:r1*, x int*); that is no concern here.
            if (tok.kind() == Kind.IDENT) {
                advance();
            }
            accept("*");
        }
        advance();
        return refs;
    }

    /**
     * {@code exists}, {@code ~exists} (also {@code not exists}), {@code forall}; herd7 also reads
     * {@code final} and a bare parenthesised condition as exists. Leaves {@code tok} on the condition.
     */
    private Quantifier quantifier() throws LitmusSyntaxError {
        if (tok.is("exists") || tok.is("final")) {
            advance();
            return Quantifier.EXISTS;
        }
        if (tok.is("forall")) {
            advance();
            return Quantifier.FORALL;
        }
        if ((tok.is("~") || tok.is("not")) && lexer.token(tok.end(), false).is("exists")) {
            advance();
            advance();
            return Quantifier.NOT_EXISTS;
        }
        if (tok.is("(")) {
            return Quantifier.EXISTS;
        }
        throw error(tok, "expected exists, ~exists or forall, found " + tok.shown());
    }

    /** herd7's precedence, loosest first: \/, /\, => (right-associative), ~. */
    private Cond cond() throws LitmusSyntaxError {
        enter();
        Cond left = conjunction();
        while (tok.is("\\/")) {
            advance();
            left = new Or(left, conjunction());
        }
        depth--;
        return left;
    }

    private Cond conjunction() throws LitmusSyntaxError {
        Cond left = implication();
        while (tok.is("/\\")) {
            advance();
            left = new And(left, implication());
        }
        return left;
    }

    private Cond implication() throws LitmusSyntaxError {
        Cond left = negation();
        if (tok.is("=>") || tok.is("==>")) {
            enter();
            advance();
            left = new Implies(left, implication());
            depth--;
        }
        return left;
    }

    private Cond negation() throws LitmusSyntaxError {
        enter();
        Cond c;
        if (tok.is("~") || tok.is("not")) {
            advance();
            c = new Not(negation());
        } else if (tok.is("(")) {
            advance();
            c = cond();
            expect(")", "to close '(' in the condition");
        } else if ((tok.is("true") || tok.is("false")) && !isAtomOperator(lexer.token(tok.end(), false))) {
            c = tok.is("true") ? new True() : new False();
            advance();
        } else {
            c = atom();
        }
        depth--;
        return c;
    }

    private static boolean isAtomOperator(Token t) {
        return t.is("=") || t.is("==") || t.is("!=") || t.is("<>");
    }

    /** {@code 0:r1=1}, {@code x=2}, {@code [x]=y}, {@code x!=0}, {@code 0:r1=1:r1}. */
    private Atom atom() throws LitmusSyntaxError {
        Ref left = ref();
        if (!isAtomOperator(tok)) {
            throw error(tok, "expected '=' or '!=' in the condition, found " + tok.shown());
        }
        String op = tok.is("!=") || tok.is("<>") ? "!=" : "=";
        advance();
        Operand right;
        if (isRegisterRef() || tok.is("[")) {
            right = new RefOperand(ref());
        } else if (tok.is("*")) {
            // herd7's *x on the right: x's final value, like [x].
            advance();
            right = new RefOperand(ref());
        } else if (tok.kind() == Kind.NUM || tok.is("-")) {
            right = new ValueOperand(new Num(signedNumber()));
        } else if (tok.is("&")) {
            advance();
            right = new ValueOperand(new Addr(ident("a location after '&'")));
        } else if (tok.kind() == Kind.IDENT) {
            // A bare name on the right is that location's address, as herd7 reads it.
            right = new ValueOperand(tok.is("NULL") ? new Num(0) : new Addr(tok.text()));
            advance();
        } else {
            throw error(tok, "expected a value in the condition, found " + tok.shown());
        }
        return new Atom(left, op, right);
    }

    /** {@code 0:r1}, {@code P0:r1}, {@code [x]}, {@code x}. */
    private Ref ref() throws LitmusSyntaxError {
        if (isRegisterRef()) {
            int proc = procIndex(tok);
            advance();
            advance();
            return new Ref(proc, ident("a register name after ':'"));
        }
        if (tok.is("[")) {
            advance();
            String name = ident("a location inside '[ ]'");
            expect("]", "after [" + name);
            return new Ref(-1, name);
        }
        return new Ref(-1, ident("a register or location"));
    }

    private boolean isRegisterRef() throws LitmusSyntaxError {
        return (tok.kind() == Kind.NUM || tok.kind() == Kind.IDENT && PROC.matcher(tok.text()).matches())
            && lexer.token(tok.end(), false).is(":");
    }

    // ---- small helpers ------------------------------------------------------------------------

    /** "int" + 1 star = "int *": {@code int*} and {@code int *} read the same. */
    private static String type(List<String> words, int stars) {
        String base = String.join(" ", words);
        return stars == 0 ? base : base + " " + "*".repeat(stars);
    }

    /** 0 for {@code 0:} or {@code P0:}, from a NUM or a P-identifier token. */
    private int procIndex(Token t) throws LitmusSyntaxError {
        String digits = t.kind() == Kind.NUM ? t.text() : t.text().substring(1);
        if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(Character::isDigit)) {
            throw error(t, "bad process number " + t.shown());
        }
        return Integer.parseInt(digits);
    }

    private long signedNumber() throws LitmusSyntaxError {
        boolean negative = accept("-");
        if (tok.kind() != Kind.NUM) {
            throw error(tok, "expected a number, found " + tok.shown());
        }
        long v = number(tok);
        advance();
        return negative ? -v : v;
    }

    private long number(Token t) throws LitmusSyntaxError {
        try {
            String s = t.text();
            return s.startsWith("0x") || s.startsWith("0X")
                ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(t, "number " + t.shown() + " out of range");
        }
    }

    private String ident(String what) throws LitmusSyntaxError {
        if (tok.kind() != Kind.IDENT) {
            throw error(tok, "expected " + what + ", found " + tok.shown());
        }
        String s = tok.text();
        advance();
        return s;
    }

    private void expect(String s, String why) throws LitmusSyntaxError {
        if (!tok.is(s)) {
            throw error(tok, "expected '" + s + "' " + why + ", found " + tok.shown());
        }
        advance();
    }

    private boolean accept(String s) throws LitmusSyntaxError {
        if (tok.is(s)) {
            advance();
            return true;
        }
        return false;
    }

    private void advance() throws LitmusSyntaxError {
        tok = lexer.token(tok.end(), cBody);
    }

    private Token peek() throws LitmusSyntaxError {
        return lexer.token(tok.end(), cBody);
    }

    private void enter() throws LitmusSyntaxError {
        if (++depth > MAX_DEPTH) {
            throw error(tok, "nested too deeply");
        }
    }

    private LitmusSyntaxError error(Token t, String what) {
        return lexer.errorAtLine(t.line(), what);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
