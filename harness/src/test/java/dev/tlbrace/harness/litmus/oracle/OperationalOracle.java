package dev.tlbrace.harness.litmus.oracle;

import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusAst.AddrOf;
import dev.tlbrace.harness.litmus.LitmusAst.Assign;
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
import dev.tlbrace.harness.litmus.LitmusAst.Stmt;
import dev.tlbrace.harness.litmus.LitmusAst.Ternary;
import dev.tlbrace.harness.litmus.LitmusAst.Unary;
import dev.tlbrace.harness.litmus.LitmusAst.Var;
import dev.tlbrace.harness.litmus.LitmusAst.While;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operational reference semantics for litmus tests, written independently of the axiomatic
 * checker (LitmusProgram / LitmusCheck / graph): each process is compiled to a small instruction
 * list, and every interleaving of their shared-memory steps is explored over one memory (SC) or
 * over memory plus per-CPU FIFO store buffers (x86-TSO), with a visited set of immutable states.
 * Only the parsed {@link LitmusAst} is shared with the checker; the values each primitive returns
 * are the same modelling choices LitmusProgram makes (read there, re-implemented here).
 */
public final class OperationalOracle {

    public enum Model { SC, TSO }

    /** Every reachable final state (filter applied) and the number of distinct states explored. */
    public record Result(Set<String> finalStates, long statesVisited) {
    }

    /** A construct the oracle cannot run. */
    public static final class Unsupported extends RuntimeException {
        public Unsupported(String message) {
            super(message);
        }
    }

    /** Loops are unrolled this many times, as the checker does; a run still looping is discarded. */
    static final int UNROLL = 2;
    /** A guard against exploding state spaces. */
    static long maxStates = 20_000_000L;

    // ------------------------------------------------------------------------------------------
    // values

    /** An integer (loc null) or an address loc+n; tok is an SRCU section provenance token (0: none). */
    record V(String loc, long n, int tok) {
        static final V ZERO = new V(null, 0, 0);

        static V num(long n) {
            return n == 0 ? ZERO : new V(null, n, 0);
        }

        static V addr(String loc) {
            return new V(loc, 0, 0);
        }

        boolean isAddr() {
            return loc != null;
        }

        boolean truthy() {
            return loc != null || n != 0;
        }

        /** C equality: provenance does not count. */
        boolean same(V o) {
            return n == o.n && java.util.Objects.equals(loc, o.loc);
        }

        V withTok(int t) {
            return new V(loc, n, t);
        }

        /** The shared location this address names: x, or x+k with an offset. */
        String location() {
            return n == 0 ? loc : loc + "+" + n;
        }

        String show() {
            return loc == null ? Long.toString(n) : n == 0 ? loc : loc + "+" + n;
        }
    }

    /** The execution does not exist (an access through a non-address, a loop that does not end). */
    private static final class Discard extends RuntimeException {
        static final Discard INSTANCE = new Discard();

        private Discard() {
            super(null, null, false, false);
        }
    }

    // ------------------------------------------------------------------------------------------
    // pure expressions over registers

    sealed interface PE permits PConst, PVar, PAddrOf, PBin, PUn, PCond {
    }

    record PConst(V v) implements PE {
    }

    /** A register if the CPU has it, else the address of a shared location of that name, else 0. */
    record PVar(String name) implements PE {
    }

    /** The address an lvalue name denotes: a register's value, else the location's address. */
    record PAddrOf(String name) implements PE {
    }

    record PBin(String op, PE l, PE r) implements PE {
    }

    record PUn(String op, PE e) implements PE {
    }

    record PCond(PE c, PE a, PE b) implements PE {
    }

    // ------------------------------------------------------------------------------------------
    // instructions

    sealed interface Ins permits Mov, DeclReg, Jmp, JmpIfNot, KillTemps, Disc, Load, Store, Rmw, Lock, Trylock,
            CondLoad, Fence, RcuLock, RcuUnlock, SyncStart, SyncEnd, SrcuLock, SrcuUnlock {
    }

    /** Local: reg = e. */
    record Mov(String reg, PE e) implements Ins {
    }

    /** Local: a declared register starts at 0 unless it already has a value. */
    record DeclReg(String reg) implements Ins {
    }

    record Jmp(int target) implements Ins {
    }

    /** Local: jump when c is false; clear drops the statement's temporaries afterwards. */
    record JmpIfNot(PE c, int target, boolean clear) implements Ins {
    }

    record KillTemps() implements Ins {
    }

    /** Local: the run is not an execution (a loop past its unrolling). */
    record Disc() implements Ins {
    }

    record Load(String dst, PE addr) implements Ins {
    }

    record Store(PE addr, PE val) implements Ins {
    }

    enum RmwOp { XCHG, CMPXCHG, TRY_CMPXCHG, ADD_UNLESS, ATOMIC }

    /**
     * A read-modify-write on memory. XCHG: a=value. CMPXCHG/TRY_CMPXCHG: a=expected, b=new.
     * ADD_UNLESS: a=addend, b=unless. ATOMIC: a=operand, op the C operation, ret 'f' fetch,
     * 'r' return new, 't' and_test, 'n' negative, '-' nothing.
     */
    record Rmw(String dst, RmwOp kind, PE addr, PE a, PE b, String op, char ret) implements Ins {
    }

    record Lock(PE addr) implements Ins {
    }

    record Trylock(String dst, PE addr) implements Ins {
    }

    /** smp_cond_load_*: enabled only when cond (with VAL bound to the value read) holds. */
    record CondLoad(String dst, PE addr, PE cond) implements Ins {
    }

    /** A full barrier: under TSO enabled only when the CPU's store buffer is empty; no-op under SC. */
    record Fence() implements Ins {
    }

    record RcuLock() implements Ins {
    }

    record RcuUnlock() implements Ins {
    }

    /** srcu null: RCU; else the srcu_struct's address. */
    record SyncStart(PE srcu) implements Ins {
    }

    record SyncEnd() implements Ins {
    }

    record SrcuLock(String dst, PE addr, boolean down) implements Ins {
    }

    record SrcuUnlock(PE addr, PE idx) implements Ins {
    }

    // ------------------------------------------------------------------------------------------
    // compiler

    private static final Pattern XCHG = Pattern.compile(
            "(atomic(?:_long|64)?_)?(xchg|cmpxchg|try_cmpxchg)(_relaxed|_acquire|_release)?");
    private static final Pattern ADD_UNLESS = Pattern.compile("atomic(_long|64)?_add_unless");
    private static final Pattern ATOMIC = Pattern.compile(
            "atomic(?:_long|64)?_(fetch_)?(add|sub|and|or|xor|andnot|inc|dec)(_return)?(_and_test|_negative)?"
                    + "(_relaxed|_acquire|_release)?");
    private static final java.util.Set<String> NOOP_FENCES = java.util.Set.of("smp_rmb", "smp_wmb", "barrier",
            "smp_mb__before_atomic", "smp_mb__after_atomic", "smp_mb__after_spinlock",
            "smp_mb__after_unlock_lock", "smp_mb__after_srcu_read_unlock");

    private static final class Compiler {
        final List<Ins> code = new ArrayList<>();
        int temps;

        String temp() {
            return "$" + temps++;
        }

        int here() {
            return code.size();
        }

        void patch(int at, int target) {
            Ins i = code.get(at);
            if (i instanceof Jmp) {
                code.set(at, new Jmp(target));
            } else if (i instanceof JmpIfNot j) {
                code.set(at, new JmpIfNot(j.c(), target, j.clear()));
            }
        }

        void stmt(Stmt s) {
            if (s instanceof Decl d) {
                if (d.init() != null) {
                    PE e = expr(d.init());
                    code.add(new Mov(d.name(), e));
                } else {
                    code.add(new DeclReg(d.name()));
                }
                code.add(new KillTemps());
            } else if (s instanceof Assign a) {
                PE v = expr(a.value());
                if (a.target() instanceof Var var) {
                    code.add(new Mov(var.name(), v));
                } else if (a.target() instanceof Deref d) {
                    String t = temp();
                    code.add(new Mov(t, v)); // the value is computed before the pointer, as the checker does
                    PE p = expr(d.pointer());
                    code.add(new Store(p, new PVar(t)));
                } else {
                    throw new Unsupported("line " + a.line() + ": cannot assign to " + a.target());
                }
                code.add(new KillTemps());
            } else if (s instanceof ExprStmt e) {
                expr(e.e());
                code.add(new KillTemps());
            } else if (s instanceof If i) {
                PE c = expr(i.cond());
                int jf = here();
                code.add(new JmpIfNot(c, -1, true));
                stmt(i.then());
                if (i.otherwise() != null) {
                    int je = here();
                    code.add(new Jmp(-1));
                    patch(jf, here());
                    stmt(i.otherwise());
                    patch(je, here());
                } else {
                    patch(jf, here());
                }
            } else if (s instanceof While w) {
                List<Integer> exits = new ArrayList<>();
                for (int turn = 0; turn <= UNROLL; turn++) {
                    PE c = expr(w.cond());
                    exits.add(here());
                    code.add(new JmpIfNot(c, -1, true));
                    if (turn == UNROLL) {
                        code.add(new Disc());
                    } else {
                        stmt(w.body());
                    }
                }
                exits.forEach(at -> patch(at, here()));
            } else if (s instanceof Block b) {
                b.body().forEach(this::stmt);
            } else {
                throw new Unsupported("statement " + s);
            }
        }

        /** The address an lvalue denotes (READ_ONCE(*p), READ_ONCE(x), &x). */
        PE address(Expr lvalue) {
            if (lvalue instanceof Deref d) {
                return expr(d.pointer());
            }
            if (lvalue instanceof Var v) {
                return new PAddrOf(v.name());
            }
            throw new Unsupported("not an lvalue: " + lvalue);
        }

        PE expr(Expr e) {
            if (e instanceof Const c) {
                return new PConst(V.num(c.value()));
            }
            if (e instanceof Var v) {
                return new PVar(v.name());
            }
            if (e instanceof Deref d) {
                PE p = expr(d.pointer());
                String t = temp();
                code.add(new Load(t, p));
                return new PVar(t);
            }
            if (e instanceof AddrOf a) {
                return address(a.operand());
            }
            if (e instanceof Unary u) {
                if (!List.of("!", "~", "-").contains(u.op())) {
                    throw new Unsupported("operator " + u.op());
                }
                return new PUn(u.op(), expr(u.operand()));
            }
            if (e instanceof Binary b) {
                if (b.op().equals("&&") || b.op().equals("||")) {
                    PE l = expr(b.left());
                    int mark = here();
                    PE r = expr(b.right());
                    if (here() == mark) {
                        return new PBin(b.op(), l, r);
                    }
                    // the right side touches memory: only run it when the left does not decide
                    code.subList(mark, code.size()).clear();
                    String t = temp();
                    boolean and = b.op().equals("&&");
                    PE decideRight = and ? l : new PUn("!", l);
                    int jf = here();
                    code.add(new JmpIfNot(decideRight, -1, false));
                    PE r2 = expr(b.right());
                    code.add(new Mov(t, new PUn("!", new PUn("!", r2))));
                    int je = here();
                    code.add(new Jmp(-1));
                    patch(jf, here());
                    code.add(new Mov(t, new PConst(V.num(and ? 0 : 1))));
                    patch(je, here());
                    return new PVar(t);
                }
                PE l = expr(b.left());
                PE r = expr(b.right());
                return new PBin(b.op(), l, r);
            }
            if (e instanceof Ternary t) {
                PE c = expr(t.cond());
                int mark = here();
                PE a = expr(t.then());
                PE b = expr(t.otherwise());
                if (here() == mark) {
                    return new PCond(c, a, b);
                }
                code.subList(mark, code.size()).clear();
                String r = temp();
                int jf = here();
                code.add(new JmpIfNot(c, -1, false));
                code.add(new Mov(r, expr(t.then())));
                int je = here();
                code.add(new Jmp(-1));
                patch(jf, here());
                code.add(new Mov(r, expr(t.otherwise())));
                patch(je, here());
                return new PVar(r);
            }
            return call((Call) e);
        }

        PE arg(List<Expr> a, int i, String f) {
            if (i >= a.size()) {
                throw new Unsupported(f + " needs " + (i + 1) + " arguments");
            }
            return expr(a.get(i));
        }

        PE call(Call c) {
            String f = c.function();
            List<Expr> a = c.args();
            PE zero = new PConst(V.ZERO);
            switch (f) {
                case "READ_ONCE", "rcu_dereference", "lockless_dereference", "rcu_dereference_raw",
                        "srcu_dereference" -> {
                    PE addr = address(a.get(0));
                    String t = temp();
                    code.add(new Load(t, addr));
                    return new PVar(t);
                }
                case "WRITE_ONCE", "rcu_assign_pointer", "smp_store_mb" -> {
                    PE addr = address(a.get(0));
                    PE v = arg(a, 1, f);
                    code.add(new Store(addr, v));
                    if (f.equals("smp_store_mb")) {
                        code.add(new Fence());
                    }
                    return zero;
                }
                case "smp_load_acquire", "atomic_read_acquire", "atomic_long_read_acquire", "atomic_read",
                        "atomic_long_read", "atomic64_read" -> {
                    PE addr = arg(a, 0, f);
                    String t = temp();
                    code.add(new Load(t, addr));
                    return new PVar(t);
                }
                case "smp_store_release", "atomic_set_release", "atomic_long_set_release", "atomic_set",
                        "atomic_long_set", "atomic64_set" -> {
                    PE addr = arg(a, 0, f);
                    PE v = arg(a, 1, f);
                    code.add(new Store(addr, v));
                    return zero;
                }
                case "smp_mb" -> {
                    code.add(new Fence());
                    return zero;
                }
                case "rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched" -> {
                    code.add(new RcuLock());
                    return zero;
                }
                case "rcu_read_unlock", "rcu_read_unlock_bh", "rcu_read_unlock_sched" -> {
                    code.add(new RcuUnlock());
                    return zero;
                }
                case "synchronize_rcu", "synchronize_rcu_expedited", "synchronize_sched" -> {
                    code.add(new SyncStart(null));
                    code.add(new SyncEnd());
                    return zero;
                }
                case "srcu_read_lock", "srcu_down_read" -> {
                    PE addr = arg(a, 0, f);
                    String t = temp();
                    code.add(new SrcuLock(t, addr, f.equals("srcu_down_read")));
                    code.add(new Fence()); // Tree SRCU's smp_mb() B
                    return new PVar(t);
                }
                case "srcu_read_unlock", "srcu_up_read" -> {
                    PE addr = arg(a, 0, f);
                    PE idx = a.size() > 1 ? expr(a.get(1)) : zero;
                    code.add(new Fence()); // Tree SRCU's smp_mb() C
                    code.add(new SrcuUnlock(addr, idx));
                    return zero;
                }
                case "synchronize_srcu", "synchronize_srcu_expedited" -> {
                    code.add(new SyncStart(arg(a, 0, f)));
                    code.add(new SyncEnd());
                    return zero;
                }
                case "spin_lock" -> {
                    code.add(new Lock(arg(a, 0, f)));
                    return zero;
                }
                case "spin_unlock" -> {
                    code.add(new Store(arg(a, 0, f), zero));
                    return zero;
                }
                case "spin_trylock" -> {
                    String t = temp();
                    code.add(new Trylock(t, arg(a, 0, f)));
                    return new PVar(t);
                }
                case "spin_is_locked" -> {
                    String t = temp();
                    code.add(new Load(t, arg(a, 0, f)));
                    return new PUn("!", new PUn("!", new PVar(t)));
                }
                case "smp_cond_load_acquire", "smp_cond_load_relaxed" -> {
                    PE addr = arg(a, 0, f);
                    int mark = here();
                    PE cond = arg(a, 1, f);
                    if (here() != mark) {
                        throw new Unsupported(f + " with a condition that accesses memory");
                    }
                    String t = temp();
                    code.add(new CondLoad(t, addr, cond));
                    return new PVar(t);
                }
                default -> {
                    if (NOOP_FENCES.contains(f)) {
                        return zero;
                    }
                    return rmw(f, a);
                }
            }
        }

        PE rmw(String f, List<Expr> a) {
            String t = temp();
            Matcher xc = XCHG.matcher(f);
            if (xc.matches()) {
                PE addr = arg(a, 0, f);
                if (xc.group(2).equals("xchg")) {
                    PE v = arg(a, 1, f);
                    code.add(new Rmw(t, RmwOp.XCHG, addr, v, null, null, 'f'));
                } else {
                    PE exp = arg(a, 1, f);
                    PE nv = arg(a, 2, f);
                    code.add(new Rmw(t, xc.group(2).equals("cmpxchg") ? RmwOp.CMPXCHG : RmwOp.TRY_CMPXCHG, addr, exp,
                            nv, null, 'f'));
                }
                return new PVar(t);
            }
            if (ADD_UNLESS.matcher(f).matches()) {
                PE addr = arg(a, 0, f);
                PE add = arg(a, 1, f);
                PE unless = arg(a, 2, f);
                code.add(new Rmw(t, RmwOp.ADD_UNLESS, addr, add, unless, null, 'f'));
                return new PVar(t);
            }
            Matcher m = ATOMIC.matcher(f);
            if (!m.matches()) {
                throw new Unsupported("unknown primitive '" + f + "'");
            }
            boolean fetch = m.group(1) != null;
            String op = m.group(2);
            boolean ret = m.group(3) != null || m.group(4) != null;
            if (!fetch && !ret && m.group(5) != null) {
                throw new Unsupported("unknown primitive '" + f + "'");
            }
            boolean unit = op.equals("inc") || op.equals("dec");
            PE operand;
            PE addr;
            if (unit) {
                operand = new PConst(V.num(1));
                addr = arg(a, 0, f);
            } else {
                operand = arg(a, 0, f);
                addr = arg(a, 1, f);
            }
            char r = m.group(4) != null ? (m.group(4).equals("_and_test") ? 't' : 'n')
                    : fetch ? 'f' : ret ? 'r' : '-';
            code.add(new Rmw(t, RmwOp.ATOMIC, addr, operand, null, op, r));
            return new PVar(t);
        }
    }

    // ------------------------------------------------------------------------------------------
    // states

    record Buf(String loc, V v) {
    }

    /** One CPU: where it is, its registers (and live temporaries), RCU nesting, its store buffer. */
    record Cpu(int pc, Map<String, V> regs, int rcuDepth, int rcuTok, int sections, List<Buf> buffer,
            SyncWait waiting) {
        Cpu with(int pc2, Map<String, V> regs2) {
            return new Cpu(pc2, regs2, rcuDepth, rcuTok, sections, buffer, waiting);
        }
    }

    /** An open read-side section: RCU (srcu null) or SRCU of location srcu, opened on cpu. */
    record Section(int cpu, String srcu, boolean down) {
    }

    /**
     * A grace period in progress: for every section open at its start, -1 while it is still open,
     * else (under TSO) how many of the closing CPU's stores made before the close are still
     * buffered, and which CPU that is.
     */
    record SyncWait(Map<Integer, long[]> pending) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof SyncWait w) || w.pending.size() != pending.size()) {
                return false;
            }
            for (Map.Entry<Integer, long[]> e : pending.entrySet()) {
                long[] x = w.pending.get(e.getKey());
                if (x == null || !Arrays.equals(x, e.getValue())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 0;
            for (Map.Entry<Integer, long[]> e : pending.entrySet()) {
                h += e.getKey() ^ Arrays.hashCode(e.getValue());
            }
            return h;
        }
    }

    /**
     * @param closing TSO: sections already closed whose CPU still buffers stores made before the
     *                close: a grace period that starts now waits for those too, as the law's "C
     *                ended before G" wants every store C's CPU saw before C's end visible by G's end
     */
    record State(Map<String, V> mem, List<Cpu> cpus, Map<Integer, Section> open, Map<Integer, Closing> closing) {
    }

    /** A closed section whose closer still buffers {@code remaining} stores made before the close. */
    record Closing(Section section, int closer, int remaining) {
    }

    // ------------------------------------------------------------------------------------------
    // the explorer

    private final LitmusAst.Test test;
    private final Model model;
    private final List<List<Ins>> code = new ArrayList<>();
    /** Shared locations in the order the checker numbers them (for address arithmetic). */
    private final List<String> locations = new ArrayList<>();
    private final java.util.Set<String> locationSet = new HashSet<>();

    private OperationalOracle(LitmusAst.Test test, Model model) {
        this.test = test;
        this.model = model;
        for (LitmusAst.Proc p : test.procs()) {
            Compiler c = new Compiler();
            p.body().forEach(c::stmt);
            code.add(List.copyOf(c.code));
        }
    }

    private static V value(LitmusAst.Value v) {
        return v instanceof LitmusAst.Num n ? V.num(n.value()) : V.addr(((LitmusAst.Addr) v).location());
    }

    private void addLocation(String l) {
        if (locationSet.add(l)) {
            locations.add(l);
        }
    }

    private State initial() {
        Map<String, V> mem = new HashMap<>();
        List<Map<String, V>> regs = new ArrayList<>();
        for (LitmusAst.Proc p : test.procs()) {
            regs.add(new HashMap<>());
            p.params().forEach(par -> addLocation(par.name()));
        }
        for (LitmusAst.Init i : test.init()) {
            V v = i.value() == null ? V.ZERO : value(i.value());
            if (i.proc() < 0) {
                addLocation(i.name());
                mem.put(i.name(), v);
            } else if (i.proc() < regs.size()) {
                regs.get(i.proc()).put(i.name(), v);
            }
        }
        for (LitmusAst.Init i : test.init()) {
            if (i.value() instanceof LitmusAst.Addr a) {
                addLocation(a.location());
            }
        }
        mem.values().removeIf(v -> v.same(V.ZERO));
        List<Cpu> cpus = new ArrayList<>();
        for (int c = 0; c < test.procs().size(); c++) {
            cpus.add(new Cpu(0, Map.copyOf(regs.get(c)), 0, 0, 0, List.of(), null));
        }
        State s = new State(Map.copyOf(mem), List.copyOf(cpus), Map.of(), Map.of());
        for (int c = 0; c < cpus.size(); c++) {
            s = settle(s, c);
            if (s == null) {
                return null;
            }
        }
        return s;
    }

    public static Result run(LitmusAst.Test test, Model model) {
        OperationalOracle o = new OperationalOracle(test, model);
        return o.explore();
    }

    private Result explore() {
        java.util.Set<String> finals = new TreeSet<>();
        State init = initial();
        if (init == null) {
            return new Result(finals, 0);
        }
        HashSet<State> seen = new HashSet<>();
        Deque<State> stack = new ArrayDeque<>();
        seen.add(init);
        stack.push(init);
        List<LitmusAst.Ref> refs = refs(test);
        while (!stack.isEmpty()) {
            State s = stack.pop();
            boolean finished = true;
            for (int c = 0; c < s.cpus().size(); c++) {
                Cpu cpu = s.cpus().get(c);
                if (cpu.pc() < code.get(c).size() || !cpu.buffer().isEmpty()) {
                    finished = false;
                }
                if (!cpu.buffer().isEmpty()) {
                    push(flush(s, c), seen, stack);
                }
                if (cpu.pc() < code.get(c).size()) {
                    State n;
                    try {
                        n = step(s, c);
                    } catch (Discard d) {
                        n = null;
                    }
                    push(n, seen, stack);
                }
            }
            if (finished && (test.filter() == null || holds(test.filter(), s))) {
                finals.add(canonical(refs, s));
            }
        }
        return new Result(finals, seen.size());
    }

    private void push(State n, HashSet<State> seen, Deque<State> stack) {
        if (n != null && seen.add(n)) {
            if (seen.size() > maxStates) {
                throw new Unsupported("more than " + maxStates + " states");
            }
            stack.push(n);
        }
    }

    // ---- evaluation ----------------------------------------------------------------------------

    private long number(V v) {
        if (!v.isAddr()) {
            return v.n();
        }
        int i = locations.indexOf(v.loc());
        int index = i < 0 ? locations.size() : i + 1;
        return 0x1000L * index + v.n();
    }

    private V eval(PE e, Map<String, V> regs) {
        if (e instanceof PConst c) {
            return c.v();
        }
        if (e instanceof PVar v) {
            V r = regs.get(v.name());
            if (r != null) {
                return r;
            }
            return locationSet.contains(v.name()) ? V.addr(v.name()) : V.ZERO;
        }
        if (e instanceof PAddrOf a) {
            V r = regs.get(a.name());
            if (r != null) {
                return r;
            }
            if (locationSet.contains(a.name())) {
                return V.addr(a.name());
            }
            throw new Unsupported("not an lvalue: " + a.name());
        }
        if (e instanceof PUn u) {
            V x = eval(u.e(), regs);
            return switch (u.op()) {
                case "!" -> V.num(x.truthy() ? 0 : 1);
                case "~" -> V.num(~number(x));
                default -> V.num(-number(x));
            };
        }
        if (e instanceof PCond c) {
            return eval(c.c(), regs).truthy() ? eval(c.a(), regs) : eval(c.b(), regs);
        }
        PBin b = (PBin) e;
        if (b.op().equals("&&")) {
            return V.num(eval(b.l(), regs).truthy() && eval(b.r(), regs).truthy() ? 1 : 0);
        }
        if (b.op().equals("||")) {
            return V.num(eval(b.l(), regs).truthy() || eval(b.r(), regs).truthy() ? 1 : 0);
        }
        V a = eval(b.l(), regs);
        V c = eval(b.r(), regs);
        return switch (b.op()) {
            case "==" -> V.num(a.same(c) ? 1 : 0);
            case "!=" -> V.num(a.same(c) ? 0 : 1);
            case "+" -> a.isAddr() && !c.isAddr() ? new V(a.loc(), a.n() + c.n(), 0)
                    : c.isAddr() && !a.isAddr() ? new V(c.loc(), c.n() + a.n(), 0)
                    : V.num(number(a) + number(c));
            case "-" -> a.same(c) ? V.ZERO
                    : a.isAddr() && !c.isAddr() ? new V(a.loc(), a.n() - c.n(), 0)
                    : V.num(number(a) - number(c));
            case "^" -> a.same(c) ? V.ZERO : V.num(number(a) ^ number(c));
            case "*" -> V.num(number(a) * number(c));
            case "/" -> number(c) == 0 ? V.ZERO : V.num(number(a) / number(c));
            case "%" -> number(c) == 0 ? V.ZERO : V.num(number(a) % number(c));
            case "&" -> a.isAddr() && number(c) == -1 ? a.withTok(0) : V.num(number(a) & number(c));
            case "|" -> a.isAddr() && number(c) == 0 ? a.withTok(0)
                    : c.isAddr() && number(a) == 0 ? c.withTok(0) : V.num(number(a) | number(c));
            case "<<" -> V.num(number(a) << number(c));
            case ">>" -> V.num(number(a) >> number(c));
            case "<" -> V.num(number(a) < number(c) ? 1 : 0);
            case "<=" -> V.num(number(a) <= number(c) ? 1 : 0);
            case ">" -> V.num(number(a) > number(c) ? 1 : 0);
            case ">=" -> V.num(number(a) >= number(c) ? 1 : 0);
            default -> throw new Unsupported("operator " + b.op());
        };
    }

    private static String locOf(V addr) {
        if (!addr.isAddr()) {
            throw Discard.INSTANCE; // an access through a non-pointer: no execution, as herd7
        }
        return addr.location();
    }

    private static V memRead(Map<String, V> mem, String loc) {
        return mem.getOrDefault(loc, V.ZERO);
    }

    /** What a load of loc by cpu reads: its newest buffered store to loc, else memory. */
    private static V load(State s, Cpu cpu, String loc) {
        List<Buf> b = cpu.buffer();
        for (int i = b.size() - 1; i >= 0; i--) {
            if (b.get(i).loc().equals(loc)) {
                return b.get(i).v();
            }
        }
        return memRead(s.mem(), loc);
    }

    private static Map<String, V> put(Map<String, V> m, String k, V v) {
        Map<String, V> n = new HashMap<>(m);
        if (v.equals(V.ZERO)) {
            n.remove(k);
        } else {
            n.put(k, v);
        }
        return n;
    }

    private static Map<String, V> setReg(Map<String, V> m, String k, V v) {
        Map<String, V> n = new HashMap<>(m);
        n.put(k, v);
        return n;
    }

    // ---- steps -----------------------------------------------------------------------------------

    private State flush(State s, int c) {
        Cpu cpu = s.cpus().get(c);
        Buf b = cpu.buffer().get(0);
        Map<String, V> mem = put(s.mem(), b.loc(), b.v());
        List<Cpu> cpus = new ArrayList<>(s.cpus());
        cpus.set(c, new Cpu(cpu.pc(), cpu.regs(), cpu.rcuDepth(), cpu.rcuTok(), cpu.sections(),
                List.copyOf(cpu.buffer().subList(1, cpu.buffer().size())), cpu.waiting()));
        // a grace period waiting for this CPU's pre-unlock stores counts one fewer
        for (int k = 0; k < cpus.size(); k++) {
            Cpu o = cpus.get(k);
            if (o.waiting() == null) {
                continue;
            }
            Map<Integer, long[]> p = new HashMap<>();
            boolean changed = false;
            for (Map.Entry<Integer, long[]> e : o.waiting().pending().entrySet()) {
                long[] v = e.getValue();
                if (v[0] > 0 && v[1] == c) {
                    p.put(e.getKey(), new long[] {v[0] - 1, v[1]});
                    changed = true;
                } else {
                    p.put(e.getKey(), v);
                }
            }
            if (changed) {
                cpus.set(k, new Cpu(o.pc(), o.regs(), o.rcuDepth(), o.rcuTok(), o.sections(), o.buffer(),
                        new SyncWait(Map.copyOf(p))));
            }
        }
        Map<Integer, Closing> closing = new HashMap<>();
        s.closing().forEach((tok, cl) -> {
            int left = cl.closer() == c ? cl.remaining() - 1 : cl.remaining();
            if (left > 0) {
                closing.put(tok, new Closing(cl.section(), cl.closer(), left));
            }
        });
        return new State(mem, List.copyOf(cpus), s.open(), Map.copyOf(closing));
    }

    private boolean tso() {
        return model == Model.TSO;
    }

    /** A mutable working copy of a state for one step. */
    private final class Work {
        Map<String, V> mem;
        final List<Cpu> cpus;
        Map<Integer, Section> open;
        Map<Integer, Closing> closing;

        Work(State s) {
            mem = s.mem();
            cpus = new ArrayList<>(s.cpus());
            open = s.open();
            closing = s.closing();
        }

        State freeze() {
            return new State(mem, List.copyOf(cpus), open, closing);
        }

        /** Close section tok, closed by CPU closer whose buffer holds `before` older stores. */
        void close(int tok, int closer, int before) {
            Map<Integer, Section> o = new HashMap<>(open);
            Section closed = o.remove(tok);
            if (tso() && before > 0 && closed != null) {
                Map<Integer, Closing> cl = new HashMap<>(closing);
                cl.put(tok, new Closing(closed, closer, before));
                closing = Map.copyOf(cl);
            }
            open = Map.copyOf(o);
            for (int k = 0; k < cpus.size(); k++) {
                Cpu w = cpus.get(k);
                if (w.waiting() != null && w.waiting().pending().containsKey(tok)) {
                    Map<Integer, long[]> p = new HashMap<>(w.waiting().pending());
                    p.put(tok, new long[] {tso() ? before : 0, closer});
                    cpus.set(k, new Cpu(w.pc(), w.regs(), w.rcuDepth(), w.rcuTok(), w.sections(), w.buffer(),
                            new SyncWait(Map.copyOf(p))));
                }
            }
        }

        int openSection(int c, String srcu, boolean down) {
            Cpu cpu = cpus.get(c);
            int tok = (c + 1) << 16 | (cpu.sections() + 1);
            cpus.set(c, new Cpu(cpu.pc(), cpu.regs(), cpu.rcuDepth(), cpu.rcuTok(), cpu.sections() + 1, cpu.buffer(),
                    cpu.waiting()));
            Map<Integer, Section> o = new HashMap<>(open);
            o.put(tok, new Section(c, srcu, down));
            open = Map.copyOf(o);
            return tok;
        }
    }

    /** Runs CPU c's next memory step and then its local code up to the next one; null: not enabled. */
    private State step(State s, int c) {
        Cpu cpu = s.cpus().get(c);
        Ins ins = code.get(c).get(cpu.pc());
        Work w = new Work(s);
        Map<String, V> regs = cpu.regs();
        int next = cpu.pc() + 1;
        boolean empty = cpu.buffer().isEmpty();
        List<Buf> buffer = cpu.buffer();
        int rcuDepth = cpu.rcuDepth();
        int rcuTok = cpu.rcuTok();
        SyncWait waiting = cpu.waiting();
        if (ins instanceof Load l) {
            String loc = locOf(eval(l.addr(), regs));
            regs = setReg(regs, l.dst(), load(s, cpu, loc));
        } else if (ins instanceof CondLoad l) {
            String loc = locOf(eval(l.addr(), regs));
            V v = load(s, cpu, loc);
            if (!eval(l.cond(), setReg(regs, "VAL", v)).truthy()) {
                return null;
            }
            regs = setReg(regs, l.dst(), v);
        } else if (ins instanceof Store st) {
            String loc = locOf(eval(st.addr(), regs));
            V v = eval(st.val(), regs);
            if (tso()) {
                buffer = append(buffer, new Buf(loc, v));
            } else {
                w.mem = put(w.mem, loc, v);
            }
        } else if (ins instanceof Fence f) {
            if (tso() && !empty) {
                return null;
            }
        } else if (ins instanceof Rmw r) {
            if (tso() && !empty) {
                return null;
            }
            String loc = locOf(eval(r.addr(), regs));
            V old = memRead(w.mem, loc);
            V a = eval(r.a(), regs);
            V ret;
            switch (r.kind()) {
                case XCHG -> {
                    w.mem = put(w.mem, loc, a);
                    ret = old;
                }
                case CMPXCHG, TRY_CMPXCHG -> {
                    V nv = eval(r.b(), regs);
                    boolean ok = old.same(a);
                    if (ok) {
                        w.mem = put(w.mem, loc, nv);
                    }
                    ret = r.kind() == RmwOp.CMPXCHG ? old : V.num(ok ? 1 : 0);
                }
                case ADD_UNLESS -> {
                    V unless = eval(r.b(), regs);
                    boolean add = !old.same(unless);
                    if (add) {
                        w.mem = put(w.mem, loc, V.num(old.n() + a.n()));
                    }
                    ret = V.num(add ? 1 : 0);
                }
                default -> {
                    long k = a.n();
                    long o = old.n();
                    long now = switch (r.op()) {
                        case "add", "inc" -> o + k;
                        case "sub", "dec" -> o - k;
                        case "and" -> o & k;
                        case "or" -> o | k;
                        case "xor" -> o ^ k;
                        default -> o & ~k;
                    };
                    w.mem = put(w.mem, loc, V.num(now));
                    ret = switch (r.ret()) {
                        case 'f' -> old;
                        case 'r' -> V.num(now);
                        case 't' -> V.num(now == 0 ? 1 : 0);
                        case 'n' -> V.num(now < 0 ? 1 : 0);
                        default -> V.ZERO;
                    };
                }
            }
            regs = setReg(regs, r.dst(), ret);
        } else if (ins instanceof Lock l) {
            if (tso() && !empty) {
                return null;
            }
            String loc = locOf(eval(l.addr(), regs));
            if (memRead(w.mem, loc).truthy()) {
                return null;
            }
            w.mem = put(w.mem, loc, V.num(1));
        } else if (ins instanceof Trylock l) {
            // queued_spin_trylock(): atomic_read() first, and a held lock fails there, a plain
            // load (no LOCK prefix, no drain); only a free lock goes on to the LOCK CMPXCHG
            String loc = locOf(eval(l.addr(), regs));
            if (load(s, cpu, loc).truthy()) {
                regs = setReg(regs, l.dst(), V.num(0));
            } else {
                if (tso() && !empty) {
                    return null;
                }
                boolean free = !memRead(w.mem, loc).truthy();
                if (free) {
                    w.mem = put(w.mem, loc, V.num(1));
                }
                regs = setReg(regs, l.dst(), V.num(free ? 1 : 0));
            }
        } else if (ins instanceof RcuLock l) {
            if (rcuDepth == 0) {
                rcuTok = w.openSection(c, null, false);
            }
            rcuDepth++;
        } else if (ins instanceof RcuUnlock u) {
            if (rcuDepth == 1) {
                w.close(rcuTok, c, buffer.size());
                rcuTok = 0;
            }
            if (rcuDepth > 0) {
                rcuDepth--;
            }
        } else if (ins instanceof SyncStart st) {
            if (tso() && !empty) {
                return null;
            }
            String srcu = st.srcu() == null ? null : locOf(eval(st.srcu(), regs));
            Map<Integer, long[]> p = new HashMap<>();
            for (Map.Entry<Integer, Section> e : w.open.entrySet()) {
                if (java.util.Objects.equals(e.getValue().srcu(), srcu)) {
                    p.put(e.getKey(), new long[] {-1, e.getValue().cpu()});
                }
            }
            w.closing.forEach((tok, cl) -> {
                if (java.util.Objects.equals(cl.section().srcu(), srcu)) {
                    p.put(tok, new long[] {cl.remaining(), cl.closer()});
                }
            });
            waiting = new SyncWait(Map.copyOf(p));
        } else if (ins instanceof SyncEnd e) {
            if (tso() && !empty) {
                return null;
            }
            for (long[] v : waiting.pending().values()) {
                if (v[0] != 0) {
                    return null;
                }
            }
            waiting = null;
        } else if (ins instanceof SrcuLock l) {
            String loc = locOf(eval(l.addr(), regs));
            V v = load(s, cpu, loc);
            int tok = w.openSection(c, loc, l.down());
            regs = setReg(regs, l.dst(), v.withTok(tok));
        } else if (ins instanceof SrcuUnlock u) {
            String loc = locOf(eval(u.addr(), regs));
            V idx = eval(u.idx(), regs);
            int tok = 0;
            if (idx.tok() != 0 && w.open.containsKey(idx.tok()) && w.open.get(idx.tok()).srcu().equals(loc)) {
                tok = idx.tok();
            } else {
                for (Map.Entry<Integer, Section> e : w.open.entrySet()) {
                    if (e.getValue().cpu() == c && loc.equals(e.getValue().srcu()) && e.getKey() > tok) {
                        tok = e.getKey();
                    }
                }
            }
            if (tso()) {
                buffer = append(buffer, new Buf(loc, idx));
            } else {
                w.mem = put(w.mem, loc, idx);
            }
            if (tok != 0) {
                // the unlock's own store counts: synchronize_srcu() waits by reading the counters it bumps
                w.close(tok, c, buffer.size());
            }
        } else {
            throw new IllegalStateException("not a memory step: " + ins);
        }
        Cpu now = w.cpus.get(c); // openSection() may have counted a section on this CPU
        if (!(ins instanceof SyncStart || ins instanceof SyncEnd)) {
            waiting = now.waiting();
        }
        w.cpus.set(c, new Cpu(next, regs, rcuDepth, rcuTok, now.sections(), buffer, waiting));
        return settle(w.freeze(), c);
    }

    private static List<Buf> append(List<Buf> b, Buf x) {
        List<Buf> n = new ArrayList<>(b);
        n.add(x);
        return List.copyOf(n);
    }

    /** Runs CPU c's local instructions until its next memory step or its end; null: discarded. */
    private State settle(State s, int c) {
        Cpu cpu = s.cpus().get(c);
        List<Ins> prog = code.get(c);
        int pc = cpu.pc();
        Map<String, V> regs = cpu.regs();
        boolean changed = false;
        int guard = 0;
        try {
            while (pc < prog.size()) {
                if (++guard > 1_000_000) {
                    throw new Unsupported("local code does not terminate");
                }
                Ins ins = prog.get(pc);
                if (ins instanceof Mov st) {
                    regs = setReg(regs, st.reg(), eval(st.e(), regs));
                    pc++;
                } else if (ins instanceof DeclReg d) {
                    if (!regs.containsKey(d.reg())) {
                        regs = setReg(regs, d.reg(), V.ZERO);
                    }
                    pc++;
                } else if (ins instanceof Jmp j) {
                    pc = j.target();
                } else if (ins instanceof JmpIfNot j) {
                    boolean t = eval(j.c(), regs).truthy();
                    if (j.clear()) {
                        regs = killTemps(regs);
                    }
                    pc = t ? pc + 1 : j.target();
                } else if (ins instanceof KillTemps) {
                    regs = killTemps(regs);
                    pc++;
                } else if (ins instanceof Disc) {
                    return null;
                } else if (ins instanceof Fence && !tso()) {
                    pc++;
                } else {
                    break;
                }
                changed = true;
            }
        } catch (Discard d) {
            return null;
        }
        if (!changed && pc < prog.size()) {
            return s;
        }
        Work w = new Work(s);
        Cpu now = new Cpu(pc, Map.copyOf(regs), cpu.rcuDepth(), cpu.rcuTok(), cpu.sections(), cpu.buffer(),
                cpu.waiting());
        w.cpus.set(c, now);
        if (pc >= prog.size() && (now.rcuDepth() > 0 || hasOwnSections(w, c))) {
            // the CPU leaves its read-side sections at its end
            if (now.rcuDepth() > 0) {
                w.close(now.rcuTok(), c, now.buffer().size());
                Cpu x = w.cpus.get(c);
                w.cpus.set(c, new Cpu(x.pc(), x.regs(), 0, 0, x.sections(), x.buffer(), x.waiting()));
            }
            for (Map.Entry<Integer, Section> e : new ArrayList<>(w.open.entrySet())) {
                if (e.getValue().cpu() == c && e.getValue().srcu() != null && !e.getValue().down()) {
                    w.close(e.getKey(), c, now.buffer().size());
                }
            }
        }
        return w.freeze();
    }

    private static boolean hasOwnSections(Work w, int c) {
        for (Section s : w.open.values()) {
            if (s.cpu() == c && s.srcu() != null && !s.down()) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, V> killTemps(Map<String, V> regs) {
        boolean any = false;
        for (String k : regs.keySet()) {
            if (k.startsWith("$")) {
                any = true;
                break;
            }
        }
        if (!any) {
            return regs;
        }
        Map<String, V> n = new HashMap<>(regs);
        n.keySet().removeIf(k -> k.startsWith("$"));
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // final states and conditions

    /** Every ref of the locations line, the condition and the filter. */
    static List<LitmusAst.Ref> refs(LitmusAst.Test t) {
        java.util.Set<LitmusAst.Ref> out = new java.util.LinkedHashSet<>(t.locations());
        collect(t.condition(), out);
        if (t.filter() != null) {
            collect(t.filter(), out);
        }
        return List.copyOf(out);
    }

    private static void collect(Cond c, java.util.Set<LitmusAst.Ref> out) {
        if (c instanceof LitmusAst.And a) {
            collect(a.left(), out);
            collect(a.right(), out);
        } else if (c instanceof LitmusAst.Or o) {
            collect(o.left(), out);
            collect(o.right(), out);
        } else if (c instanceof LitmusAst.Implies i) {
            collect(i.left(), out);
            collect(i.right(), out);
        } else if (c instanceof LitmusAst.Not n) {
            collect(n.operand(), out);
        } else if (c instanceof LitmusAst.Atom a) {
            out.add(a.left());
            if (a.right() instanceof LitmusAst.RefOperand r) {
                out.add(r.ref());
            }
        }
    }

    private static String key(LitmusAst.Ref r) {
        return r.proc() < 0 ? r.name() : r.proc() + ":" + r.name();
    }

    private V finalValue(LitmusAst.Ref r, State s) {
        if (r.proc() < 0) {
            return memRead(s.mem(), r.name());
        }
        if (r.proc() >= s.cpus().size()) {
            return V.ZERO;
        }
        return s.cpus().get(r.proc()).regs().getOrDefault(r.name(), V.ZERO);
    }

    private String canonical(List<LitmusAst.Ref> refs, State s) {
        java.util.Set<String> entries = new TreeSet<>();
        for (LitmusAst.Ref r : refs) {
            entries.add(key(r) + "=" + finalValue(r, s).show());
        }
        return String.join("; ", entries);
    }

    private boolean holds(Cond c, State s) {
        Map<String, String> m = new HashMap<>();
        for (LitmusAst.Ref r : refs(test)) {
            m.put(key(r), finalValue(r, s).show());
        }
        return holds(c, m);
    }

    /** Parses a canonical final state back into ref → value text. */
    public static Map<String, String> parse(String finalState) {
        Map<String, String> m = new LinkedHashMap<>();
        if (finalState.isEmpty()) {
            return m;
        }
        for (String e : finalState.split("; ")) {
            int eq = e.lastIndexOf('=');
            m.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return m;
    }

    /** Whether condition c holds on a canonical final state (one of {@link Result#finalStates}). */
    public static boolean holds(Cond c, String finalState) {
        return holds(c, parse(finalState));
    }

    private static boolean holds(Cond c, Map<String, String> m) {
        if (c instanceof LitmusAst.True) {
            return true;
        }
        if (c instanceof LitmusAst.False) {
            return false;
        }
        if (c instanceof LitmusAst.And a) {
            return holds(a.left(), m) && holds(a.right(), m);
        }
        if (c instanceof LitmusAst.Or o) {
            return holds(o.left(), m) || holds(o.right(), m);
        }
        if (c instanceof LitmusAst.Implies i) {
            return !holds(i.left(), m) || holds(i.right(), m);
        }
        if (c instanceof LitmusAst.Not n) {
            return !holds(n.operand(), m);
        }
        LitmusAst.Atom a = (LitmusAst.Atom) c;
        String l = m.getOrDefault(key(a.left()), "0");
        String r = a.right() instanceof LitmusAst.RefOperand ro ? m.getOrDefault(key(ro.ref()), "0")
                : value(((LitmusAst.ValueOperand) a.right()).value()).show();
        return a.op().equals("!=") != l.equals(r);
    }

    /**
     * herd7's observation of the condition's proposition (the part after exists / ~exists /
     * forall): Never when no final state satisfies it, Always when all do, else Sometimes.
     */
    public static String observation(LitmusAst.Test test, Result r) {
        long yes = r.finalStates().stream().filter(s -> holds(test.condition(), s)).count();
        if (yes == 0) {
            return "Never";
        }
        return yes == r.finalStates().size() ? "Always" : "Sometimes";
    }

    /** Whether the test's final clause is validated: exists satisfied by some state, ~exists by none, forall by all. */
    public static boolean validated(LitmusAst.Test test, Result r) {
        String o = observation(test, r);
        return switch (test.quantifier()) {
            case EXISTS -> !o.equals("Never");
            case NOT_EXISTS -> o.equals("Never");
            case FORALL -> o.equals("Always") || r.finalStates().isEmpty();
        };
    }

    static String debug(LitmusAst.Test t) {
        StringBuilder sb = new StringBuilder();
        OperationalOracle o = new OperationalOracle(t, Model.SC);
        for (int c = 0; c < o.code.size(); c++) {
            sb.append("P").append(c).append(":\n");
            for (int i = 0; i < o.code.get(c).size(); i++) {
                sb.append("  ").append(i).append(": ").append(o.code.get(c).get(i)).append('\n');
            }
        }
        return sb.toString();
    }
}
