package dev.tlbrace.harness.litmus.gen;

import dev.tlbrace.harness.graph.Event;
import dev.tlbrace.harness.graph.Val;
import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusProgram;
import dev.tlbrace.harness.litmus.LitmusReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Random C litmus tests in herd7's dialect of the kernel's tools/memory-model, for differential
 * testing (herdtools7's diy builds cycles; this draws programs at random instead).
 *
 * <p>Each program has 2-4 CPUs, 1-4 shared data locations (int, atomic_t, or a pointer that
 * holds another location's address), 1-5 shared accesses per CPU drawn from the primitives
 * {@code LitmusProgram} knows (marked and plain loads/stores, release/acquire, fences, RMWs,
 * spinlocks, RCU and SRCU, pointer publication and dereference, branches and data
 * dependencies), a {@code locations [...]} line naming every register and location, and an
 * exists / ~exists / forall condition (sometimes a filter) over values the program can produce.
 *
 * <p>Deterministic: program {@code n} of seed {@code s} depends on (s, n) alone
 * ({@link #generate(long, int, Options)}), and is named {@code gen-s-n}.
 */
public final class LitmusGenerator {

    /**
     * Which families of primitives may appear. Marked accesses (READ_ONCE/WRITE_ONCE,
     * acquire/release, smp_store_mb), fences, branches and dependencies always may.
     *
     * @param pointers    pointer locations, published and dereferenced
     * @param locks       spin_lock/unlock, spin_trylock, spin_is_locked
     * @param rcu         rcu_read_lock/unlock sections, synchronize_rcu
     * @param srcu        srcu_read_lock/unlock sections, synchronize_srcu
     * @param plain       plain (unmarked) {@code *x} loads and stores
     * @param rmw         xchg, cmpxchg, atomic_t operations
     * @param maxCpus     2..4
     * @param maxAccesses per CPU, 1..5
     * @param maxCost     a drawn program whose {@link #cost} exceeds this is drawn again (the
     *                    checker's time grows with it; 0 for no limit)
     */
    public record Options(boolean pointers, boolean locks, boolean rcu, boolean srcu, boolean plain, boolean rmw,
            int maxCpus, int maxAccesses, double maxCost) {
        public static final Options ALL = new Options(true, true, true, true, true, true, 4, 5, DEFAULT_MAX_COST);

        public Options {
            if (maxCost < 0 || maxCpus < 2 || maxCpus > 4 || maxAccesses < 1 || maxAccesses > 5) {
                throw new IllegalArgumentException("maxCpus 2..4, maxAccesses 1..5, maxCost >= 0");
            }
        }

        /** No spinlocks, RCU or SRCU. */
        public static Options lockFree() {
            return ALL.withLocks(false).withRcu(false).withSrcu(false);
        }

        /** Only marked accesses, fences, branches and dependencies (no plain accesses: race-free). */
        public static Options marked() {
            return new Options(false, false, false, false, false, false, 4, 5, DEFAULT_MAX_COST);
        }

        public Options withPointers(boolean b) {
            return new Options(b, locks, rcu, srcu, plain, rmw, maxCpus, maxAccesses, maxCost);
        }

        public Options withLocks(boolean b) {
            return new Options(pointers, b, rcu, srcu, plain, rmw, maxCpus, maxAccesses, maxCost);
        }

        public Options withRcu(boolean b) {
            return new Options(pointers, locks, b, srcu, plain, rmw, maxCpus, maxAccesses, maxCost);
        }

        public Options withSrcu(boolean b) {
            return new Options(pointers, locks, rcu, b, plain, rmw, maxCpus, maxAccesses, maxCost);
        }

        public Options withPlain(boolean b) {
            return new Options(pointers, locks, rcu, srcu, b, rmw, maxCpus, maxAccesses, maxCost);
        }

        public Options withRmw(boolean b) {
            return new Options(pointers, locks, rcu, srcu, plain, b, maxCpus, maxAccesses, maxCost);
        }

        public Options withSize(int cpus, int accesses) {
            return new Options(pointers, locks, rcu, srcu, plain, rmw, cpus, accesses, maxCost);
        }

        public Options withMaxCost(double cost) {
            return new Options(pointers, locks, rcu, srcu, plain, rmw, maxCpus, maxAccesses, cost);
        }
    }

    /**
     * The default {@link Options#maxCost}: about 12 ms a program on average under lkmm on a
     * loaded 2-core machine (2,000 programs in well under a minute), keeping about 3 draws in 4.
     */
    public static final double DEFAULT_MAX_COST = 5000;

    private static final java.util.regex.Pattern LITERAL = java.util.regex.Pattern.compile("\\b\\d+\\b");

    /** Distinct integer literals in the text, 0 included. */
    static int constants(String text) {
        Set<String> seen = new java.util.HashSet<>(Set.of("0"));
        java.util.regex.Matcher m = LITERAL.matcher(text.substring(text.indexOf('{')));
        while (m.find()) {
            seen.add(m.group());
        }
        return seen.size();
    }

    /** Draws per program before the last one is taken whatever its cost. */
    private static final int ATTEMPTS = 40;

    /** {@code -Dtlbrace.gen.count=N}: how many programs a long run draws. */
    public static int count(int def) {
        return Integer.getInteger("tlbrace.gen.count", def);
    }

    /** {@code -Dtlbrace.gen.seed=S}: the seed of a long run. */
    public static long seed(long def) {
        return Long.getLong("tlbrace.gen.seed", def);
    }

    private final long seed;
    private final Options options;
    private int n;

    public LitmusGenerator(long seed) {
        this(seed, Options.ALL);
    }

    public LitmusGenerator(long seed, Options options) {
        this.seed = seed;
        this.options = options;
    }

    /** The next program's text, named {@code gen-<seed>-<n>}. */
    public String next() {
        return generate(seed, n++, options);
    }

    /** How many programs {@link #next} has returned. */
    public int index() {
        return n;
    }

    /** Program {@code index} of {@code seed}: what the index-th {@link #next} returns. */
    public static String generate(long seed, int index, Options options) {
        String text = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long mixed = seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + attempt * 0x165667B19E3779F9L;
            Builder b = new Builder(new Random(mixed), options, "gen-" + seed + "-" + index);
            text = b.build();
            if (options.maxCost() == 0) {
                return text;
            }
            // every constant of the program is offered to every read: a cheap first estimate
            if (attempt < ATTEMPTS - 1 && Math.pow(constants(text), b.reads) > 4 * options.maxCost()) {
                continue;
            }
            double c = cost(parse(text), options.maxCost());
            // a program the checker refuses (c < 0) is kept: refusals are the checker's to explain
            if (c <= options.maxCost()) {
                return text;
            }
        }
        return text;
    }

    /**
     * A rough measure of the checker's work on a program: the product over CPUs of the runs
     * of each CPU (each read takes every value of its location's domain), times the product
     * over locations of (writes to it)!, the coherence orders. -1 when the checker refuses it.
     */
    public static double cost(LitmusAst.Test test) {
        return cost(test, Double.POSITIVE_INFINITY);
    }

    /** {@link #cost(LitmusAst.Test)}, or some number above {@code bound} as soon as it is clear. */
    static double cost(LitmusAst.Test test, double bound) {
        try {
            LitmusProgram p = new LitmusProgram(test);
            Map<String, Set<Val>> d = p.domains();
            double product = 1;
            Map<String, Integer> writes = new java.util.HashMap<>();
            for (int c = 0; c < test.procs().size(); c++) {
                List<LitmusProgram.Trace> ts = p.traces(c, d);
                product *= Math.max(1, ts.size());
                if (product > bound) {
                    return product;
                }
                Map<String, Integer> most = new java.util.HashMap<>();
                for (LitmusProgram.Trace t : ts) {
                    Map<String, Integer> w = new java.util.HashMap<>();
                    t.events().stream().filter(e -> e.kind() == Event.Kind.W)
                            .forEach(e -> w.merge(e.loc(), 1, Integer::sum));
                    w.forEach((l, k) -> most.merge(l, k, Math::max));
                }
                most.forEach((l, k) -> writes.merge(l, k, Integer::sum));
            }
            for (int k : writes.values()) {
                for (int i = 2; i <= k; i++) {
                    product *= i;
                }
            }
            return product;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The text read by the project's LitmusReader; a syntax error is an IllegalArgumentException. */
    public static LitmusAst.Test parse(String text) {
        try {
            return LitmusReader.read("generated", text);
        } catch (LitmusReader.LitmusSyntaxError e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + text, e);
        }
    }

    // ---- the program being drawn --------------------------------------------------------------

    private enum LocKind { INT, ATOMIC, PTR }

    private static final class Loc {
        final String name;
        final LocKind kind;
        /** Initial value: a number, or (PTR) a location's name. */
        String init = "0";
        /** PTR: the locations it may point to (init first). */
        final List<Loc> targets = new ArrayList<>();
        /** Values it may hold: init and whatever is written (numbers as text, addresses by name). */
        final Set<String> values = new LinkedHashSet<>();

        Loc(String name, LocKind kind) {
            this.name = name;
            this.kind = kind;
        }
    }

    /** What a register may end up holding. */
    private record Reg(String name, String type, Set<String> values, boolean numeric, boolean inCondition) {
    }

    private static final class Cpu {
        final int index;
        final List<String> lines = new ArrayList<>();
        final Map<String, String> decls = new LinkedHashMap<>();
        final List<Reg> regs = new ArrayList<>();
        final Set<String> uses = new LinkedHashSet<>();
        final Deque<Op> forced = new ArrayDeque<>();
        int budget;
        int nextReg;
        boolean unlocked;

        Cpu(int index) {
            this.index = index;
        }
    }

    private enum Op { LOAD, STORE, RMW, LOCK, RCU, SRCU, SYNC_RCU, SYNC_SRCU, PTR_READ, PTR_PUBLISH, BRANCH, IS_LOCKED }

    /** Where an op is being emitted. */
    private record Ctx(int depth, boolean inLock, boolean inRcu, boolean inSrcu) {
        Ctx deeper() {
            return new Ctx(depth + 1, inLock, inRcu, inSrcu);
        }
    }

    private static final class Builder {
        final Random r;
        final Options o;
        final String name;
        final List<Loc> locs = new ArrayList<>();
        final List<Cpu> cpus = new ArrayList<>();
        boolean lock;
        boolean rcu;
        boolean srcu;
        /** Reads drawn, on all paths together. */
        int reads;
        /** Registers whose value is the mere address of a location (intptr_t r = y). */
        final List<Loc> ints = new ArrayList<>();

        Builder(Random r, Options o, String name) {
            this.r = r;
            this.o = o;
            this.name = name;
        }

        boolean chance(double p) {
            return r.nextDouble() < p;
        }

        <T> T pick(List<T> xs) {
            return xs.get(r.nextInt(xs.size()));
        }

        /** Index drawn with the given weights (a weight of 0 is never drawn). */
        int weighted(double... w) {
            double sum = 0;
            for (double x : w) {
                sum += x;
            }
            double d = r.nextDouble() * sum;
            for (int i = 0; i < w.length; i++) {
                d -= w[i];
                if (d < 0 && w[i] > 0) {
                    return i;
                }
            }
            for (int i = w.length - 1; i >= 0; i--) {
                if (w[i] > 0) {
                    return i;
                }
            }
            throw new IllegalStateException("no weight");
        }

        String build() {
            int ncpu = 2 + weighted(50, 32, 18);
            ncpu = Math.min(ncpu, o.maxCpus());
            boolean ptr = o.pointers() && chance(0.35);
            boolean atomic = o.rmw() && chance(0.4);
            int nloc = 1 + weighted(20, 40, 28, 12);
            int nint = nloc - (ptr ? 1 : 0) - (atomic ? 1 : 0);
            nint = Math.max(nint, ptr ? 2 : 1);
            String[] intNames = {"x", "y", "z", "w"};
            for (int i = 0; i < nint && i < intNames.length; i++) {
                Loc l = new Loc(intNames[i], LocKind.INT);
                if (chance(0.08)) {
                    l.init = "1";
                }
                l.values.add(l.init);
                locs.add(l);
                ints.add(l);
            }
            if (atomic) {
                Loc a = new Loc("a", LocKind.ATOMIC);
                if (chance(0.2)) {
                    a.init = "1";
                }
                a.values.add(a.init);
                locs.add(a);
            }
            if (ptr) {
                Loc p = new Loc("p", LocKind.PTR);
                List<Loc> ts = new ArrayList<>(ints);
                java.util.Collections.shuffle(ts, r);
                p.targets.addAll(ts.subList(0, Math.min(ts.size(), 2 + r.nextInt(2))));
                p.init = p.targets.get(0).name;
                p.values.add(p.init);
                locs.add(p);
            }
            lock = o.locks() && chance(0.3);
            rcu = o.rcu() && chance(0.22);
            srcu = o.srcu() && chance(0.15);

            for (int i = 0; i < ncpu; i++) {
                Cpu c = new Cpu(i);
                c.budget = 1 + weighted(25, 35, 25, 10, 5);
                c.budget = Math.min(c.budget, o.maxAccesses());
                cpus.add(c);
            }
            // roles, so that every feature drawn has a counterpart on another CPU
            List<Cpu> order = new ArrayList<>(cpus);
            java.util.Collections.shuffle(order, r);
            if (ptr) {
                order.get(0).forced.add(Op.PTR_PUBLISH);
                order.get(1).forced.add(Op.PTR_READ);
            }
            if (rcu) {
                java.util.Collections.shuffle(order, r);
                order.get(0).forced.add(Op.RCU);
                order.get(1).forced.add(Op.SYNC_RCU);
            }
            if (srcu) {
                java.util.Collections.shuffle(order, r);
                order.get(0).forced.add(Op.SRCU);
                order.get(1).forced.add(Op.SYNC_SRCU);
            }
            if (lock) {
                java.util.Collections.shuffle(order, r);
                order.get(0).forced.add(Op.LOCK);
                if (chance(0.7)) {
                    order.get(1).forced.add(Op.LOCK);
                }
            }
            for (Cpu c : cpus) {
                List<Op> f = new ArrayList<>(c.forced);
                java.util.Collections.shuffle(f, r);
                c.forced.clear();
                c.forced.addAll(f);
                Ctx top = new Ctx(0, false, false, false);
                while (c.budget > 0 || !c.forced.isEmpty()) {
                    fence(c, top);
                    op(c, top, nextOp(c, top));
                }
            }
            return render();
        }

        Op nextOp(Cpu c, Ctx ctx) {
            while (!c.forced.isEmpty() && (c.budget <= c.forced.size() || chance(0.5))) {
                Op f = c.forced.poll();
                if (allowed(f, ctx)) {
                    return f;
                }
            }
            return randomOp(c, ctx);
        }

        boolean allowed(Op op, Ctx ctx) {
            return switch (op) {
                case LOCK -> !ctx.inLock();
                case RCU -> !ctx.inRcu();
                case SRCU -> !ctx.inSrcu() && ctx.depth() == 0;
                case SYNC_RCU -> !ctx.inRcu() && !ctx.inLock();
                case SYNC_SRCU -> !ctx.inSrcu() && !ctx.inLock();
                default -> true;
            };
        }

        Op randomOp(Cpu c, Ctx ctx) {
            boolean hasPtr = locs.stream().anyMatch(l -> l.kind == LocKind.PTR);
            boolean numericReg = c.regs.stream().anyMatch(Reg::numeric);
            double[] w = new double[Op.values().length];
            w[Op.LOAD.ordinal()] = 30;
            w[Op.STORE.ordinal()] = 30;
            w[Op.RMW.ordinal()] = o.rmw() ? 14 : 0;
            w[Op.LOCK.ordinal()] = lock && !ctx.inLock() && c.budget >= 1 ? 6 : 0;
            w[Op.IS_LOCKED.ordinal()] = lock ? 4 : 0;
            w[Op.RCU.ordinal()] = rcu && !ctx.inRcu() ? 5 : 0;
            w[Op.SRCU.ordinal()] = srcu && !ctx.inSrcu() && ctx.depth() == 0 ? 4 : 0;
            w[Op.PTR_READ.ordinal()] = hasPtr ? 10 : 0;
            w[Op.PTR_PUBLISH.ordinal()] = hasPtr ? 5 : 0;
            w[Op.BRANCH.ordinal()] = numericReg && ctx.depth() < 2 ? 14 : 0;
            return Op.values()[weighted(w)];
        }

        /** A fence before the next op, sometimes. */
        void fence(Cpu c, Ctx ctx) {
            if (c.lines.isEmpty() || !chance(0.3)) {
                return;
            }
            int k = weighted(4, 2, 2, 1.5, rcu && !ctx.inRcu() && !ctx.inLock() ? 1.5 : 0,
                    srcu && !ctx.inSrcu() && !ctx.inLock() ? 1.5 : 0);
            switch (k) {
                case 0 -> emit(c, ctx, "smp_mb();");
                case 1 -> emit(c, ctx, "smp_rmb();");
                case 2 -> emit(c, ctx, "smp_wmb();");
                case 3 -> emit(c, ctx, "barrier();");
                case 4 -> emit(c, ctx, "synchronize_rcu();");
                default -> {
                    c.uses.add("s");
                    emit(c, ctx, "synchronize_srcu(s);");
                }
            }
        }

        void emit(Cpu c, Ctx ctx, String line) {
            c.lines.add("\t".repeat(ctx.depth() + 1) + line);
        }

        String reg(Cpu c, String type, Set<String> values, boolean numeric) {
            String n = "r" + c.nextReg++;
            reads++;
            c.regs.add(new Reg(n, type, values, numeric, true));
            if (type != null) {
                c.decls.put(n, type + (type.endsWith("*") ? "" : " ") + n + ";");
            }
            return n;
        }

        Loc dataLoc(LocKind... kinds) {
            List<Loc> xs = locs.stream().filter(l -> List.of(kinds).contains(l.kind)).toList();
            return xs.isEmpty() ? null : pick(xs);
        }

        /** A value to store: a small constant, or (data dependency) a register read earlier. */
        String value(Cpu c, Loc l) {
            List<Reg> numeric = c.regs.stream().filter(Reg::numeric).toList();
            if (!numeric.isEmpty() && chance(0.25)) {
                Reg reg = pick(numeric);
                boolean plus = chance(0.6);
                for (String v : new ArrayList<>(reg.values())) {
                    l.values.add(plus ? add(v, 1) : v);
                }
                return plus ? reg.name() + " + 1" : reg.name();
            }
            String v = Integer.toString(1 + weighted(60, 30, 10));
            l.values.add(v);
            return v;
        }

        static String add(String v, int k) {
            try {
                return Long.toString(Long.parseLong(v) + k);
            } catch (NumberFormatException e) {
                return v + "+" + k;
            }
        }

        /** Emits the op; consumes budget (a section's inner ops included). */
        void op(Cpu c, Ctx ctx, Op op) {
            switch (op) {
                case LOAD -> load(c, ctx);
                case STORE -> store(c, ctx);
                case RMW -> rmw(c, ctx);
                case LOCK -> lockSection(c, ctx);
                case IS_LOCKED -> {
                    c.uses.add("l");
                    c.budget--;
                    String rg = reg(c, "int", new LinkedHashSet<>(List.of("0", "1")), true);
                    emit(c, ctx, rg + " = spin_is_locked(l);");
                }
                case RCU -> section(c, ctx, "rcu_read_lock();", "rcu_read_unlock();",
                        new Ctx(ctx.depth(), ctx.inLock(), true, ctx.inSrcu()));
                case SRCU -> {
                    c.uses.add("s");
                    String idx = "r" + c.nextReg++;
                    reads++;
                    c.regs.add(new Reg(idx, null, Set.of(), false, false));
                    section(c, ctx, "int " + idx + " = srcu_read_lock(s);", "srcu_read_unlock(s, " + idx + ");",
                            new Ctx(ctx.depth(), ctx.inLock(), ctx.inRcu(), true));
                }
                case SYNC_RCU -> emit(c, ctx, "synchronize_rcu();");
                case SYNC_SRCU -> {
                    c.uses.add("s");
                    emit(c, ctx, "synchronize_srcu(s);");
                }
                case PTR_READ -> pointerRead(c, ctx);
                case PTR_PUBLISH -> publish(c, ctx);
                case BRANCH -> branch(c, ctx);
                default -> throw new IllegalStateException(op.name());
            }
        }

        void load(Cpu c, Ctx ctx) {
            Loc l = dataLoc(LocKind.INT, LocKind.ATOMIC);
            c.budget--;
            c.uses.add(l.name);
            String rg = reg(c, "int", l.values, true);
            if (l.kind == LocKind.ATOMIC) {
                emit(c, ctx, rg + " = " + (chance(0.75) ? "atomic_read(a)" : "atomic_read_acquire(a)") + ";");
                return;
            }
            String e = switch (weighted(50, o.plain() ? 20 : 0, 25, 5)) {
                case 0 -> "READ_ONCE(*" + l.name + ")";
                case 1 -> "*" + l.name;
                case 2 -> "smp_load_acquire(" + l.name + ")";
                default -> "rcu_dereference(*" + l.name + ")";
            };
            emit(c, ctx, rg + " = " + e + ";");
        }

        void store(Cpu c, Ctx ctx) {
            Loc l = dataLoc(LocKind.INT, LocKind.ATOMIC);
            c.budget--;
            c.uses.add(l.name);
            String v = value(c, l);
            if (l.kind == LocKind.ATOMIC) {
                emit(c, ctx, (chance(0.75) ? "atomic_set(a, " : "atomic_set_release(a, ") + v + ");");
                return;
            }
            switch (weighted(45, o.plain() ? 20 : 0, 25, 10)) {
                case 0 -> emit(c, ctx, "WRITE_ONCE(*" + l.name + ", " + v + ");");
                case 1 -> emit(c, ctx, "*" + l.name + " = " + v + ";");
                case 2 -> emit(c, ctx, "smp_store_release(" + l.name + ", " + v + ");");
                default -> emit(c, ctx, "smp_store_mb(*" + l.name + ", " + v + ");");
            }
        }

        static final String[] ORDER = {"", "_relaxed", "_acquire", "_release"};

        void rmw(Cpu c, Ctx ctx) {
            Loc l = dataLoc(LocKind.INT, LocKind.ATOMIC);
            if (locs.stream().anyMatch(x -> x.kind == LocKind.ATOMIC) && chance(0.6)) {
                l = dataLoc(LocKind.ATOMIC);
            }
            c.budget--;
            c.uses.add(l.name);
            boolean before = chance(0.2);
            if (before) {
                emit(c, ctx, "smp_mb__before_atomic();");
            }
            boolean atomic = l.kind == LocKind.ATOMIC;
            String pre = atomic ? "atomic_" : "";
            String x = l.name;
            int k = atomic ? weighted(10, 12, 12, 12, 10, 10, 9, 14, 5) : weighted(12, 14, 0, 0, 0, 0, 0, 0, 0);
            Set<String> old = l.values;
            switch (k) {
                case 0 -> { // xchg
                    String v = value(c, l);
                    String rg = reg(c, "int", old, true);
                    emit(c, ctx, rg + " = " + pre + "xchg" + ORDER[r.nextInt(4)] + "(" + x + ", " + v + ");");
                }
                case 1 -> { // cmpxchg: the expected value may be one that is never there
                    List<String> vals = new ArrayList<>(l.values);
                    String expected = switch (weighted(60, 25, 15)) {
                        case 0 -> pick(vals);
                        case 1 -> l.init;
                        default -> "7";
                    };
                    String v = value(c, l);
                    String rg = reg(c, "int", old, true);
                    emit(c, ctx, rg + " = " + pre + "cmpxchg" + ORDER[r.nextInt(4)] + "(" + x + ", " + expected
                            + ", " + v + ");");
                }
                case 2 -> {
                    grow(l, 1);
                    reads++;
                    emit(c, ctx, "atomic_inc(a);");
                }
                case 3 -> {
                    grow(l, 2);
                    reads++;
                    emit(c, ctx, "atomic_add(2, a);");
                }
                case 4 -> {
                    String rg = reg(c, "int", old, true);
                    grow(l, 1);
                    emit(c, ctx, rg + " = atomic_fetch_add" + ORDER[r.nextInt(4)] + "(1, a);");
                }
                case 5 -> {
                    grow(l, 1);
                    String rg = reg(c, "int", plus(old, 1), true);
                    emit(c, ctx, rg + " = atomic_add_return" + ORDER[r.nextInt(4)] + "(1, a);");
                }
                case 6 -> {
                    grow(l, 1);
                    String rg = reg(c, "int", plus(old, 1), true);
                    emit(c, ctx, rg + " = atomic_inc_return(a);");
                }
                case 7 -> {
                    grow(l, -1);
                    String rg = reg(c, "int", new LinkedHashSet<>(List.of("0", "1")), true);
                    emit(c, ctx, rg + " = atomic_dec_and_test(a);");
                }
                default -> { // atomic_fetch_add with the ordering drawn, as above, but sub
                    grow(l, -1);
                    String rg = reg(c, "int", old, true);
                    emit(c, ctx, rg + " = atomic_fetch_sub" + ORDER[r.nextInt(4)] + "(1, a);");
                }
            }
            if (!before && chance(0.25)) {
                emit(c, ctx, "smp_mb__after_atomic();");
            }
        }

        static Set<String> plus(Set<String> vs, int k) {
            Set<String> out = new LinkedHashSet<>();
            for (String v : vs) {
                out.add(add(v, k));
            }
            return out;
        }

        void grow(Loc l, int k) {
            l.values.addAll(plus(new LinkedHashSet<>(l.values), k));
        }

        void section(Cpu c, Ctx ctx, String open, String close, Ctx inner) {
            emit(c, ctx, open);
            int n = 1 + (c.budget >= 3 && chance(0.5) ? 1 : 0);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    fence(c, inner);
                }
                op(c, inner, innerOp(c, inner));
            }
            emit(c, ctx, close);
        }

        /** An op inside a section or branch: no forced roles, and one access at a time. */
        Op innerOp(Cpu c, Ctx ctx) {
            for (Op f : c.forced) {
                if (allowed(f, ctx) && f != Op.LOCK && f != Op.RCU && f != Op.SRCU && chance(0.3)) {
                    c.forced.remove(f);
                    return f;
                }
            }
            Op op;
            do {
                op = randomOp(c, ctx);
            } while (op == Op.BRANCH && ctx.depth() > 0 || op == Op.SRCU);
            return op;
        }

        void lockSection(Cpu c, Ctx ctx) {
            c.uses.add("l");
            Ctx inner = new Ctx(ctx.depth(), true, ctx.inRcu(), ctx.inSrcu());
            if (chance(0.2)) {
                // spin_trylock: the critical section and its unlock only when it succeeded
                String rg = reg(c, "int", new LinkedHashSet<>(List.of("0", "1")), false);
                emit(c, ctx, rg + " = spin_trylock(l);");
                emit(c, ctx, "if (" + rg + ") {");
                Ctx body = inner.deeper();
                op(c, body, innerOp(c, body));
                emit(c, body, "spin_unlock(l);");
                emit(c, ctx, "}");
                return;
            }
            emit(c, ctx, "spin_lock(l);");
            int k = weighted(60, 15, c.unlocked ? 40 : 12);
            if (k == 1) {
                emit(c, ctx, "smp_mb__after_spinlock();");
            } else if (k == 2) {
                emit(c, ctx, "smp_mb__after_unlock_lock();");
            }
            int n = 1 + (c.budget >= 3 && chance(0.5) ? 1 : 0);
            for (int i = 0; i < n; i++) {
                op(c, inner, innerOp(c, inner));
            }
            emit(c, ctx, "spin_unlock(l);");
            c.unlocked = true;
        }

        Loc ptrLoc() {
            return dataLoc(LocKind.PTR);
        }

        void pointerRead(Cpu c, Ctx ctx) {
            Loc p = ptrLoc();
            c.uses.add(p.name);
            c.budget--;
            Set<String> addrs = p.values;
            String rp = reg(c, "int *", addrs, false);
            int k = weighted(45, ctx.inRcu() ? 60 : 25, 15);
            emit(c, ctx, rp + " = " + switch (k) {
                case 0 -> "READ_ONCE(*" + p.name + ")";
                case 1 -> "rcu_dereference(*" + p.name + ")";
                default -> "smp_load_acquire(" + p.name + ")";
            } + ";");
            if (!chance(0.85)) {
                return;
            }
            c.budget--;
            int f = weighted(40, o.plain() ? 12 : 0, 30, 18);
            switch (f) {
                case 0, 1 -> {
                    Set<String> vals = new LinkedHashSet<>();
                    p.targets.forEach(t -> vals.addAll(t.values));
                    String rv = reg(c, "int", vals, true);
                    emit(c, ctx, rv + " = " + (f == 0 ? "READ_ONCE(*" + rp + ")" : "*" + rp) + ";");
                }
                case 2 -> {
                    String v = Integer.toString(1 + weighted(70, 30));
                    p.targets.forEach(t -> t.values.add(v));
                    emit(c, ctx, "WRITE_ONCE(*" + rp + ", " + v + ");");
                }
                default -> {
                    String v;
                    if (chance(0.6)) {
                        // another location's address, as an integer register
                        Loc other = pick(ints);
                        c.uses.add(other.name);
                        v = "r" + c.nextReg++;
                        c.regs.add(new Reg(v, "intptr_t", Set.of(other.name), false, true));
                        c.decls.put(v, "intptr_t " + v + " = " + other.name + ";");
                        p.targets.forEach(t -> t.values.add(other.name));
                    } else {
                        v = Integer.toString(1 + weighted(70, 30));
                        String vv = v;
                        p.targets.forEach(t -> t.values.add(vv));
                    }
                    emit(c, ctx, "smp_store_release(" + rp + ", " + v + ");");
                }
            }
        }

        void publish(Cpu c, Ctx ctx) {
            Loc p = ptrLoc();
            c.uses.add(p.name);
            c.budget--;
            List<Loc> others = p.targets.subList(1, p.targets.size());
            Loc t = others.isEmpty() ? p.targets.get(0) : pick(others);
            c.uses.add(t.name);
            p.values.add(t.name);
            if (chance(0.4)) {
                // initialise the new target before publishing it
                String v = Integer.toString(1 + weighted(70, 30));
                t.values.add(v);
                emit(c, ctx, "WRITE_ONCE(*" + t.name + ", " + v + ");");
                c.budget--;
            }
            switch (weighted(35, 35, 30)) {
                case 0 -> emit(c, ctx, "WRITE_ONCE(*" + p.name + ", " + t.name + ");");
                case 1 -> emit(c, ctx, "rcu_assign_pointer(*" + p.name + ", " + t.name + ");");
                default -> emit(c, ctx, "smp_store_release(" + p.name + ", " + t.name + ");");
            }
            if (chance(0.4)) {
                // read the pointer back (store forwarding: rfi) and chase it (an address
                // dependency): PPOCA's shape, where LKMM must not let an internal read-from
                // carry ordering the hardware does not give
                String rp = reg(c, "int *", p.values, false);
                emit(c, ctx, rp + " = READ_ONCE(*" + p.name + ");");
                Set<String> vals = new LinkedHashSet<>();
                p.targets.forEach(x -> vals.addAll(x.values));
                String rv = reg(c, "int", vals, true);
                emit(c, ctx, rv + " = READ_ONCE(*" + rp + ");");
                c.budget -= 2;
            }
        }

        void branch(Cpu c, Ctx ctx) {
            List<Reg> numeric = c.regs.stream().filter(Reg::numeric).toList();
            Reg reg = pick(numeric);
            List<String> vals = new ArrayList<>(reg.values());
            vals.removeIf(v -> !v.matches("-?[0-9]+"));
            String v = vals.isEmpty() ? "1" : pick(vals);
            if (v.equals("0") && vals.size() > 1 && chance(0.7)) {
                v = pick(vals);
            }
            String cond = switch (weighted(60, 15, 25)) {
                case 0 -> reg.name() + " == " + v;
                case 1 -> reg.name() + " != " + v;
                default -> reg.name();
            };
            emit(c, ctx, "if (" + cond + ") {");
            Ctx inner = ctx.deeper();
            op(c, inner, innerOp(c, inner));
            if (chance(0.35)) {
                emit(c, ctx, "} else {");
                op(c, inner, innerOp(c, inner));
            }
            emit(c, ctx, "}");
        }

        // ---- text -----------------------------------------------------------------------------

        String render() {
            StringBuilder sb = new StringBuilder();
            sb.append("C ").append(name).append("\n\n");
            sb.append("(*\n * Generated by tlbrace's LitmusGenerator.\n *)\n\n");
            Set<String> used = new LinkedHashSet<>();
            cpus.forEach(c -> used.addAll(c.uses));
            List<Loc> present = new ArrayList<>();
            for (Loc l : locs) {
                boolean target = locs.stream().anyMatch(p -> p.kind == LocKind.PTR && used.contains(p.name)
                        && p.targets.contains(l));
                if (used.contains(l.name) || target) {
                    present.add(l);
                }
            }
            sb.append("{\n");
            for (Loc l : present) {
                if (l.kind == LocKind.PTR) {
                    sb.append(chance(0.5) ? "\tint *" + l.name + " = &" + l.init + ";\n" : "\t" + l.name + "=" + l.init
                            + ";\n");
                } else if (l.kind == LocKind.ATOMIC) {
                    sb.append("\tatomic_t ").append(l.name).append(" = ATOMIC_INIT(").append(l.init).append(");\n");
                } else if (!l.init.equals("0")) {
                    sb.append('\t').append(l.name).append('=').append(l.init).append(";\n");
                }
            }
            sb.append("}\n\n");
            for (Cpu c : cpus) {
                List<String> params = new ArrayList<>();
                for (Loc l : locs) {
                    if (c.uses.contains(l.name)) {
                        params.add(switch (l.kind) {
                            case INT -> "int *" + l.name;
                            case ATOMIC -> "atomic_t *" + l.name;
                            case PTR -> "int **" + l.name;
                        });
                    }
                }
                if (c.uses.contains("l")) {
                    params.add("spinlock_t *l");
                }
                if (c.uses.contains("s")) {
                    params.add("struct srcu_struct *s");
                }
                sb.append('P').append(c.index).append('(').append(String.join(", ", params)).append(")\n{\n");
                c.decls.values().forEach(d -> sb.append('\t').append(d).append('\n'));
                if (!c.decls.isEmpty()) {
                    sb.append('\n');
                }
                c.lines.forEach(line -> sb.append(line).append('\n'));
                sb.append("}\n\n");
            }
            List<String> refs = new ArrayList<>();
            for (Cpu c : cpus) {
                c.regs.forEach(reg -> refs.add(c.index + ":" + reg.name()));
            }
            present.forEach(l -> refs.add(l.name));
            if (used.contains("l")) {
                refs.add("l");
            }
            if (used.contains("s")) {
                refs.add("s");
            }
            sb.append("locations [").append(String.join("; ", refs)).append(";]\n");
            if (chance(0.1)) {
                sb.append("filter (").append(atom(present)).append(")\n");
            }
            int q = weighted(72, 14, 14);
            sb.append(q == 0 ? "exists" : q == 1 ? "~exists" : "forall").append(" (");
            int atoms = 1 + weighted(40, 40, 20);
            String join = chance(0.7) ? " /\\ " : " \\/ ";
            List<String> as = new ArrayList<>();
            for (int i = 0; i < atoms; i++) {
                String a = atom(present);
                if (!as.contains(a)) {
                    as.add(a);
                }
            }
            sb.append(String.join(join, as)).append(")\n");
            return sb.toString();
        }

        /** One atom over a register or a location, with a value it may well end up holding. */
        String atom(List<Loc> present) {
            List<String[]> regs = new ArrayList<>();
            for (Cpu c : cpus) {
                for (Reg reg : c.regs) {
                    if (reg.inCondition() && !reg.values().isEmpty()) {
                        regs.add(new String[] {c.index + ":" + reg.name(), reg.name()});
                    }
                }
            }
            String left;
            Set<String> values;
            if (regs.isEmpty() && present.isEmpty()) {
                return "true"; // nothing shared and nothing read: fences and grace periods alone
            }
            if (!regs.isEmpty() && (present.isEmpty() || chance(0.75))) {
                String[] pickd = pick(regs);
                left = pickd[0];
                int cpu = Integer.parseInt(left.substring(0, left.indexOf(':')));
                values = cpus.get(cpu).regs.stream().filter(x -> x.name().equals(pickd[1])).findFirst().orElseThrow()
                        .values();
            } else {
                Loc l = pick(present);
                left = l.name;
                values = l.values;
            }
            List<String> vs = new ArrayList<>(new TreeSet<>(values));
            vs.removeIf(v -> v.contains("+"));
            String v = vs.isEmpty() ? "0" : pick(vs);
            return left + (chance(0.15) ? "!=" : "=") + v;
        }
    }
}
