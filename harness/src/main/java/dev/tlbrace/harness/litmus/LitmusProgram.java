package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The meaning of a litmus test's processes, as linux-kernel.def gives each primitive its
 * events: one CPU's code run with a chosen value for each of its reads yields one trace (its
 * events in program order, their addr/data/ctrl dependencies, its rmw pairs and its final
 * registers). {@link #traces} runs every choice; {@link LitmusCheck} joins the traces of all
 * CPUs into execution graphs and asks a memory model about each.
 *
 * <p>Dependencies are herd7's: through registers only, not through memory (a value stored
 * and loaded back carries none, except as the bell's carry-dep adds for plain {@code rfi});
 * a branch makes every later event of its CPU control-dependent on the reads its condition
 * used. A {@code while} loop is unrolled {@value #UNROLL} times; a run still looping after
 * that, or an {@code smp_cond_load_*} whose condition is false, is not an execution (GenMC's
 * assume: only the turn that leaves the loop matters).
 */
public final class LitmusProgram {
    static final int UNROLL = 2;
    /** Runs of one CPU past which a test is refused rather than exhausting the heap. */
    static final int MAX_TRACES = 200_000;
    private static final int MAX_EVENTS_PER_CPU = 63;
    /** Values one location may take before the enumeration is refused. */
    private static final int MAX_VALUES = 64;

    /** A primitive the model cannot give a meaning; the file gets an error line, not a verdict. */
    public static final class Unsupported extends RuntimeException {
        private final int line;

        public Unsupported(String message) {
            this(0, message);
        }

        public Unsupported(int line, String message) {
            super(message);
            this.line = line;
        }

        /** The line it is about, or 0. */
        public int line() {
            return line;
        }
    }

    /** One event of a trace, before it gets a graph id. */
    public record TEvent(Kind kind, String loc, Val value, Set<Tag> tags, String label, int line,
            long addr, long data, long ctrl, int rmwWith) {
    }

    /** One CPU's run with one choice of values for its reads. */
    public record Trace(int cpu, List<TEvent> events, Map<String, Val> registers) {
    }

    final LitmusAst.Test test;
    /** Shared locations, in order of first mention, with their initial values. */
    final Map<String, Val> init = new LinkedHashMap<>();
    final List<Map<String, Val>> initRegisters = new ArrayList<>();

    public LitmusProgram(LitmusAst.Test test) {
        this.test = test;
        for (LitmusAst.Proc p : test.procs()) {
            initRegisters.add(new HashMap<>());
            for (LitmusAst.Param param : p.params()) {
                init.putIfAbsent(param.name(), Val.ZERO);
            }
        }
        for (LitmusAst.Init i : test.init()) {
            Val v = i.value() == null ? Val.ZERO : value(i.value());
            if (i.proc() < 0) {
                init.put(i.name(), v);
            } else if (i.proc() < initRegisters.size()) {
                initRegisters.get(i.proc()).put(i.name(), v);
            }
        }
        for (LitmusAst.Init i : test.init()) {
            if (i.value() instanceof LitmusAst.Addr a) {
                init.putIfAbsent(a.location(), Val.ZERO);
            }
        }
    }

    static Val value(LitmusAst.Value v) {
        return v instanceof LitmusAst.Num num ? Val.of(num.value()) : Val.address(((LitmusAst.Addr) v).location());
    }

    public LitmusAst.Test test() {
        return test;
    }

    public Map<String, Val> init() {
        return init;
    }

    /**
     * Every trace of CPU {@code cpu} when each read may return any value of its location's
     * domain: the runs are replayed from the start with a choice vector, the last choice
     * advanced each time, as GenMC re-runs a program to rebuild a graph.
     */
    public List<Trace> traces(int cpu, Map<String, Set<Val>> domains) {
        return traces(cpu, domains, false);
    }

    /** @param partial also the runs that stopped (a loop that did not end, a wild pointer): their writes happened */
    private List<Trace> traces(int cpu, Map<String, Set<Val>> domains, boolean partial) {
        List<Trace> out = new ArrayList<>();
        List<Integer> choices = new ArrayList<>();
        int runs = 0;
        while (true) {
            if (++runs > MAX_TRACES) {
                throw new Unsupported("P" + cpu + " has more than " + MAX_TRACES + " combinations of values its reads"
                        + " may return; the enumeration of values does not scale to it");
            }
            Run run = new Run(cpu, domains, choices);
            if (run.execute() || partial) {
                out.add(new Trace(cpu, List.copyOf(run.events), Map.copyOf(run.finalRegisters())));
            }
            List<int[]> made = run.made;
            int k = made.size() - 1;
            while (k >= 0 && made.get(k)[0] + 1 >= made.get(k)[1]) {
                k--;
            }
            if (k < 0) {
                return out;
            }
            choices = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                choices.add(made.get(i)[0]);
            }
            choices.add(made.get(k)[0] + 1);
        }
    }

    /**
     * The values each location may hold: start from the init values and add what any trace
     * writes until nothing new appears (the writes of one round may feed the reads of the next).
     */
    public Map<String, Set<Val>> domains() {
        Map<String, Set<Val>> d = new TreeMap<>();
        // herd7 solves for read values symbolically, so a value no write can produce from the
        // init state may still be read when a cycle of stores justifies it (load buffering
        // without dependencies, "out of thin air" only in appearance). Every constant of the
        // program is offered to every read; rf keeps only those some write really writes.
        Set<Val> constants = new LinkedHashSet<>();
        collectConstants(constants);
        for (Map.Entry<String, Val> e : init.entrySet()) {
            Set<Val> s = d.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>());
            s.add(e.getValue());
            s.addAll(constants);
        }
        // A value first written to l in round k needs a chain of k writes in one execution, each
        // made after reading the location the one before it wrote (a -> b -> c: the chain may
        // pass through other locations, and where a write lands may come from a read, a pointer
        // published by another CPU). So l grows in at most as many rounds as one execution has
        // writes to the locations that can reach l that way (an atomic_inc would otherwise
        // count up forever). Both the reach and the write counts are taken from every trace
        // seen so far, and only grow: a location no write reached in the first round may be
        // written in a later one.
        Map<String, Set<String>> feeds = new HashMap<>();
        List<Map<String, Integer>> writesPerCpu = new ArrayList<>();
        for (int cpu = 0; cpu < test.procs().size(); cpu++) {
            writesPerCpu.add(new HashMap<>());
        }
        for (int round = 0; ; round++) {
            List<List<Trace>> all = new ArrayList<>();
            for (int cpu = 0; cpu < test.procs().size(); cpu++) {
                List<Trace> ts = traces(cpu, d, true);
                all.add(ts);
                for (Trace t : ts) {
                    Map<String, Integer> w = new HashMap<>();
                    Set<String> readSoFar = new java.util.HashSet<>();
                    for (TEvent e : t.events()) {
                        if (e.kind() == Kind.R && e.tags().stream().noneMatch(FIXED_READS::contains)) {
                            readSoFar.add(e.loc());
                        } else if (e.kind() == Kind.W) {
                            w.merge(e.loc(), 1, Integer::sum);
                            for (String from : readSoFar) {
                                feeds.computeIfAbsent(from, k -> new java.util.HashSet<>()).add(e.loc());
                            }
                        }
                    }
                    w.forEach((l, c) -> writesPerCpu.get(t.cpu()).merge(l, c, Math::max));
                }
            }
            Map<String, Integer> writes = new HashMap<>();
            writesPerCpu.forEach(m -> m.forEach((l, c) -> writes.merge(l, c, Integer::sum)));
            boolean grew = false;
            Map<String, Set<Val>> next = new TreeMap<>();
            d.forEach((l, vs) -> next.put(l, new LinkedHashSet<>(vs)));
            Map<String, Integer> bounds = new HashMap<>();
            for (List<Trace> ts : all) {
                for (Trace t : ts) {
                    for (TEvent e : t.events()) {
                        if (e.kind() != Kind.W
                                || round >= bounds.computeIfAbsent(e.loc(), l -> chainBound(l, feeds, writes))) {
                            continue;
                        }
                        Set<Val> set = next.computeIfAbsent(e.loc(), k -> new LinkedHashSet<>(List.of(Val.ZERO)));
                        if (set.add(e.value())) {
                            grew = true;
                        }
                        if (set.size() > MAX_VALUES) {
                            throw new Unsupported("the values written to " + e.loc() + " do not converge (more than "
                                    + MAX_VALUES + ")");
                        }
                    }
                }
            }
            if (!grew) {
                return d;
            }
            d = next;
        }
    }

    /** Reads whose value the trace fixes (lock words): they choose nothing from a domain. */
    private static final Set<Tag> FIXED_READS = EnumSet.of(Tag.LKR, Tag.LF, Tag.RL, Tag.RU);

    /** The writes one execution makes to l and to every location that reaches l through a read. */
    private static int chainBound(String l, Map<String, Set<String>> feeds, Map<String, Integer> writes) {
        Set<String> reach = new java.util.HashSet<>(List.of(l));
        boolean more = true;
        while (more) {
            more = false;
            for (Map.Entry<String, Set<String>> e : feeds.entrySet()) {
                if (!reach.contains(e.getKey()) && e.getValue().stream().anyMatch(reach::contains)) {
                    more |= reach.add(e.getKey());
                }
            }
        }
        return reach.stream().mapToInt(m -> writes.getOrDefault(m, 0)).sum();
    }

    private void collectConstants(Set<Val> out) {
        init.values().forEach(out::add);
        // and the condition's: herd7 lets a cycle of copies produce the 42 an exists asks about
        condConstants(test.condition(), out);
        if (test.filter() != null) {
            condConstants(test.filter(), out);
        }
        for (LitmusAst.Proc p : test.procs()) {
            for (Stmt s : p.body()) {
                constants(s, out);
            }
        }
    }

    private static void condConstants(LitmusAst.Cond c, Set<Val> out) {
        for (LitmusAst.Atom a : LitmusConditions.atoms(c)) {
            if (a.right() instanceof LitmusAst.ValueOperand v && v.value() instanceof LitmusAst.Num num) {
                out.add(Val.of(num.value()));
            }
        }
    }

    private static void constants(Stmt s, Set<Val> out) {
        if (s instanceof Decl d && d.init() != null) {
            constants(d.init(), out);
        } else if (s instanceof Assign a) {
            constants(a.value(), out);
        } else if (s instanceof ExprStmt e) {
            constants(e.e(), out);
        } else if (s instanceof If i) {
            constants(i.cond(), out);
            constants(i.then(), out);
            if (i.otherwise() != null) {
                constants(i.otherwise(), out);
            }
        } else if (s instanceof While w) {
            constants(w.cond(), out);
            constants(w.body(), out);
        } else if (s instanceof Block b) {
            b.body().forEach(x -> constants(x, out));
        }
    }

    private static void constants(Expr e, Set<Val> out) {
        if (e instanceof Const c) {
            out.add(Val.of(c.value()));
        } else if (e instanceof Deref d) {
            constants(d.pointer(), out);
        } else if (e instanceof AddrOf a) {
            constants(a.operand(), out);
        } else if (e instanceof Unary u) {
            constants(u.operand(), out);
        } else if (e instanceof Binary b) {
            constants(b.left(), out);
            constants(b.right(), out);
        } else if (e instanceof Ternary t) {
            constants(t.cond(), out);
            constants(t.then(), out);
            constants(t.otherwise(), out);
        } else if (e instanceof Call c) {
            c.args().forEach(a -> constants(a, out));
        }
    }

    /** A value with the set of this CPU's reads it depends on (bit i: trace event i). */
    private record Dv(Val v, long deps) {
        static Dv of(Val v) {
            return new Dv(v, 0);
        }
    }

    private static final class Blocked extends RuntimeException {
        Blocked() {
            super(null, null, false, false);
        }
    }

    static final Pattern ATOMIC = Pattern.compile(
            "atomic(?:_long|64)?_(fetch_)?(add|sub|and|or|xor|andnot|inc|dec)(_return)?(_and_test|_negative)?"
                    + "(_relaxed|_acquire|_release)?");

    /** One run of one CPU's code. */
    private final class Run {
        final int cpu;
        final Map<String, Set<Val>> domains;
        final List<Integer> choices;
        final List<int[]> made = new ArrayList<>();
        int nextChoice;
        final List<TEvent> events = new ArrayList<>();
        final Map<String, Dv> regs = new HashMap<>();
        long ctrl;

        Run(int cpu, Map<String, Set<Val>> domains, List<Integer> choices) {
            this.cpu = cpu;
            this.domains = domains;
            this.choices = choices;
            initRegisters.get(cpu).forEach((r, v) -> regs.put(r, Dv.of(v)));
        }

        boolean execute() {
            try {
                for (Stmt s : test.procs().get(cpu).body()) {
                    exec(s);
                }
                return true;
            } catch (Blocked b) {
                return false;
            }
        }

        Map<String, Val> finalRegisters() {
            Map<String, Val> m = new HashMap<>();
            regs.forEach((k, v) -> m.put(k, v.v()));
            return m;
        }

        /** The next choice among n: replayed from the prefix, then the first. */
        int choose(int n) {
            int c = nextChoice < choices.size() ? choices.get(nextChoice) : 0;
            nextChoice++;
            made.add(new int[] {c, n});
            return c;
        }

        void exec(Stmt s) {
            if (s instanceof Decl d) {
                if (d.init() != null) {
                    regs.put(d.name(), eval(d.init()));
                } else {
                    regs.putIfAbsent(d.name(), Dv.of(Val.ZERO));
                }
            } else if (s instanceof Assign a) {
                Dv v = eval(a.value());
                if (a.target() instanceof Var var) {
                    regs.put(var.name(), v);
                } else if (a.target() instanceof Deref d) {
                    write(eval(d.pointer()), v, EnumSet.noneOf(Tag.class), "*" + show(d.pointer()) + " = " + show(a.value()),
                            a.line());
                } else {
                    throw new Unsupported(a.line(), "cannot assign to " + show(a.target()));
                }
            } else if (s instanceof ExprStmt e) {
                eval(e.e());
            } else if (s instanceof If i) {
                // herd7's C ctrl covers the branches only: what follows the if does not depend on it
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
                    if (turn == UNROLL) {
                        throw new Blocked();
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
                Dv r = regs.get(v.name());
                if (r != null) {
                    return r;
                }
                return init.containsKey(v.name()) ? Dv.of(Val.address(v.name())) : Dv.of(Val.ZERO);
            }
            if (e instanceof Deref d) {
                return read(eval(d.pointer()), EnumSet.noneOf(Tag.class), "*" + show(d.pointer()), d.line());
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
            return call((Call) e);
        }

        Dv binary(Binary b) {
            if (b.op().equals("&&") || b.op().equals("||")) {
                Dv l = eval(b.left());
                boolean and = b.op().equals("&&");
                if (l.v().truthy() != and) {
                    return new Dv(Val.of(and ? 0 : 1), l.deps());
                }
                Dv r = eval(b.right());
                return new Dv(Val.of(r.v().truthy() ? 1 : 0), l.deps() | r.deps());
            }
            Dv l = eval(b.left());
            Dv r = eval(b.right());
            long deps = l.deps() | r.deps();
            Val a = l.v();
            Val c = r.v();
            Val out = operate(b.op(), a, c, this::number);
            return new Dv(out, deps);
        }

        /** An address in arithmetic that is not pointer arithmetic: a fixed number per location. */
        long number(Val v) {
            if (!v.isAddress()) {
                return v.number();
            }
            int i = 0;
            for (String l : init.keySet()) {
                i++;
                if (l.equals(v.loc())) {
                    break;
                }
            }
            return 0x1000L * i + v.number();
        }

        /** The address an lvalue names: {@code *p} is p's value, a location name its address. */
        Dv address(Expr lvalue) {
            if (lvalue instanceof Deref d) {
                return eval(d.pointer());
            }
            if (lvalue instanceof Var v && init.containsKey(v.name()) && !regs.containsKey(v.name())) {
                return Dv.of(Val.address(v.name()));
            }
            if (lvalue instanceof Var v && regs.containsKey(v.name())) {
                return regs.get(v.name());
            }
            throw new Unsupported("not an lvalue: " + show(lvalue));
        }

        String locOf(Dv addr, int line) {
            if (!addr.v().isAddress()) {
                // herd7 treats an access through a non-pointer as undefined: no execution
                throw new Blocked();
            }
            Val a = addr.v();
            String loc = a.number() == 0 ? a.loc() : a.loc() + "+" + a.number();
            return loc;
        }

        int add(TEvent e) {
            if (events.size() >= MAX_EVENTS_PER_CPU) {
                throw new Unsupported("more than " + MAX_EVENTS_PER_CPU + " events on P" + cpu);
            }
            events.add(e);
            return events.size() - 1;
        }

        Dv read(Dv addr, Set<Tag> tags, String label, int line) {
            String loc = locOf(addr, line);
            List<Val> dom = new ArrayList<>(domains.getOrDefault(loc, Set.of(Val.ZERO)));
            Val v = dom.get(choose(dom.size()));
            int i = add(new TEvent(Kind.R, loc, v, tags, label, line, addr.deps(), 0, ctrl, -1));
            return new Dv(v, 1L << i);
        }

        void write(Dv addr, Dv val, Set<Tag> tags, String label, int line) {
            String loc = locOf(addr, line);
            add(new TEvent(Kind.W, loc, val.v(), tags, label, line, addr.deps(), val.deps(), ctrl, -1));
        }

        void fence(Set<Tag> tags, String label, int line) {
            add(new TEvent(Kind.F, null, Val.ZERO, tags, label, line, 0, 0, ctrl, -1));
        }

        /** A read and, when {@code newValue} gives one, a write joined by rmw. Returns the old value. */
        Dv rmw(Dv addr, Tag order, java.util.function.Function<Val, Val> newValue, long valueDeps, String label,
                int line) {
            String loc = locOf(addr, line);
            EnumSet<Tag> tags = EnumSet.of(order, Tag.RMW);
            List<Val> dom = new ArrayList<>(domains.getOrDefault(loc, Set.of(Val.ZERO)));
            Val old = dom.get(choose(dom.size()));
            int ri = add(new TEvent(Kind.R, loc, old, tags, label, line, addr.deps(), 0, ctrl, -1));
            Val nv = newValue.apply(old);
            if (nv != null) {
                int wi = events.size();
                events.set(ri, withRmw(events.get(ri), wi));
                add(new TEvent(Kind.W, loc, nv, tags, label, line, addr.deps(), valueDeps, ctrl, ri));
            }
            return new Dv(old, 1L << ri);
        }

        TEvent withRmw(TEvent e, int partner) {
            return new TEvent(e.kind(), e.loc(), e.value(), e.tags(), e.label(), e.line(), e.addr(), e.data(),
                    e.ctrl(), partner);
        }

        Dv call(Call c) {
            String f = c.function();
            List<Expr> a = c.args();
            String label = f + "(" + String.join(", ", a.stream().map(LitmusProgram::show).toList()) + ")";
            int line = c.line();
            switch (f) {
                case "READ_ONCE", "rcu_dereference", "lockless_dereference", "rcu_dereference_raw",
                        "srcu_dereference" -> {
                    return read(address(a.get(0)), EnumSet.of(Tag.ONCE), label, line);
                }
                case "WRITE_ONCE", "rcu_assign_pointer", "smp_store_mb" -> {
                    Dv addr = address(a.get(0));
                    Dv v = eval(a.get(1));
                    write(addr, v, EnumSet.of(f.equals("rcu_assign_pointer") ? Tag.RELEASE : Tag.ONCE), label, line);
                    if (f.equals("smp_store_mb")) {
                        fence(EnumSet.of(Tag.MB), "smp_mb()", line);
                    }
                    return Dv.of(Val.ZERO);
                }
                case "smp_load_acquire", "atomic_read_acquire", "atomic_long_read_acquire" -> {
                    return read(eval(a.get(0)), EnumSet.of(Tag.ACQUIRE), label, line);
                }
                case "atomic_read", "atomic_long_read", "atomic64_read" -> {
                    return read(eval(a.get(0)), EnumSet.of(Tag.ONCE), label, line);
                }
                case "smp_store_release", "atomic_set_release", "atomic_long_set_release" -> {
                    Dv addr = eval(a.get(0));
                    write(addr, eval(a.get(1)), EnumSet.of(Tag.RELEASE), label, line);
                    return Dv.of(Val.ZERO);
                }
                case "atomic_set", "atomic_long_set", "atomic64_set" -> {
                    Dv addr = eval(a.get(0));
                    write(addr, eval(a.get(1)), EnumSet.of(Tag.ONCE), label, line);
                    return Dv.of(Val.ZERO);
                }
                case "smp_mb" -> fence(EnumSet.of(Tag.MB), label, line);
                case "smp_rmb" -> fence(EnumSet.of(Tag.RMB), label, line);
                case "smp_wmb" -> fence(EnumSet.of(Tag.WMB), label, line);
                case "barrier" -> fence(EnumSet.of(Tag.BARRIER), label, line);
                case "smp_mb__before_atomic" -> fence(EnumSet.of(Tag.BEFORE_ATOMIC), label, line);
                case "smp_mb__after_atomic" -> fence(EnumSet.of(Tag.AFTER_ATOMIC), label, line);
                case "smp_mb__after_spinlock" -> fence(EnumSet.of(Tag.AFTER_SPINLOCK), label, line);
                case "smp_mb__after_unlock_lock" -> fence(EnumSet.of(Tag.AFTER_UNLOCK_LOCK), label, line);
                case "smp_mb__after_srcu_read_unlock" -> fence(EnumSet.of(Tag.AFTER_SRCU_READ_UNLOCK), label, line);
                case "rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched" ->
                        fence(EnumSet.of(Tag.RCU_LOCK), label, line);
                case "rcu_read_unlock", "rcu_read_unlock_bh", "rcu_read_unlock_sched" ->
                        fence(EnumSet.of(Tag.RCU_UNLOCK), label, line);
                case "synchronize_rcu", "synchronize_rcu_expedited", "synchronize_sched" ->
                        fence(EnumSet.of(Tag.SYNC_RCU), label, line);
                case "srcu_read_lock", "srcu_down_read" -> {
                    return read(eval(a.get(0)), EnumSet.of(Tag.SRCU_LOCK), label, line);
                }
                case "srcu_read_unlock", "srcu_up_read" -> {
                    Dv addr = eval(a.get(0));
                    write(addr, a.size() > 1 ? eval(a.get(1)) : Dv.of(Val.ZERO), EnumSet.of(Tag.SRCU_UNLOCK), label, line);
                }
                case "synchronize_srcu", "synchronize_srcu_expedited" -> {
                    String loc = locOf(eval(a.get(0)), line);
                    add(new TEvent(Kind.F, loc, Val.ZERO, EnumSet.of(Tag.SYNC_SRCU), label, line, 0, 0, ctrl, -1));
                }
                case "spin_lock" -> {
                    Dv addr = eval(a.get(0));
                    String loc = locOf(addr, line);
                    int ri = add(new TEvent(Kind.R, loc, Val.ZERO, EnumSet.of(Tag.LKR), label, line, addr.deps(), 0, ctrl, -1));
                    add(new TEvent(Kind.W, loc, Val.of(1), EnumSet.of(Tag.LKW), label, line, addr.deps(), 0, ctrl, ri));
                }
                case "spin_unlock" -> {
                    Dv addr = eval(a.get(0));
                    add(new TEvent(Kind.W, locOf(addr, line), Val.ZERO, EnumSet.of(Tag.UL), label, line, addr.deps(), 0,
                            ctrl, -1));
                }
                case "spin_trylock" -> {
                    Dv addr = eval(a.get(0));
                    String loc = locOf(addr, line);
                    if (choose(2) == 0) {
                        int ri = add(new TEvent(Kind.R, loc, Val.ZERO, EnumSet.of(Tag.LKR), label, line, addr.deps(), 0,
                                ctrl, -1));
                        add(new TEvent(Kind.W, loc, Val.of(1), EnumSet.of(Tag.LKW), label, line, addr.deps(), 0, ctrl, ri));
                        return new Dv(Val.of(1), 1L << ri);
                    }
                    int ri = add(new TEvent(Kind.R, loc, Val.of(1), EnumSet.of(Tag.LF), label, line, addr.deps(), 0, ctrl, -1));
                    return new Dv(Val.ZERO, 1L << ri);
                }
                case "spin_is_locked" -> {
                    Dv addr = eval(a.get(0));
                    String loc = locOf(addr, line);
                    boolean locked = choose(2) == 0;
                    int ri = add(new TEvent(Kind.R, loc, Val.of(locked ? 1 : 0), EnumSet.of(locked ? Tag.RL : Tag.RU),
                            label, line, addr.deps(), 0, ctrl, -1));
                    return new Dv(Val.of(locked ? 1 : 0), 1L << ri);
                }
                case "smp_cond_load_acquire", "smp_cond_load_relaxed" -> {
                    Dv v = read(eval(a.get(0)), EnumSet.of(f.endsWith("acquire") ? Tag.ACQUIRE : Tag.ONCE), label, line);
                    Dv saved = regs.put("VAL", v);
                    boolean holds = eval(a.get(1)).v().truthy();
                    if (saved == null) {
                        regs.remove("VAL");
                    } else {
                        regs.put("VAL", saved);
                    }
                    if (!holds) {
                        throw new Blocked();
                    }
                    return v;
                }
                default -> {
                    return rmwCall(f, a, label, line);
                }
            }
            return Dv.of(Val.ZERO);
        }

        Dv rmwCall(String f, List<Expr> a, String label, int line) {
            Matcher xc = Pattern.compile("(atomic(?:_long|64)?_)?(xchg|cmpxchg|try_cmpxchg)(_relaxed|_acquire|_release)?")
                    .matcher(f);
            if (xc.matches()) {
                Tag order = order(xc.group(3), false);
                Dv addr = eval(a.get(0));
                if (xc.group(2).equals("xchg")) {
                    Dv v = eval(a.get(1));
                    return rmw(addr, order, old -> v.v(), v.deps(), label, line);
                }
                Dv expected = eval(a.get(1));
                Dv v = eval(a.get(2));
                Dv old = rmw(addr, order, o -> o.equals(expected.v()) ? v.v() : null, v.deps(), label, line);
                if (xc.group(2).equals("try_cmpxchg")) {
                    return new Dv(Val.of(old.v().equals(expected.v()) ? 1 : 0), old.deps());
                }
                return old;
            }
            if (f.matches("atomic(_long|64)?_add_unless")) {
                Dv addr = eval(a.get(0));
                Dv add = eval(a.get(1));
                Dv unless = eval(a.get(2));
                Dv old = rmw(addr, Tag.MB, o -> o.equals(unless.v()) ? null : Val.of(o.number() + add.v().number()),
                        add.deps(), label, line);
                return new Dv(Val.of(old.v().equals(unless.v()) ? 0 : 1), old.deps());
            }
            Matcher m = ATOMIC.matcher(f);
            if (!m.matches()) {
                throw new Unsupported(line, "unknown primitive '" + f + "'");
            }
            boolean fetch = m.group(1) != null;
            String op = m.group(2);
            boolean ret = m.group(3) != null || m.group(4) != null;
            boolean unit = op.equals("inc") || op.equals("dec");
            Dv operand = unit ? Dv.of(Val.of(1)) : eval(a.get(0));
            Dv addr = eval(a.get(unit ? 0 : 1));
            Tag order = fetch || ret ? order(m.group(5), false) : Tag.NORETURN;
            if (!fetch && !ret && m.group(5) != null) {
                throw new Unsupported(line, "unknown primitive '" + f + "'");
            }
            long k = operand.v().number();
            java.util.function.Function<Val, Val> apply = o -> Val.of(switch (op) {
                case "add", "inc" -> o.number() + k;
                case "sub", "dec" -> o.number() - k;
                case "and" -> o.number() & k;
                case "or" -> o.number() | k;
                case "xor" -> o.number() ^ k;
                default -> o.number() & ~k;
            });
            Dv old = rmw(addr, order, apply, operand.deps(), label, line);
            Val now = apply.apply(old.v());
            if (m.group(4) != null) {
                boolean r = m.group(4).equals("_and_test") ? now.number() == 0 : now.number() < 0;
                return new Dv(Val.of(r ? 1 : 0), old.deps());
            }
            return new Dv(fetch ? old.v() : ret ? now : Val.ZERO, old.deps());
        }

        Tag order(String suffix, boolean noreturn) {
            if (suffix == null) {
                return noreturn ? Tag.NORETURN : Tag.MB;
            }
            return switch (suffix) {
                case "_relaxed" -> Tag.ONCE;
                case "_acquire" -> Tag.ACQUIRE;
                default -> Tag.RELEASE;
            };
        }
    }

    static String show(Expr e) {
        if (e instanceof Const c) {
            return Long.toString(c.value());
        }
        if (e instanceof Var v) {
            return v.name();
        }
        if (e instanceof Deref d) {
            return "*" + show(d.pointer());
        }
        if (e instanceof AddrOf a) {
            return "&" + show(a.operand());
        }
        if (e instanceof Unary u) {
            return u.op() + show(u.operand());
        }
        if (e instanceof Binary b) {
            return show(b.left()) + " " + b.op() + " " + show(b.right());
        }
        if (e instanceof Ternary t) {
            return show(t.cond()) + " ? " + show(t.then()) + " : " + show(t.otherwise());
        }
        Call c = (Call) e;
        return c.function() + "(" + String.join(", ", c.args().stream().map(LitmusProgram::show).toList()) + ")";
    }

    /**
     * A binary operator on two values, as herd7's C evaluates it: addresses keep their location
     * under pointer arithmetic, and count as {@code number}'s fixed value elsewhere. Shared by the
     * checker and the explorer's interpreter ({@link LitmusExplore}).
     */
    static Val operate(String op, Val a, Val c, java.util.function.ToLongFunction<Val> number) {
        return switch (op) {
            case "==" -> Val.of(a.equals(c) ? 1 : 0);
            case "!=" -> Val.of(a.equals(c) ? 0 : 1);
            case "+" -> a.isAddress() && !c.isAddress() ? new Val(a.loc(), a.number() + c.number())
                    : c.isAddress() && !a.isAddress() ? new Val(c.loc(), c.number() + a.number())
                    : Val.of(number.applyAsLong(a) + number.applyAsLong(c));
            case "-" -> a.equals(c) ? Val.ZERO
                    : a.isAddress() && !c.isAddress() ? new Val(a.loc(), a.number() - c.number())
                    : Val.of(number.applyAsLong(a) - number.applyAsLong(c));
            case "^" -> a.equals(c) ? Val.ZERO : Val.of(number.applyAsLong(a) ^ number.applyAsLong(c));
            case "*" -> Val.of(number.applyAsLong(a) * number.applyAsLong(c));
            case "/" -> number.applyAsLong(c) == 0 ? Val.ZERO : Val.of(number.applyAsLong(a) / number.applyAsLong(c));
            case "%" -> number.applyAsLong(c) == 0 ? Val.ZERO : Val.of(number.applyAsLong(a) % number.applyAsLong(c));
            case "&" -> a.isAddress() && number.applyAsLong(c) == -1 ? a : Val.of(number.applyAsLong(a) & number.applyAsLong(c));
            case "|" -> a.isAddress() && number.applyAsLong(c) == 0 ? a : c.isAddress() && number.applyAsLong(a) == 0 ? c
                    : Val.of(number.applyAsLong(a) | number.applyAsLong(c));
            case "<<" -> Val.of(number.applyAsLong(a) << number.applyAsLong(c));
            case ">>" -> Val.of(number.applyAsLong(a) >> number.applyAsLong(c));
            case "<" -> Val.of(number.applyAsLong(a) < number.applyAsLong(c) ? 1 : 0);
            case "<=" -> Val.of(number.applyAsLong(a) <= number.applyAsLong(c) ? 1 : 0);
            case ">" -> Val.of(number.applyAsLong(a) > number.applyAsLong(c) ? 1 : 0);
            case ">=" -> Val.of(number.applyAsLong(a) >= number.applyAsLong(c) ? 1 : 0);
            default -> throw new Unsupported("operator " + op);
        };
    }
}
