package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.MemoryModel;
import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.explore.SimMemory;
import dev.tlbrace.harness.litmus.Litmus.Call;
import dev.tlbrace.harness.litmus.Litmus.Expr;
import dev.tlbrace.harness.litmus.Litmus.Prop;
import dev.tlbrace.harness.litmus.Litmus.Stmt;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Role;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.ScenarioRun;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.Verdict;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link Litmus} test on the explorer: each process is a role, every access goes
 * through {@link SimMemory} under the chosen model, and every schedule within the bound (the
 * same preemptions-plus-stale-reads budget as {@code explore}) is run to collect the final
 * states. Observed: Never (no execution satisfies the condition's proposition), Sometimes, or
 * Always; compared with the Result comment.
 */
public final class LitmusRunner {
    private LitmusRunner() { }

    /** Shapes where tlbrace's lkmm is deliberately stronger than LKMM (README "The memory models"). */
    static final Map<String, String> DEPARTURES = Map.of(
            "LB", "no load buffering: a store never becomes visible before its CPU's earlier loads",
            "S", "stores join the end of the coherence order when they run",
            "2+2W", "stores join the end of the coherence order when they run");

    /** What one test gave. */
    public record Outcome(Litmus test, MemoryModel model, String observed, long executions, Set<String> finalStates,
                          long satisfied, Execution witness, boolean exhaustive, String verdict, String departure,
                          long millis) {
        public boolean agrees() {
            return verdict.equals("agree");
        }
    }

    public static Outcome run(Litmus t, MemoryModel model, int bound) {
        LitmusScenario sc = new LitmusScenario(t);
        Explorer ex = new Explorer(sc, sc.variants().get(0), bound, 2_000, model, null);
        Set<String> states = new TreeSet<>();
        long[] counts = new long[2];
        Execution[] witness = new Execution[1];
        Throwable[] failure = new Throwable[1];
        Explorer.Sweep sweep = ex.exploreAll(e -> {
            if (e.status() == Execution.Status.ERROR && failure[0] == null) {
                failure[0] = e.error();
            }
            if (e.status() != Execution.Status.COMPLETED) {
                return;
            }
            counts[0]++;
            states.add(e.verdict().detail());
            if (e.verdict().bad()) {
                counts[1]++;
                if (witness[0] == null || cost(e) < cost(witness[0])
                        || (cost(e) == cost(witness[0]) && e.steps().size() < witness[0].steps().size())) {
                    witness[0] = e;
                }
            }
        });
        if (failure[0] instanceof LitmusParser.Unsupported u) {
            throw u;
        }
        if (failure[0] != null) {
            throw new IllegalStateException(t.name() + ": " + failure[0].getMessage(), failure[0]);
        }
        String observed = counts[1] == 0 ? "Never" : counts[1] == counts[0] ? "Always" : "Sometimes";
        if (t.kind() == Litmus.Kind.FORALL) {
            observed = counts[1] == counts[0] ? "Always" : counts[1] == 0 ? "Never" : "Sometimes";
        }
        String verdict;
        String departure = null;
        if (t.expected() == null) {
            verdict = "no Result comment";
        } else if (t.expected().equals(observed)) {
            verdict = "agree";
        } else {
            String shape = t.name().startsWith("2+2W") ? "2+2W" : t.name().split("\\+")[0];
            if (model == MemoryModel.LKMM && t.expected().equals("Sometimes") && observed.equals("Never")
                    && DEPARTURES.containsKey(shape)) {
                verdict = "known departure";
                departure = DEPARTURES.get(shape);
            } else {
                verdict = "DISAGREE";
            }
        }
        if (!sweep.exhaustive() && !verdict.equals("DISAGREE")) {
            verdict = "NOT exhaustive";
        }
        return new Outcome(t, model, observed, counts[0], states, counts[1], witness[0], sweep.exhaustive(), verdict,
                departure, sweep.millis());
    }

    private static long cost(Execution e) {
        return e.preemptions() + e.staleReads();
    }

    /** A litmus test as a scenario: roles P0..Pn, one variant, the condition as the judge. */
    static final class LitmusScenario implements Scenario {
        private final Litmus t;
        private final List<Variant> variants;

        LitmusScenario(Litmus t) {
            this.t = t;
            this.variants = List.of(new Variant("as-written", "litmus", Expectation.FIXED, t.name()));
        }

        @Override public String id() { return t.name(); }

        @Override public String title() { return "litmus " + t.name(); }

        @Override public String invariant() { return "the final condition"; }

        @Override public String badOutcome() { return "CONDITION"; }

        @Override public List<Outcome> outcomes() { return List.of(); }

        @Override public List<Variant> variants() { return variants; }

        @Override public List<String> roles() {
            return t.procs().stream().map(p -> "P" + p.index()).toList();
        }

        @Override public ScenarioRun newRun(Variant variant, Memory mem) {
            return new Run(t, (SimMemory) mem);
        }

        @Override public Script commitScript() {
            return Script.of();
        }
    }

    /** One execution's world: a cell per shared variable, registers per process. */
    static final class Run implements ScenarioRun {
        private final Litmus t;
        private final SimMemory mem;
        private final Sched sched;
        private final Map<String, Cell> cells = new HashMap<>();
        private final Map<String, SpinLock> locks = new HashMap<>();
        private final List<Map<String, Long>> regs = new ArrayList<>(); // each confined to its role

        Run(Litmus t, SimMemory mem) {
            this.t = t;
            this.mem = mem;
            this.sched = mem.sched;
            for (String v : t.variables()) {
                if (usedAsLock(v)) {
                    locks.put(v, new SpinLock(v, mem));
                } else {
                    cells.put(v, mem.cell(v, t.init().getOrDefault(v, 0L)));
                }
            }
            for (int i = 0; i < t.procs().size(); i++) {
                regs.add(new HashMap<>());
            }
        }

        private boolean usedAsLock(String v) {
            for (Litmus.Proc p : t.procs()) {
                if (usesLock(p.body(), v)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean usesLock(List<Stmt> body, String v) {
            for (Stmt s : body) {
                boolean hit = false;
                if (s instanceof Litmus.Eval e) {
                    hit = e.e() instanceof Call c && c.primitive().startsWith("spin_") && v.equals(c.variable());
                } else if (s instanceof Litmus.If i) {
                    hit = usesLock(i.then(), v) || usesLock(i.otherwise(), v);
                } else if (s instanceof Litmus.Block b) {
                    hit = usesLock(b.body(), v);
                }
                if (hit) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public List<Role> roles() {
            List<Role> out = new ArrayList<>();
            for (Litmus.Proc p : t.procs()) {
                out.add(new Role("P" + p.index(), () -> exec(p.index(), p.body())));
            }
            return out;
        }

        private void exec(int proc, List<Stmt> body) {
            for (Stmt s : body) {
                if (s instanceof Litmus.Assign a) {
                    sched.point("P" + proc + ": line " + a.line() + ": " + a.reg() + " =");
                    regs.get(proc).put(a.reg(), eval(proc, a.e()));
                } else if (s instanceof Litmus.Eval e) {
                    sched.point("P" + proc + ": line " + e.line());
                    eval(proc, e.e());
                } else if (s instanceof Litmus.If i) {
                    sched.point("P" + proc + ": line " + i.line() + ": if");
                    exec(proc, eval(proc, i.cond()) != 0 ? i.then() : i.otherwise());
                } else if (s instanceof Litmus.Block b) {
                    exec(proc, b.body());
                }
            }
        }

        private long eval(int proc, Expr e) {
            if (e instanceof Litmus.Const c) {
                return c.value();
            }
            if (e instanceof Litmus.Reg r) {
                return regs.get(proc).getOrDefault(r.name(), 0L);
            }
            if (e instanceof Litmus.Unary u) {
                long v = eval(proc, u.operand());
                return u.op().equals("!") ? (v == 0 ? 1 : 0) : u.op().equals("-") ? -v : ~v;
            }
            if (e instanceof Litmus.Binary b) {
                return binary(b.op(), eval(proc, b.left()), eval(proc, b.right()));
            }
            return call(proc, (Call) e);
        }

        private static long binary(String op, long l, long r) {
            return switch (op) {
                case "+" -> l + r;
                case "-" -> l - r;
                case "*" -> l * r;
                case "/" -> r == 0 ? 0 : l / r;
                case "%" -> r == 0 ? 0 : l % r;
                case "&" -> l & r;
                case "|" -> l | r;
                case "^" -> l ^ r;
                case "==" -> l == r ? 1 : 0;
                case "!=" -> l != r ? 1 : 0;
                case "<" -> l < r ? 1 : 0;
                case ">" -> l > r ? 1 : 0;
                case "<=" -> l <= r ? 1 : 0;
                case ">=" -> l >= r ? 1 : 0;
                case "&&" -> l != 0 && r != 0 ? 1 : 0;
                default -> l != 0 || r != 0 ? 1 : 0;
            };
        }

        private long arg(int proc, Call c, int i) {
            if (i >= c.args().size()) {
                throw new IllegalArgumentException(c.primitive() + " at line " + c.line() + " needs more arguments");
            }
            return eval(proc, c.args().get(i));
        }

        private long call(int proc, Call c) {
            String p = c.primitive();
            switch (p) {
                case "smp_mb" -> { mem.smp_mb(); return 0; }
                case "smp_rmb" -> { mem.smp_rmb(); return 0; }
                case "smp_wmb" -> { mem.smp_wmb(); return 0; }
                case "smp_mb__before_atomic" -> { mem.smp_mb__before_atomic(); return 0; }
                case "smp_mb__after_atomic" -> { mem.smp_mb__after_atomic(); return 0; }
                case "smp_mb__after_spinlock" -> { mem.smp_mb__after_spinlock(); return 0; }
                case "spin_lock" -> { lock(c).lock(); return 0; }
                case "spin_unlock" -> { lock(c).unlock(); return 0; }
                default -> { }
            }
            Cell x = cells.get(c.variable());
            if (x == null) {
                throw new IllegalArgumentException(p + " at line " + c.line() + ": " + c.variable() + " is a lock");
            }
            SimMemory.Order order = p.endsWith("_relaxed") ? SimMemory.Order.RELAXED
                    : p.endsWith("_acquire") ? SimMemory.Order.ACQUIRE
                    : p.endsWith("_release") ? SimMemory.Order.RELEASE : SimMemory.Order.FULL;
            String base = p.equals("smp_load_acquire") || p.equals("smp_store_release") ? p
                    : p.replaceAll("_(relaxed|acquire|release)$", "");
            switch (base) {
                case "READ_ONCE", "atomic_read" -> {
                    return order == SimMemory.Order.ACQUIRE ? mem.smp_load_acquire(x) : mem.READ_ONCE(x);
                }
                case "smp_load_acquire" -> {
                    return mem.smp_load_acquire(x);
                }
                case "WRITE_ONCE", "atomic_set" -> {
                    long v = arg(proc, c, 0);
                    if (order == SimMemory.Order.RELEASE) {
                        mem.smp_store_release(x, v);
                    } else {
                        mem.WRITE_ONCE(x, v);
                    }
                    return 0;
                }
                case "smp_store_release" -> {
                    mem.smp_store_release(x, arg(proc, c, 0));
                    return 0;
                }
                case "smp_store_mb" -> {
                    mem.WRITE_ONCE(x, arg(proc, c, 0));
                    mem.smp_mb();
                    return 0;
                }
                case "xchg", "atomic_xchg" -> {
                    long v = arg(proc, c, 0);
                    return mem.rmwOp(x, p, order, old -> v);
                }
                case "cmpxchg", "atomic_cmpxchg" -> {
                    return mem.cmpxchgOp(x, p, order, arg(proc, c, 0), arg(proc, c, 1));
                }
                case "atomic_inc", "atomic_dec", "atomic_add", "atomic_sub" -> {
                    long d = base.endsWith("inc") ? 1 : base.endsWith("dec") ? -1 : arg(proc, c, 0);
                    long delta = base.equals("atomic_sub") ? -d : d;
                    mem.rmwOp(x, p, SimMemory.Order.RELAXED, old -> old + delta);
                    return 0;
                }
                case "atomic_inc_return", "atomic_dec_return", "atomic_add_return", "atomic_sub_return" -> {
                    long d = base.contains("inc") ? 1 : base.contains("dec") ? -1 : arg(proc, c, 0);
                    long delta = base.startsWith("atomic_sub") ? -d : d;
                    return mem.rmwOp(x, p, order, old -> old + delta) + delta;
                }
                case "atomic_fetch_inc", "atomic_fetch_dec", "atomic_fetch_add", "atomic_fetch_sub" -> {
                    long d = base.endsWith("inc") ? 1 : base.endsWith("dec") ? -1 : arg(proc, c, 0);
                    long delta = base.endsWith("sub") ? -d : d;
                    return mem.rmwOp(x, p, order, old -> old + delta);
                }
                default -> throw new LitmusParser.Unsupported("unsupported: " + p + " at line " + c.line());
            }
        }

        private SpinLock lock(Call c) {
            SpinLock l = locks.get(c.variable());
            if (l == null) {
                throw new IllegalArgumentException(c.primitive() + " at line " + c.line() + ": " + c.variable() + " is not a lock");
            }
            return l;
        }

        @Override
        public Verdict judge() {
            StringBuilder state = new StringBuilder();
            for (int i = 0; i < t.procs().size(); i++) {
                for (String r : t.procs().get(i).registers()) {
                    state.append(i).append(':').append(r).append('=').append(regs.get(i).getOrDefault(r, 0L)).append("; ");
                }
            }
            for (String v : t.variables()) {
                if (cells.containsKey(v)) {
                    state.append(v).append('=').append(mem.peek(cells.get(v))).append("; ");
                }
            }
            boolean holds = holds(t.cond());
            return new Verdict(holds ? "CONDITION" : "OTHER", holds, List.of(), state.toString().trim());
        }

        private boolean holds(Prop p) {
            if (p instanceof Litmus.RegIs r) {
                return regs.get(r.proc()).getOrDefault(r.reg(), 0L) == r.value();
            }
            if (p instanceof Litmus.VarIs v) {
                return cells.containsKey(v.variable()) && mem.peek(cells.get(v.variable())) == v.value();
            }
            if (p instanceof Litmus.And a) {
                return holds(a.left()) && holds(a.right());
            }
            if (p instanceof Litmus.Or o) {
                return holds(o.left()) || holds(o.right());
            }
            return !holds(((Litmus.Not) p).p());
        }
    }
}
