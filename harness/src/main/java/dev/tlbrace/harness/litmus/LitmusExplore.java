package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.SimMemory;
import dev.tlbrace.harness.explore.SimMemory.Order;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.graph.Val;
import dev.tlbrace.harness.litmus.LitmusAst.AddrOf;
import dev.tlbrace.harness.litmus.LitmusAst.Assign;
import dev.tlbrace.harness.litmus.LitmusAst.Binary;
import dev.tlbrace.harness.litmus.LitmusAst.Block;
import dev.tlbrace.harness.litmus.LitmusAst.Call;
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
import dev.tlbrace.harness.litmus.LitmusProgram.Unsupported;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A litmus test run by the explorer instead of the checker ({@code litmus --engine explore}):
 * each CPU is a role of an explorer {@link dev.tlbrace.harness.explore.Program} whose body
 * interprets the CPU's statements and makes every shared access through the memory API the
 * scenarios use ({@link Memory}, {@link SimMemory}), so what decides the verdict is the
 * explorer's search ({@code Dpor}, {@code GraphMemory} and their reductions), not
 * {@link LitmusCheck}'s enumeration. The judge reads the final state (registers from the roles,
 * locations through {@link Memory#peek}) and evaluates the filter and the condition as the
 * checker does; the verdict is judged by {@link LitmusJudge}, the same as the checker's.
 *
 * <p>The interpretation is the checker's ({@link LitmusProgram}), dependencies included: before
 * each access the CPU tells the memory which of its earlier reads the access depends on
 * ({@link SimMemory#dependencies}), which the graph models ({@code lkmm}, {@code armv8}) make
 * addr, data and ctrl edges of the graph. Less what the explorer cannot build: no read from a
 * store that does not exist yet when the read runs (no po ∪ rf cycle: load buffering). Constructs the memory API has no
 * primitive for ({@link #unsupported}) are refused with an {@link Unsupported} naming the
 * construct and its line, before any run: never a verdict.
 */
public final class LitmusExplore {
    private LitmusExplore() {
    }

    /** An address in a cell: this bit, the location's index, its offset. Litmus values never reach it. */
    static final long ADDRESS = 1L << 48;
    private static final int MAX_STEPS = 20_000;

    /** What one run of the test ends with: filtered out, or whether the proposition holds, and the state. */
    static final String POSITIVE = "POSITIVE";
    static final String NEGATIVE = "NEGATIVE";
    static final String FILTERED = "FILTERED";
    static final String DISCARDED = "DISCARDED";

    private static final Set<String> GRACE_PERIODS = Set.of("synchronize_rcu", "synchronize_rcu_expedited",
            "synchronize_sched", "synchronize_srcu", "synchronize_srcu_expedited");

    /**
     * Runs {@code test} under {@code model} exhaustively on the explorer.
     *
     * @throws Unsupported a construct the memory API cannot express, or a search that did not end exhaustive
     */
    public static LitmusCheck.Outcome run(LitmusAst.Test test, MemoryModel model) {
        return run(test, model, 0, true);
    }

    /**
     * @param timeLimitMillis 0 for none; past it the run is refused as not exhaustive
     * @param dependencies    give the graph the test's addr, data and ctrl dependencies (else it
     *                        has none, as the scenarios' graphs)
     */
    public static LitmusCheck.Outcome run(LitmusAst.Test test, MemoryModel model, long timeLimitMillis, boolean dependencies) {
        long start = System.nanoTime();
        Explorer ex = new Explorer(program(test, dependencies), Explorer.UNBOUNDED, MAX_STEPS, model, null);
        if (timeLimitMillis > 0) {
            ex.timeLimit(timeLimitMillis);
        }
        long[] counts = new long[2];
        Set<String> states = new TreeSet<>();
        RuntimeException[] failed = new RuntimeException[1];
        Explorer.Reduced r = ex.reduced(e -> {
            if (e.status() == Execution.Status.ERROR) {
                failed[0] = e.error() instanceof RuntimeException re ? re : new IllegalStateException(e.error());
                return true;
            }
            if (e.status() != Execution.Status.COMPLETED) {
                return false; // a deadlock (a lock never released) or a wait loop's repeated turn: no execution
            }
            String outcome = e.verdict().outcome();
            if (outcome.equals(POSITIVE) || outcome.equals(NEGATIVE)) {
                counts[outcome.equals(POSITIVE) ? 0 : 1]++;
                states.add(e.verdict().detail());
            }
            return false;
        });
        if (failed[0] instanceof Unsupported u) {
            throw u;
        }
        if (failed[0] != null) {
            throw new Unsupported("the explorer failed: " + failed[0]);
        }
        if (!r.exhaustive()) {
            throw new Unsupported("the explorer's search did not end exhaustive (" + r.executions() + " executions, "
                    + (r.truncated() ? "stopped at the time limit, " + timeLimitMillis / 1000 + " s" : r.stepBoundHits() + " runs past " + MAX_STEPS + " steps")
                    + ")");
        }
        String observed = counts[0] == 0 ? "Never" : counts[1] == 0 ? "Always" : "Sometimes";
        return new LitmusCheck.Outcome(test, model.id(), observed, counts[0], counts[1], Set.of(), r.executions(),
                states, null, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The test as an explorer program: one role per CPU, a judge whose outcome is
     * {@link #POSITIVE}, {@link #NEGATIVE}, {@link #FILTERED} or {@link #DISCARDED} and whose
     * detail is herd7's state line.
     *
     * @throws Unsupported a construct the memory API cannot express
     */
    public static dev.tlbrace.harness.explore.Program program(LitmusAst.Test test) {
        return program(test, true);
    }

    /** @param dependencies see {@link #run(LitmusAst.Test, MemoryModel, long, boolean)} */
    public static dev.tlbrace.harness.explore.Program program(LitmusAst.Test test, boolean dependencies) {
        LitmusProgram p = new LitmusProgram(test);
        unsupported(test);
        return mem -> new Run(p, (SimMemory) mem, dependencies);
    }

    /** The final state an execution of {@link #program} reached, or null for one that is no litmus execution. */
    public static String state(Execution e) {
        if (e.status() != Execution.Status.COMPLETED) {
            return null;
        }
        String o = e.verdict().outcome();
        return o.equals(POSITIVE) || o.equals(NEGATIVE) ? e.verdict().detail() : null;
    }

    /**
     * Refuses what the memory API has no primitive for, naming the first such construct and its
     * line: plain C accesses (no plain events, so no data-race flag), {@code spin_trylock} and
     * {@code spin_is_locked} (a role's lock attempt always waits for the lock), RCU and SRCU when
     * the test has a grace period (without one, {@code rcu_read_lock()} orders nothing in LKMM
     * for marked accesses and is run as nothing), the after-unlock-lock barrier, and
     * {@code atomic_add_unless} (an RMW that writes unless it reads a value).
     */
    static void unsupported(LitmusAst.Test test) {
        boolean gracePeriods = false;
        for (LitmusAst.Proc p : test.procs()) {
            for (Stmt s : p.body()) {
                gracePeriods |= calls(s, GRACE_PERIODS);
            }
        }
        for (LitmusAst.Proc p : test.procs()) {
            for (Stmt s : p.body()) {
                check(s, gracePeriods);
            }
        }
    }

    private static boolean calls(Stmt s, Set<String> names) {
        boolean[] found = new boolean[1];
        walk(s, e -> {
            if (e instanceof Call c && names.contains(c.function())) {
                found[0] = true;
            }
        }, st -> { });
        return found[0];
    }

    private static void check(Stmt s, boolean gracePeriods) {
        walk(s, e -> {
            if (e instanceof Deref d) {
                throw new Unsupported(d.line(), "plain access *" + LitmusProgram.show(d.pointer())
                        + ": the memory API has marked accesses only (no data-race flag)");
            }
            if (e instanceof Call c) {
                String f = c.function();
                String why = switch (f) {
                    case "spin_trylock", "spin_is_locked" -> "the memory API's lock attempt waits for the lock";
                    case "smp_mb__after_unlock_lock", "smp_mb__after_srcu_read_unlock" -> "no such barrier in the memory API";
                    case "srcu_read_lock", "srcu_read_unlock", "srcu_down_read", "srcu_up_read", "synchronize_srcu",
                            "synchronize_srcu_expedited", "synchronize_rcu", "synchronize_rcu_expedited", "synchronize_sched" ->
                            "no RCU grace periods in the memory API";
                    case "rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched", "rcu_read_unlock", "rcu_read_unlock_bh",
                            "rcu_read_unlock_sched" -> gracePeriods ? "no RCU grace periods in the memory API" : null;
                    default -> f.matches("atomic(_long|64)?_add_unless") ? "no conditional add in the memory API" : null;
                };
                if (why != null) {
                    throw new Unsupported(c.line(), f + "(): " + why);
                }
            }
        }, st -> {
            if (st instanceof Assign a && a.target() instanceof Deref d) {
                throw new Unsupported(a.line(), "plain access *" + LitmusProgram.show(d.pointer())
                        + ": the memory API has marked accesses only (no data-race flag)");
            }
        });
    }

    /**
     * Every expression of {@code s}, outermost first; a marked primitive's pointer argument
     * ({@code READ_ONCE(*x)}: the {@code *x} names the location, it is no access of its own) is
     * not visited as a dereference.
     */
    private static void walk(Stmt s, java.util.function.Consumer<Expr> each, java.util.function.Consumer<Stmt> stmts) {
        stmts.accept(s);
        if (s instanceof Decl d && d.init() != null) {
            walkExpr(d.init(), each);
        } else if (s instanceof Assign a) {
            walkExpr(a.value(), each);
            if (a.target() instanceof Deref d) {
                walkExpr(d.pointer(), each);
            }
        } else if (s instanceof ExprStmt e) {
            walkExpr(e.e(), each);
        } else if (s instanceof If i) {
            walkExpr(i.cond(), each);
            walk(i.then(), each, stmts);
            if (i.otherwise() != null) {
                walk(i.otherwise(), each, stmts);
            }
        } else if (s instanceof While w) {
            walkExpr(w.cond(), each);
            walk(w.body(), each, stmts);
        } else if (s instanceof Block b) {
            b.body().forEach(x -> walk(x, each, stmts));
        }
    }

    private static void walkExpr(Expr e, java.util.function.Consumer<Expr> each) {
        each.accept(e);
        if (e instanceof Deref d) {
            walkExpr(d.pointer(), each);
        } else if (e instanceof AddrOf a) {
            if (a.operand() instanceof Deref d) {
                walkExpr(d.pointer(), each); // &*p is p
            } else {
                walkExpr(a.operand(), each);
            }
        } else if (e instanceof Unary u) {
            walkExpr(u.operand(), each);
        } else if (e instanceof Binary b) {
            walkExpr(b.left(), each);
            walkExpr(b.right(), each);
        } else if (e instanceof Ternary t) {
            walkExpr(t.cond(), each);
            walkExpr(t.then(), each);
            walkExpr(t.otherwise(), each);
        } else if (e instanceof Call c) {
            for (int i = 0; i < c.args().size(); i++) {
                Expr a = c.args().get(i);
                if (i == 0 && a instanceof Deref d) {
                    walkExpr(d.pointer(), each); // READ_ONCE(*x), WRITE_ONCE(*x, v): names the location
                } else {
                    walkExpr(a, each);
                }
            }
        }
    }

    /** A run stops here without an execution: a loop past its unrolling, an access through a non-pointer, a condition load whose condition fails. */
    private static final class Discard extends RuntimeException {
        Discard() {
            super(null, null, false, false);
        }
    }

    /** One execution's world: the cells, each CPU's registers, the judge. */
    private static final class Run implements ScenarioRun {
        final LitmusProgram program;
        final SimMemory mem;
        final List<String> names;
        final Map<String, Cell> cells = new HashMap<>();
        final List<Map<String, Val>> regs = new ArrayList<>();
        final boolean dependencies;
        volatile boolean discarded;

        Run(LitmusProgram program, SimMemory mem, boolean dependencies) {
            this.program = program;
            this.mem = mem;
            this.dependencies = dependencies;
            this.names = new ArrayList<>(program.init().keySet());
            for (String loc : names) {
                cells.put(loc, mem.cell(loc, encode(program.init().get(loc))));
            }
            for (int cpu = 0; cpu < program.test().procs().size(); cpu++) {
                regs.add(new HashMap<>(program.initRegisters.get(cpu)));
            }
        }

        long encode(Val v) {
            if (!v.isAddress()) {
                return v.number();
            }
            int i = names.indexOf(v.loc());
            if (i < 0 || v.number() < 0 || v.number() >= 1 << 16) {
                throw new Unsupported("the address " + v + " is not a declared location");
            }
            return ADDRESS | (long) i << 16 | v.number();
        }

        Val decode(long x) {
            if ((x & ~((1L << 48) - 1)) != ADDRESS) {
                return Val.of(x);
            }
            int i = (int) ((x >>> 16) & 0xFFFFFFFFL);
            return i < names.size() ? new Val(names.get(i), x & 0xFFFF) : Val.of(x);
        }

        @Override
        public List<Role> roles() {
            List<Role> out = new ArrayList<>();
            for (LitmusAst.Proc p : program.test().procs()) {
                Cpu cpu = new Cpu(this, p.index(), regs.get(p.index()));
                out.add(new Role("P" + p.index(), () -> {
                    try {
                        p.body().forEach(cpu::exec);
                    } catch (Discard d) {
                        discarded = true;
                    }
                }));
            }
            return out;
        }

        @Override
        public Verdict judge() {
            if (discarded) {
                return new Verdict(DISCARDED, false, List.of(), "");
            }
            LitmusAst.Test t = program.test();
            java.util.function.Function<LitmusAst.Ref, Val> value = ref -> {
                if (ref.proc() < 0) {
                    Cell c = cells.get(ref.name());
                    return c == null ? Val.ZERO : decode(mem.peek(c));
                }
                return ref.proc() >= regs.size() ? Val.ZERO : regs.get(ref.proc()).getOrDefault(ref.name(), Val.ZERO);
            };
            if (t.filter() != null && !LitmusConditions.holds(t.filter(), value)) {
                return new Verdict(FILTERED, false, List.of(), "");
            }
            boolean holds = LitmusConditions.holds(t.condition(), value);
            StringBuilder sb = new StringBuilder();
            for (LitmusAst.Ref r : stateRefs(t)) {
                sb.append(r.proc() < 0 ? r.name() : r.proc() + ":" + r.name()).append('=').append(value.apply(r)).append("; ");
            }
            return new Verdict(holds ? POSITIVE : NEGATIVE, false, List.of(), sb.toString().trim());
        }
    }

    /** herd7's state refs, as {@link LitmusCheck#stateRefs} orders them. */
    static java.util.SortedSet<LitmusAst.Ref> stateRefs(LitmusAst.Test t) {
        java.util.SortedSet<LitmusAst.Ref> refs = new TreeSet<>(
                java.util.Comparator.comparingInt((LitmusAst.Ref r) -> r.proc() < 0 ? Integer.MAX_VALUE : r.proc())
                        .thenComparing(LitmusAst.Ref::name));
        refs.addAll(t.locations());
        for (LitmusAst.Cond c : new LitmusAst.Cond[] {t.condition(), t.filter()}) {
            if (c != null) {
                LitmusConditions.atoms(c).forEach(a -> refs.addAll(LitmusConditions.refs(a)));
            }
        }
        return refs;
    }

    private static final Pattern XCHG = Pattern.compile("(atomic(?:_long|64)?_)?(xchg|cmpxchg|try_cmpxchg)(_relaxed|_acquire|_release)?");

    /** A value and the reads of its CPU it depends on (bit i: the CPU's i-th read), as the checker's values carry them. */
    private record Dv(Val v, long deps) {
        static Dv of(Val v) {
            return new Dv(v, 0);
        }
    }

    /**
     * One CPU: its statements, run as the checker runs them, every shared access a call on the
     * memory API, each told first which of the CPU's earlier reads it depends on (herd7's C
     * dependencies: through registers, a branch's control dependency reaching the statements
     * inside it, not those after the {@code if}).
     */
    private static final class Cpu {
        final Run run;
        final int index;
        final Map<String, Val> regs;
        final Map<String, Long> regDeps = new HashMap<>();
        final List<Object> reads = new ArrayList<>(); // the memory's tokens for this CPU's reads
        long ctrl;

        Cpu(Run run, int index, Map<String, Val> regs) {
            this.run = run;
            this.index = index;
            this.regs = regs;
        }

        void put(String reg, Dv v) {
            regs.put(reg, v.v());
            regDeps.put(reg, v.deps());
        }

        void exec(Stmt s) {
            if (s instanceof Decl d) {
                if (d.init() != null) {
                    put(d.name(), eval(d.init()));
                } else if (!regs.containsKey(d.name())) {
                    put(d.name(), Dv.of(Val.ZERO));
                }
            } else if (s instanceof Assign a) {
                Dv v = eval(a.value());
                if (a.target() instanceof Var var) {
                    put(var.name(), v);
                } else {
                    throw new Unsupported(a.line(), "cannot assign to " + LitmusProgram.show(a.target()));
                }
            } else if (s instanceof ExprStmt e) {
                eval(e.e());
            } else if (s instanceof If i) {
                Dv c = eval(i.cond());
                long outer = ctrl;
                ctrl |= c.deps();
                if (c.v().truthy()) {
                    exec(i.then());
                } else if (i.otherwise() != null) {
                    exec(i.otherwise());
                }
                ctrl = outer;
            } else if (s instanceof While w) {
                long outer = ctrl;
                for (int turn = 0; ; turn++) {
                    Dv c = eval(w.cond());
                    ctrl |= c.deps();
                    if (!c.v().truthy()) {
                        break;
                    }
                    if (turn == LitmusProgram.UNROLL) {
                        throw new Discard();
                    }
                    exec(w.body());
                }
                ctrl = outer;
            } else if (s instanceof Block b) {
                b.body().forEach(this::exec);
            }
        }

        Dv eval(Expr e) {
            if (e instanceof Const c) {
                return Dv.of(Val.of(c.value()));
            }
            if (e instanceof Var v) {
                Val r = regs.get(v.name());
                if (r != null) {
                    return new Dv(r, regDeps.getOrDefault(v.name(), 0L));
                }
                return Dv.of(run.cells.containsKey(v.name()) ? Val.address(v.name()) : Val.ZERO);
            }
            if (e instanceof AddrOf a) {
                return address(a.operand());
            }
            if (e instanceof Unary u) {
                Dv x = eval(u.operand());
                Val v = switch (u.op()) {
                    case "!" -> Val.of(x.v().truthy() ? 0 : 1);
                    case "~" -> Val.of(~number(x.v()));
                    case "-" -> Val.of(-number(x.v()));
                    default -> throw new Unsupported("operator " + u.op());
                };
                return new Dv(v, x.deps());
            }
            if (e instanceof Binary b) {
                return binary(b);
            }
            if (e instanceof Ternary t) {
                Dv c = eval(t.cond());
                Dv r = c.v().truthy() ? eval(t.then()) : eval(t.otherwise());
                return new Dv(r.v(), r.deps() | c.deps());
            }
            if (e instanceof Deref d) {
                throw new Unsupported(d.line(), "plain access *" + LitmusProgram.show(d.pointer()));
            }
            return call((Call) e);
        }

        Dv binary(Binary b) {
            if (b.op().equals("&&") || b.op().equals("||")) {
                boolean and = b.op().equals("&&");
                Dv l = eval(b.left());
                if (l.v().truthy() != and) {
                    return new Dv(Val.of(and ? 0 : 1), l.deps());
                }
                Dv r = eval(b.right());
                return new Dv(Val.of(r.v().truthy() ? 1 : 0), l.deps() | r.deps());
            }
            Dv l = eval(b.left());
            Dv r = eval(b.right());
            Val a = l.v();
            Val c = r.v();
            Val out = LitmusProgram.operate(b.op(), a, c, this::number);
            return new Dv(out, l.deps() | r.deps());
        }

        /** An address in arithmetic that is not pointer arithmetic: the checker's fixed number per location. */
        long number(Val v) {
            if (!v.isAddress()) {
                return v.number();
            }
            int i = 0;
            for (String l : run.program.init().keySet()) {
                i++;
                if (l.equals(v.loc())) {
                    break;
                }
            }
            return 0x1000L * i + v.number();
        }

        Dv address(Expr lvalue) {
            if (lvalue instanceof Deref d) {
                return eval(d.pointer());
            }
            if (lvalue instanceof Var v && regs.containsKey(v.name())) {
                return new Dv(regs.get(v.name()), regDeps.getOrDefault(v.name(), 0L));
            }
            if (lvalue instanceof Var v && run.cells.containsKey(v.name())) {
                return Dv.of(Val.address(v.name()));
            }
            throw new Unsupported("not an lvalue: " + LitmusProgram.show(lvalue));
        }

        /** The cell an address names; an access through a non-pointer has no execution, as in herd7. */
        Cell cell(Dv addr, int line) {
            Val a = addr.v();
            if (!a.isAddress()) {
                throw new Discard();
            }
            Cell c = run.cells.get(a.number() == 0 ? a.loc() : a.loc() + "+" + a.number());
            if (c == null) {
                throw new Unsupported(line, "an access to " + a + ", which is no declared location");
            }
            return c;
        }

        /** Tells the memory what the next access depends on: its address, the value it stores, the branches around it. */
        void depends(Dv addr, Dv data) {
            if (!run.dependencies) {
                return;
            }
            run.mem.dependencies(tokens(addr == null ? 0 : addr.deps()), tokens(data == null ? 0 : data.deps()), tokens(ctrl));
        }

        private List<Object> tokens(long mask) {
            if (mask == 0) {
                return List.of();
            }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < reads.size(); i++) {
                if ((mask & 1L << i) != 0 && reads.get(i) != null) {
                    out.add(reads.get(i));
                }
            }
            return out;
        }

        /** A read just made: its value, depending on that read alone. */
        Dv read(long value) {
            if (reads.size() >= 63) {
                throw new Unsupported("more than 63 reads on P" + index);
            }
            reads.add(run.mem.lastRead());
            return new Dv(run.decode(value), 1L << (reads.size() - 1));
        }

        Dv load(Dv addr, boolean acquire, int line) {
            Cell cl = cell(addr, line);
            depends(addr, null);
            return read(acquire ? run.mem.smp_load_acquire(cl) : run.mem.READ_ONCE(cl));
        }

        void store(Dv addr, Dv v, boolean release, int line) {
            Cell cl = cell(addr, line);
            depends(addr, v);
            if (release) {
                run.mem.smp_store_release(cl, run.encode(v.v()));
            } else {
                run.mem.WRITE_ONCE(cl, run.encode(v.v()));
            }
        }

        Dv call(Call c) {
            String f = c.function();
            List<Expr> a = c.args();
            int line = c.line();
            SimMemory mem = run.mem;
            switch (f) {
                case "READ_ONCE", "rcu_dereference", "lockless_dereference", "rcu_dereference_raw" -> {
                    return load(address(a.get(0)), false, line);
                }
                case "WRITE_ONCE", "rcu_assign_pointer", "smp_store_mb" -> {
                    store(address(a.get(0)), eval(a.get(1)), f.equals("rcu_assign_pointer"), line);
                    if (f.equals("smp_store_mb")) {
                        mem.smp_mb();
                    }
                    return Dv.of(Val.ZERO);
                }
                case "smp_load_acquire", "atomic_read_acquire", "atomic_long_read_acquire" -> {
                    return load(eval(a.get(0)), true, line);
                }
                case "atomic_read", "atomic_long_read", "atomic64_read" -> {
                    return load(eval(a.get(0)), false, line);
                }
                case "smp_store_release", "atomic_set_release", "atomic_long_set_release" -> {
                    Dv addr = eval(a.get(0));
                    store(addr, eval(a.get(1)), true, line);
                    return Dv.of(Val.ZERO);
                }
                case "atomic_set", "atomic_long_set", "atomic64_set" -> {
                    Dv addr = eval(a.get(0));
                    store(addr, eval(a.get(1)), false, line);
                    return Dv.of(Val.ZERO);
                }
                case "smp_mb" -> mem.smp_mb();
                case "smp_rmb" -> mem.smp_rmb();
                case "smp_wmb" -> mem.smp_wmb();
                case "smp_mb__before_atomic" -> mem.smp_mb__before_atomic();
                case "smp_mb__after_atomic" -> mem.smp_mb__after_atomic();
                case "smp_mb__after_spinlock" -> mem.smp_mb__after_spinlock();
                case "barrier", "rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched", "rcu_read_unlock",
                        "rcu_read_unlock_bh", "rcu_read_unlock_sched" -> {
                    // a compiler barrier orders no marked access; an RCU read-side section without a
                    // grace period in the test orders nothing (unsupported() refuses the others)
                }
                case "spin_lock" -> {
                    Dv addr = eval(a.get(0));
                    Cell cl = cell(addr, line);
                    depends(addr, null);
                    while (!mem.raw_spin_trylock(cl)) {
                        mem.sched.spin("spin_lock(" + cl.name() + "): contended");
                    }
                    reads.add(null); // lock.cat's LKR: a read no later access depends on
                }
                case "spin_unlock" -> {
                    Dv addr = eval(a.get(0));
                    Cell cl = cell(addr, line);
                    depends(addr, null);
                    mem.raw_spin_unlock(cl);
                }
                case "smp_cond_load_acquire", "smp_cond_load_relaxed" -> {
                    Dv v = load(eval(a.get(0)), f.endsWith("acquire"), line);
                    Val saved = regs.put("VAL", v.v());
                    Long savedDeps = regDeps.put("VAL", v.deps());
                    boolean holds = eval(a.get(1)).v().truthy();
                    if (saved == null) {
                        regs.remove("VAL");
                        regDeps.remove("VAL");
                    } else {
                        regs.put("VAL", saved);
                        regDeps.put("VAL", savedDeps);
                    }
                    if (!holds) {
                        throw new Discard(); // the checker keeps only the turn that leaves the loop
                    }
                    return v;
                }
                default -> {
                    return rmwCall(f, a, line);
                }
            }
            return Dv.of(Val.ZERO);
        }

        Dv rmwCall(String f, List<Expr> a, int line) {
            SimMemory mem = run.mem;
            Matcher xc = XCHG.matcher(f);
            if (xc.matches()) {
                Order order = order(xc.group(3));
                Dv addr = eval(a.get(0));
                Cell cl = cell(addr, line);
                if (xc.group(2).equals("xchg")) {
                    Dv v = eval(a.get(1));
                    long nv = run.encode(v.v());
                    depends(addr, v);
                    return read(mem.rmwOp(cl, f, order, old -> nv));
                }
                Dv expected = eval(a.get(1));
                Dv v = eval(a.get(2));
                depends(addr, v);
                Dv old = read(mem.cmpxchgOp(cl, f, order, run.encode(expected.v()), run.encode(v.v())));
                if (xc.group(2).equals("try_cmpxchg")) {
                    return new Dv(Val.of(old.v().equals(expected.v()) ? 1 : 0), old.deps());
                }
                return old;
            }
            Matcher m = LitmusProgram.ATOMIC.matcher(f);
            if (!m.matches()) {
                throw new Unsupported(line, "unknown primitive '" + f + "'");
            }
            boolean fetch = m.group(1) != null;
            String op = m.group(2);
            boolean ret = m.group(3) != null || m.group(4) != null;
            boolean unit = op.equals("inc") || op.equals("dec");
            if (!fetch && !ret && m.group(5) != null) {
                throw new Unsupported(line, "unknown primitive '" + f + "'");
            }
            Dv operand = unit ? Dv.of(Val.of(1)) : eval(a.get(0));
            long k = number(operand.v());
            Dv addr = eval(a.get(unit ? 0 : 1));
            Cell cl = cell(addr, line);
            java.util.function.LongUnaryOperator apply = o -> switch (op) {
                case "add", "inc" -> o + k;
                case "sub", "dec" -> o - k;
                case "and" -> o & k;
                case "or" -> o | k;
                case "xor" -> o ^ k;
                default -> o & ~k;
            };
            depends(addr, operand);
            Dv old;
            if (fetch || ret) {
                old = read(mem.rmwOp(cl, f, order(m.group(5)), apply));
            } else {
                old = read(mem.rmwOp(cl, "atomic_add", Order.RELAXED, apply)); // linux-kernel.def's NORETURN, as atomic_add
            }
            long now = apply.applyAsLong(number(old.v()));
            if (m.group(4) != null) {
                return new Dv(Val.of((m.group(4).equals("_and_test") ? now == 0 : now < 0) ? 1 : 0), old.deps());
            }
            return new Dv(fetch ? old.v() : ret ? Val.of(now) : Val.ZERO, old.deps());
        }

        static Order order(String suffix) {
            if (suffix == null) {
                return Order.FULL;
            }
            return switch (suffix) {
                case "_relaxed" -> Order.RELAXED;
                case "_acquire" -> Order.ACQUIRE;
                default -> Order.RELEASE;
            };
        }
    }
}
