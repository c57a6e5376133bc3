package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.MemoryModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Systematic exploration of a program's interleavings at its trace points (a {@link Program}:
 * a scenario's variant), by iterative preemption bounding (as CHESS does): every schedule with
 * 0 preemptions, then 1, then 2 ..., each bound depth-first from the non-preemptive schedule.
 * The first bound with a violation is explored to the end and its shortest bad schedule is the
 * counterexample: fewest preemptions, then fewest steps. Stateless: every schedule re-runs the
 * program from a fresh world, so the result depends only on the program and the bounds.
 *
 * <p>A preemption is a switch away from a role that could still run; switching away from a
 * role that is done or blocked (spinning with nobody else moving) is free. No partial-order
 * reduction: every interleaving of trace points within the bound is run.
 */
public final class Explorer {
    private final Program program;
    private final int maxPreemptions;
    private final int maxSteps;
    private final MemoryModel model;
    private final java.util.function.Predicate<OrderingPoint> weakened;
    private final java.util.Set<OrderingPoint> orderingPoints = new java.util.LinkedHashSet<>();
    /** lkmm: the model's answers for this search, by choice prefix (every execution replays prefixes). */
    private final java.util.Map<GraphMemory.CheckKey, Boolean> checks = new java.util.concurrent.ConcurrentHashMap<>();

    /** What an exploration found; {@code decisions} are the counterexample's scheduling points. */
    public record Result(Execution counterexample, List<Decision> decisions, int preemptions, int boundReached, long schedules,
                         long stepBoundHits, long deadlocks, long errors, long millis, long pruned, boolean bounded,
                         boolean truncated, long blocked, boolean timedOut) {
        public Result(Execution counterexample, List<Decision> decisions, int preemptions, int boundReached, long schedules,
                      long stepBoundHits, long deadlocks, long errors, long millis) {
            this(counterexample, decisions, preemptions, boundReached, schedules, stepBoundHits, deadlocks, errors, millis,
                    0, true, false, 0, false);
        }

        public Result(Execution counterexample, List<Decision> decisions, int preemptions, int boundReached, long schedules,
                      long stepBoundHits, long deadlocks, long errors, long millis, long pruned, boolean bounded,
                      boolean truncated, long blocked) {
            this(counterexample, decisions, preemptions, boundReached, schedules, stepBoundHits, deadlocks, errors, millis,
                    pruned, bounded, truncated, blocked, false);
        }

        public boolean violated() {
            return counterexample != null;
        }

        /**
         * No schedule (within the bound, if {@link #bounded}) was cut short by the step bound or
         * an error, and the search was not stopped by its execution limit.
         */
        public boolean exhaustive() {
            return stepBoundHits == 0 && errors == 0 && !truncated;
        }
    }

    /** {@code maxPreemptions} for an unbounded, exhaustive search ({@link #explore}). */
    public static final int UNBOUNDED = -1;

    /** Sequentially consistent exploration. */
    public Explorer(Program program, int maxPreemptions, int maxSteps) {
        this(program, maxPreemptions, maxSteps, MemoryModel.SC, null);
    }

    /**
     * @param maxPreemptions the bound on preemptions plus stale reads per schedule, or
     *                       {@link #UNBOUNDED} for the reduced exhaustive search
     * @param weakened       ordering points to weaken (see {@link SimMemory}), or null
     */
    public Explorer(Program program, int maxPreemptions, int maxSteps, MemoryModel model,
                    java.util.function.Predicate<OrderingPoint> weakened) {
        this.program = program;
        this.maxPreemptions = maxPreemptions;
        this.maxSteps = maxSteps;
        this.model = model;
        this.weakened = weakened;
    }

    /**
     * Runs one schedule: {@code prefix} (decisions as in {@link Execution#choices()}) exactly,
     * then the default: no preemption, every load reads the latest store.
     */
    public Execution runOnce(List<Integer> prefix, List<Decision> decisions) {
        return runOnce(prefix, decisions, true);
    }

    private Execution runOnce(List<Integer> prefix, List<Decision> decisions, boolean record) {
        ControlledScheduler sched = new ControlledScheduler(maxSteps).record(record);
        Chooser chooser = d -> {
            int i = decisions.size();
            decisions.add(d);
            if (i < prefix.size()) {
                int c = prefix.get(i);
                return d.isRead() ? -1 - c : c;
            }
            if (d.isRead()) {
                return 0;
            }
            return d.enabled().contains(d.last()) ? d.last() : d.enabled().get(0);
        };
        SimMemory mem = new SimMemory(sched, model, weakened, checks, naive, mutant);
        if (labels != null) {
            mem.label(labels);
        }
        Execution e = sched.run(program.newRun(mem), chooser);
        orderingPoints.addAll(mem.orderingPoints());
        return e;
    }

    private PointLabels labels;
    private final ThreadLocal<SimMemory> lastMemory = new ThreadLocal<>();

    /**
     * One pass ({@link Fences}): every ordering point {@link PointLabels#inOnePass} is labelled on
     * its events, and the search asks the model with all of them weakened. Its answers, cached by
     * graph in {@link #checks}, are all under that one configuration.
     */
    Explorer labelled(PointLabels l) {
        this.labels = l;
        return this;
    }

    /**
     * The reduced exhaustive search, every execution it keeps handed to {@code each} (on the job
     * that ran it, side by side with the others) until it returns true; {@link #lastMemory} is the
     * memory of the execution {@code each} is given.
     */
    Reduced exhaustAll(java.util.function.Predicate<Execution> each) {
        started = System.nanoTime();
        return reduced(each, new int[1], plan -> i -> true, new ArrayList<>());
    }

    /** In {@link #exhaustAll}'s {@code each}: the memory of the execution it was given. */
    SimMemory lastMemory() {
        return lastMemory.get();
    }

    /** Every ordering point the executions run so far passed, in first-passed order. */
    public java.util.Set<OrderingPoint> orderingPoints() {
        return orderingPoints;
    }

    /** Counts of one exhaustive search at the full bound ({@link #exploreAll}). */
    public record Sweep(long schedules, long stepBoundHits, long deadlocks, long errors, long millis) {
        public boolean exhaustive() {
            return stepBoundHits == 0 && errors == 0;
        }
    }

    /**
     * Every schedule within the bound, each handed to {@code each} whatever its status; no
     * early stop. What litmus needs to report every final state, not only the first bad one.
     */
    public Sweep exploreAll(java.util.function.Consumer<Execution> each) {
        long start = System.nanoTime();
        Counts c = new Counts();
        search(maxPreemptions, c, true, (e, d) -> each.accept(e));
        return new Sweep(c.schedules, c.stepBound, c.deadlocks, c.errors, millis(start));
    }

    /**
     * With a preemption bound: iterative preemption bounding, shortest counterexample first.
     * Unbounded: the reduced exhaustive search ({@link Dpor}), stopping at the first violation,
     * whose cost (preemptions plus stale reads) then bounds a preemption-bounded search for
     * the shortest: fewest preemptions, then fewest steps, as with a bound.
     */
    public Result explore() {
        if (maxPreemptions == UNBOUNDED) {
            return exhaust();
        }
        return bounded(0, maxPreemptions);
    }

    private long maxExecutions = Long.MAX_VALUE;
    private long timeLimitMillis;
    private volatile Dpor.Limits limits;
    private boolean naive;

    /**
     * For the reduction's self-check: under {@code lkmm}, a bounded search whose memory offers
     * every store and every coherence position and asks the model only about complete graphs
     * ({@link SimMemory}), so what the exhaustive search's shortcuts drop shows.
     */
    public Explorer naive() {
        this.naive = true;
        return this;
    }

    private SimMemory.Mutant mutant = SimMemory.Mutant.NONE;

    /** The self-check's broken engine ({@link SimMemory.Mutant}): tests only. */
    Explorer mutant(SimMemory.Mutant m) {
        this.mutant = m;
        return this;
    }

    /**
     * The unbounded search's limit: past it, the result is NOT exhaustive ({@link Result#truncated}).
     * None unless asked for: an exhaustive search the user did not bound runs to the end.
     */
    public Explorer maxExecutions(long n) {
        this.maxExecutions = n;
        return this;
    }

    /**
     * The unbounded search's wall-clock limit in milliseconds (0: none, the default): past it
     * the search stops, NOT exhaustive, {@link Result#timedOut}. Which executions ran by then
     * depends on the machine; the verdict says so.
     */
    public Explorer timeLimit(long millis) {
        this.timeLimitMillis = millis;
        return this;
    }

    /**
     * A running search's progress, for a progress line: executions so far, the estimated share
     * of the tree done (-1: no estimate), and the parts done of those made so far. No share is
     * estimated: the one tried (each part's share 1/b of what is left at its node, as a tree
     * walk's progress bar estimates it) said 100% at 13% of the executions of
     * apic/retry-in-progress, whose parts differ in size by orders of magnitude under sleep sets.
     */
    public record Progress(long executions, double done, long partsDone, long partsKnown) {
        public Progress(long executions, double done) {
            this(executions, done, 0, 0);
        }
    }

    /** The exhaustive search's progress now; {@code (0, -1)} before it starts. */
    public Progress progress() {
        Dpor.Limits l = limits;
        return new Progress(l == null ? 0 : l.executions.sum(), -1, tasksDone.get(), tasksKnown.get());
    }

    private Result exhaust() {
        long start = System.nanoTime();
        started = start;
        Result quick = bounded(0, 1); // most known bugs take one preemption: found in a few hundred schedules
        if (quick.violated()) {
            return quickResult(quick, start);
        }
        return combine(quick, parts(plan -> i -> true), start);
    }

    private static Result quickResult(Result quick, long start) {
        return new Result(quick.counterexample(), quick.decisions(), quick.preemptions(), quick.boundReached(),
                quick.schedules(), quick.stepBoundHits(), quick.deadlocks(), quick.errors(), millis(start), 0, false,
                false, 0);
    }

    /**
     * One task's search: the plan ({@code subtree} 0), a top-level part, or a part one of them
     * handed off ({@code task}: the top-level part, then each hand-off's index); its counts, and
     * the choices of the execution it stopped at (a violation), or null. The same for any jobs
     * and any sharding.
     */
    public record Part(int subtree, long executions, long pruned, long blocked, long stepBoundHits, long deadlocks,
                       long errors, boolean truncated, List<Integer> stop, boolean timedOut, List<Integer> task) { }

    /**
     * What {@code explore --shard I/N} saves: the top-level parts ({@code subtrees} in all, the
     * plan included) that the deal gave shard I, each searched with the parts it handed off;
     * {@link #merge} combines all N.
     */
    public record Shard(int index, int count, int subtrees, List<Part> parts) { }

    /** Searches this machine's share of the exhaustive search, for {@link #merge}. */
    public Shard shard(int index, int count) {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": need 1 <= I <= N");
        }
        List<Part> parts = parts(plan -> deal(plan, count).get(index - 1));
        return new Shard(index, count, lastSplit, parts);
    }

    /**
     * The exhaustive search's result from every shard's parts: the same counts and the same
     * counterexample as one {@link #explore} (the quick hunt every run starts with is run here).
     */
    public Result merge(List<Shard> shards) {
        long start = System.nanoTime();
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to merge");
        }
        int n = shards.get(0).count();
        int subtrees = shards.get(0).subtrees();
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        List<Part> all = new ArrayList<>();
        for (Shard sh : shards) {
            if (sh.count() != n || sh.subtrees() != subtrees) {
                throw new IllegalArgumentException("shards of different splits: " + sh.index() + "/" + sh.count() + " of "
                        + sh.subtrees() + " subtrees beside 1/" + n + " of " + subtrees);
            }
            if (!seen.add(sh.index())) {
                throw new IllegalArgumentException("shard " + sh.index() + "/" + n + " given twice");
            }
            all.addAll(sh.parts());
        }
        if (seen.size() != n) {
            java.util.List<Integer> missing = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                if (!seen.contains(i)) {
                    missing.add(i);
                }
            }
            throw new IllegalArgumentException("missing shard(s) " + missing + " of " + n);
        }
        java.util.Map<Integer, Integer> shardOf = new java.util.HashMap<>();
        for (Shard sh : shards) {
            for (Part p : sh.parts()) {
                Integer was = shardOf.putIfAbsent(p.subtree(), sh.index());
                if (was != null && was != sh.index()) {
                    throw new IllegalArgumentException("subtree " + p.subtree() + " is in shard " + was + " and shard "
                            + sh.index());
                }
            }
        }
        for (int i = 0; i < subtrees; i++) {
            if (!shardOf.containsKey(i)) {
                throw new IllegalArgumentException("the shards do not hold subtree " + i + " of " + subtrees);
            }
        }
        if (shardOf.size() != subtrees) {
            throw new IllegalArgumentException("the shards hold " + shardOf.size() + " subtrees, the split made " + subtrees);
        }
        all.sort((x, y) -> BY_ID.compare(idOf(x), idOf(y)));
        Result quick = bounded(0, 1);
        if (quick.violated()) {
            return quickResult(quick, start);
        }
        return combine(quick, all, start);
    }

    private Result combine(Result quick, List<Part> parts, long start) {
        long executions = 0;
        long pruned = 0;
        long blocked = 0;
        long stepBound = 0;
        long deadlocks = 0;
        long errors = 0;
        boolean truncated = false;
        boolean timedOut = false;
        Part first = null;
        for (Part p : parts) {
            executions += p.executions();
            pruned += p.pruned();
            blocked += p.blocked();
            stepBound += p.stepBoundHits();
            deadlocks += p.deadlocks();
            errors += p.errors();
            truncated |= p.truncated();
            timedOut |= p.timedOut();
            if (p.stop() != null && (first == null || BY_ID.compare(idOf(p), idOf(first)) < 0)) {
                first = p; // each task stops at its first: the lowest one's is the same for any jobs
            }
        }
        if (first != null) {
            List<Decision> decisions = new ArrayList<>();
            Execution bad = runOnce(first.stop(), decisions);
            int cost = (int) (bad.preemptions() + bad.staleReads());
            // bounds 0 and 1 held none: the quick hunt ran them. A deeper one, shortest first, up
            // to SHORTEST_BOUND: past it the bounded search outgrows the exhaustive one (a weak-memory
            // counterexample can take a dozen stale reads), and the reduced search's own is shown
            Result r = bounded(2, Math.min(cost, SHORTEST_BOUND));
            if (r.violated()) {
                return new Result(r.counterexample(), r.decisions(), r.preemptions(), r.boundReached(),
                        quick.schedules() + executions + r.schedules(), stepBound, deadlocks, errors, millis(start), pruned,
                        false, false, blocked);
            }
            return new Result(bad, decisions, (int) bad.preemptions(), cost, executions, stepBound, deadlocks, errors,
                    millis(start), pruned, false, false, blocked);
        }
        return new Result(null, List.of(), -1, -1, executions, stepBound, deadlocks, errors, millis(start), pruned, false,
                truncated, blocked, timedOut);
    }

    private static List<Integer> idOf(Part p) {
        return p.task() != null ? p.task() : List.of(p.subtree());
    }

    /** The deepest bound {@link #combine} searches for a shorter counterexample than the reduced search's. */
    static final int SHORTEST_BOUND = 3;

    private volatile int lastSplit;

    /** The reduced search over the top-level parts {@code take} accepts, each task stopping at its first violation. */
    private List<Part> parts(java.util.function.Function<Plan, java.util.function.IntPredicate> take) {
        List<Part> out = new ArrayList<>();
        reduced(e -> e.bad() || e.status() == Execution.Status.DEADLOCK, new int[1], take, out);
        return out;
    }

    /** Counts of one run of the reduced search ({@link #reduced}). */
    public record Reduced(long executions, long pruned, boolean stoppedEarly, boolean truncated, long stepBoundHits,
                          long deadlocks, long errors, long millis, long blocked) {
        public boolean exhaustive() {
            return !stoppedEarly && !truncated && stepBoundHits == 0 && errors == 0;
        }
    }

    /**
     * The reduced search alone ({@link Dpor}), every execution it keeps handed to
     * {@code each} until it returns true. What the reduction's self-check compares against the
     * unreduced search.
     */
    public Reduced reduced(java.util.function.Predicate<Execution> each) {
        Object lock = new Object();
        return reduced(e -> {
            synchronized (lock) {
                return each.test(e);
            }
        }, new int[1], plan -> i -> true, new ArrayList<>());
    }

    /**
     * Executions the plan runs in each part to estimate its size ({@link #plan}). With 48 the
     * estimates were off by up to 10x where a part holds long wait loops, and four shards of the
     * two largest lkmm proofs got 1.72x and 2.32x their mean; with 200 (and parts split down to
     * 1/{@link #BIG}) 1.16x and 1.28x, for +2.5% executions (README "Proofs at scale").
     */
    static final long PROBE = 200;

    /**
     * Which top-level parts each of {@code count} shards takes: subtree 0 (what the plan
     * searched) the first; the others by the size the plan estimated, largest first, each to the
     * shard with the least so far (LPT). Every shard computes the same deal.
     */
    private List<java.util.function.IntPredicate> deal(Plan plan, int count) {
        List<Dpor.Subtree> pending = plan.pending();
        double[] size = new double[pending.size()];
        for (int i = 0; i < size.length; i++) {
            size[i] = plan.size().get(i);
        }
        Integer[] order = new Integer[pending.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> size[x] != size[y] ? Double.compare(size[y], size[x]) : Integer.compare(x, y));
        double[] load = new double[count];
        load[0] = plan.done().stream().mapToLong(Part::executions).sum(); // shard 1 has what the plan searched
        int[] owner = new int[pending.size() + 1];
        owner[0] = 0;
        for (int i : order) {
            int best = 0;
            for (int k = 1; k < count; k++) {
                if (load[k] < load[best]) {
                    best = k;
                }
            }
            owner[i + 1] = best;
            load[best] += size[i];
        }
        lastDeal = load;
        List<java.util.function.IntPredicate> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int shard = k;
            out.add(i -> owner[i] == shard);
        }
        return out;
    }

    /** The last deal's estimated executions per shard (for tests and the shard's summary line). */
    volatile double[] lastDeal;

    /**
     * The plan: the whole tree's first {@link #PLAN} executions, the rest given away ({@link
     * Dpor#closeAll}); then, for up to {@link #ROUNDS} rounds, each part's first {@link #PROBE}
     * executions: a part that finishes is done; one whose estimated size (those executions over
     * the share of its tree they covered, {@link Dpor#doneFraction}) is over 1/{@link #BIG} of
     * the whole is given away in turn, deeper; the others are left whole (their probe is run
     * again by whoever takes them). What is left are the top-level parts, each with its
     * estimated size, for the shards' deal. Deterministic and the same for any jobs and shards
     * (the probes of a round run side by side on the jobs); the parts done here are all
     * credited to shard 1, as subtree 0.
     */
    private record Plan(List<Part> done, List<Dpor.Subtree> pending, List<Double> size) { }

    private Plan plan(java.util.function.Predicate<Execution> each, Dpor.Limits l) {
        List<Part> done = new ArrayList<>();
        Probe root = probe(new Dpor.Subtree(List.of(), java.util.Map.of()), each, l, plan, List.of(0));
        done.add(root.part);
        if (!root.dpor.paused || root.part.stop() != null) {
            return new Plan(done, List.of(), List.of());
        }
        List<Dpor.Subtree> open = root.dpor.closeAll();
        List<Dpor.Subtree> pending = new ArrayList<>();
        List<Double> size = new ArrayList<>();
        for (int round = 0; !open.isEmpty(); round++) {
            List<Probe> probes = probeAll(open, each, l, round);
            double total = done.stream().mapToLong(Part::executions).sum() + size.stream().mapToDouble(x -> x).sum();
            for (Probe p : probes) {
                total += p.size;
            }
            List<Dpor.Subtree> next = new ArrayList<>();
            for (int i = 0; i < probes.size(); i++) {
                Probe p = probes.get(i);
                if (!p.dpor.paused || p.part.stop() != null) {
                    done.add(p.part); // finished (or stopped at a violation) within its probe
                } else if (round < ROUNDS && p.size > total / BIG) {
                    done.add(p.part);
                    next.addAll(p.dpor.closeAll()); // big: split deeper
                } else {
                    pending.add(open.get(i)); // left whole: its probe is not counted, its taker runs it again
                    size.add(p.size);
                }
            }
            open = next;
        }
        return new Plan(done, pending, size);
    }

    private static final class Probe {
        Dpor dpor;
        Part part;
        double size;
    }

    private List<Probe> probeAll(List<Dpor.Subtree> open, java.util.function.Predicate<Execution> each, Dpor.Limits l,
                                 int round) {
        Probe[] out = new Probe[open.size()];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Throwable[] failure = new Throwable[1];
        runWorkers(() -> {
            for (int i = next.getAndIncrement(); i < open.size(); i = next.getAndIncrement()) {
                try {
                    out[i] = probe(open.get(i), each, l, probe, List.of(0, round + 1, i));
                } catch (RuntimeException | Error e) {
                    synchronized (out) {
                        failure[0] = e;
                    }
                    return;
                }
            }
        });
        if (failure[0] instanceof RuntimeException re) {
            throw re;
        } else if (failure[0] instanceof Error er) {
            throw er;
        }
        return List.of(out);
    }

    private Probe probe(Dpor.Subtree s, java.util.function.Predicate<Execution> each, Dpor.Limits l, long executions,
                        List<Integer> id) {
        Dpor d = new Dpor(this::runWith, s, l).pauseAfter(executions);
        Counts c = new Counts();
        Execution[] last = new Execution[1];
        boolean stopped = d.run(e -> {
            c.count(e);
            last[0] = e;
            return each.test(e);
        });
        Probe p = new Probe();
        p.dpor = d;
        p.part = new Part(0, d.executions, d.pruned, d.blocked, c.stepBound, c.deadlocks, c.errors, d.truncated,
                stopped ? last[0].choices() : null, d.truncated && l.timedOut.get(), id);
        p.size = d.paused ? executions / Math.max(1e-3, 1 - d.remaining()) : d.executions;
        return p;
    }

    /** Rounds of {@link #plan} that split a big part deeper. */
    static final int ROUNDS = 8;
    /** A part estimated at over 1/BIG of the whole tree is split deeper ({@link #plan}). */
    static final int BIG = 96;

    /** One piece of work: a subtree, named by where it came from (its top-level part, then each hand-off's index). */
    private record Task(List<Integer> id, Dpor.Subtree subtree) { }

    /** Lists of integers in lexicographic order, a prefix first: task ids, and schedules' choices ({@link OnePass}). */
    static final java.util.Comparator<List<Integer>> BY_ID = (x, y) -> {
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            int c = Integer.compare(x.get(i), y.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    };

    /**
     * The reduced search, split as it goes ({@link Dpor#handOff}): the plan ({@link #plan}), then
     * its top-level parts that {@code take} accepts, on {@link #jobs} workers sharing one queue.
     * A worker that runs out of work takes the next subtree another gave away; every subtree
     * gives away its shallowest unstarted alternatives every {@link #HAND_OFF} executions of its
     * own. When that happens depends on nothing but the subtree, so the subtrees, what each
     * finds and every count are the same for any jobs and shards. {@code firstStop[0]}: 1 if some
     * task stopped early, else -1.
     */
    private Reduced reduced(java.util.function.Predicate<Execution> each, int[] firstStop,
                            java.util.function.Function<Plan, java.util.function.IntPredicate> takeOf, List<Part> partsOut) {
        long start = System.nanoTime();
        Dpor.Limits budget = newLimits();
        Plan plan = plan(each, budget);
        java.util.function.IntPredicate take = takeOf.apply(plan);
        lastSplit = plan.pending().size() + 1;
        List<Part> done = java.util.Collections.synchronizedList(new ArrayList<>());
        if (take.test(0)) {
            done.addAll(plan.done());
        }
        java.util.ArrayDeque<Task> queue = new java.util.ArrayDeque<>();
        for (int i = 0; i < plan.pending().size(); i++) {
            if (take.test(i + 1)) {
                queue.add(new Task(List.of(i + 1), plan.pending().get(i)));
            }
        }
        tasksKnown.addAndGet(queue.size());
        tasksDone.set(take.test(0) ? 1 : 0);
        tasksKnown.addAndGet(take.test(0) ? 1 : 0);
        Object lock = new Object();
        int[] active = new int[1];
        Throwable[] failure = new Throwable[1];
        workerStats.clear();
        Runnable worker = () -> {
            long own = 0;
            long idle = 0;
            int tasks = 0;
            for (;;) {
                Task t;
                synchronized (lock) {
                    long waitFrom = System.nanoTime();
                    while (queue.isEmpty() && active[0] > 0 && failure[0] == null) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    idle += System.nanoTime() - waitFrom;
                    if (queue.isEmpty() || failure[0] != null) {
                        lock.notifyAll();
                        workerStats.add(new Worker(tasks, own, idle / 1_000_000));
                        return;
                    }
                    t = queue.pollFirst();
                    active[0]++;
                }
                tasks++;
                try {
                    Part part = runTask(t, each, budget, child -> {
                        synchronized (lock) {
                            queue.addLast(child);
                            lock.notifyAll();
                        }
                    });
                    own += part.executions();
                    done.add(part);
                } catch (RuntimeException | Error e) {
                    synchronized (lock) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                } finally {
                    synchronized (lock) {
                        active[0]--;
                        tasksDone.incrementAndGet();
                        lock.notifyAll();
                    }
                }
            }
        };
        runWorkers(worker);
        if (failure[0] instanceof RuntimeException re) {
            throw re;
        } else if (failure[0] instanceof Error er) {
            throw er;
        }
        List<Part> parts = new ArrayList<>(done);
        parts.sort((x, y) -> BY_ID.compare(x.task(), y.task()));
        partsOut.addAll(parts);
        long executions = 0;
        long pruned = 0;
        long blocked = 0;
        boolean truncated = false;
        Counts c = new Counts();
        firstStop[0] = -1;
        for (Part p : parts) {
            executions += p.executions();
            pruned += p.pruned();
            blocked += p.blocked();
            truncated |= p.truncated();
            c.stepBound += p.stepBoundHits();
            c.deadlocks += p.deadlocks();
            c.errors += p.errors();
            if (p.stop() != null && firstStop[0] < 0) {
                firstStop[0] = 1;
            }
        }
        return new Reduced(executions, pruned, firstStop[0] >= 0, truncated, c.stepBound, c.deadlocks, c.errors,
                millis(start), blocked);
    }

    /** What one worker of the last search did: tasks taken, executions run, milliseconds waiting for work. */
    public record Worker(int tasks, long executions, long idleMillis) { }

    private final List<Worker> workerStats = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Each worker of the last exhaustive search: how the work divided. */
    public List<Worker> workers() {
        synchronized (workerStats) {
            return List.copyOf(workerStats);
        }
    }

    private final java.util.concurrent.atomic.AtomicLong tasksDone = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong tasksKnown = new java.util.concurrent.atomic.AtomicLong();

    /** One task: its subtree searched, handing off as it goes, until done or its first violation. */
    private Part runTask(Task t, java.util.function.Predicate<Execution> each, Dpor.Limits budget,
                         java.util.function.Consumer<Task> spawn) {
        int[] next = new int[1];
        Dpor d = new Dpor(this::runWith, t.subtree(), budget).handOff(handOff, sub -> {
            List<Integer> id = new ArrayList<>(t.id());
            id.add(next[0]++);
            tasksKnown.incrementAndGet();
            spawn.accept(new Task(List.copyOf(id), sub));
        });
        Counts c = new Counts();
        Execution[] last = new Execution[1];
        boolean stopped = d.run(e -> {
            c.count(e);
            last[0] = e;
            return each.test(e);
        });
        return new Part(t.id().get(0), d.executions, d.pruned, d.blocked, c.stepBound, c.deadlocks, c.errors, d.truncated,
                stopped ? last[0].choices() : null, d.truncated && budget.timedOut.get(), t.id());
    }

    /** Executions of the whole tree before it is split into top-level parts ({@link #plan}). */
    static final long PLAN = 256;
    /** A subtree's own executions between two hand-offs ({@link Dpor#handOff}). */
    static final long HAND_OFF = 1_000;
    private long plan = PLAN;
    private long handOff = HAND_OFF;
    private long probe = PROBE;

    /**
     * Tests only: split after {@code plan} executions and hand off every {@code handOff}, so
     * that small trees are cut into many parts (the self-check runs the search this way). The
     * counts depend on these, as on the program; never on the jobs or the shards.
     */
    Explorer splitting(long plan, long handOff) {
        this.plan = plan;
        this.handOff = handOff;
        this.probe = handOff;
        return this;
    }

    private Dpor.Limits newLimits() {
        long deadline = timeLimitMillis <= 0 ? Long.MAX_VALUE : started + timeLimitMillis * 1_000_000L;
        Dpor.Limits l = new Dpor.Limits(maxExecutions, deadline);
        limits = l;
        return l;
    }

    /** When this search began ({@link System#nanoTime()}): the time limit counts from here, the quick hunt included. */
    private long started = System.nanoTime();

    private int jobs = 1;

    /** Threads for the reduced search; results do not depend on it. */
    public Explorer jobs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("jobs must be positive, got " + n);
        }
        this.jobs = n;
        return this;
    }

    private void runWorkers(Runnable worker) {
        if (jobs == 1) {
            worker.run();
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            Thread t = new Thread(worker, "tlbrace-explore-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** One execution whose chooser is made from its scheduler (what {@link Dpor} needs). */
    private Execution runWith(java.util.function.Function<ControlledScheduler, Chooser> chooser) {
        ControlledScheduler sched = new ControlledScheduler(maxSteps).record(false);
        SimMemory mem = new SimMemory(sched, model, weakened, checks, naive, mutant);
        if (labels != null) {
            mem.label(labels);
            lastMemory.set(mem);
        }
        Execution e = sched.run(program.newRun(mem), chooser.apply(sched));
        synchronized (orderingPoints) { // jobs run executions side by side
            orderingPoints.addAll(mem.orderingPoints());
        }
        return e;
    }

    /** Iterative preemption bounding over the bounds {@code from..to}, shortest counterexample first. */
    private Result bounded(int from, int to) {
        long start = System.nanoTime();
        Counts c = new Counts();
        for (int bound = from; bound <= to; bound++) {
            Execution[] best = new Execution[1];
            List<List<Decision>> bestDecisions = new ArrayList<>(List.of(List.of()));
            search(bound, c, false, (e, decisions) -> {
                boolean bad = e.bad() || e.status() == Execution.Status.DEADLOCK;
                if (bad && (best[0] == null || e.steps().size() < best[0].steps().size())) {
                    best[0] = e;
                    bestDecisions.set(0, decisions);
                }
            });
            if (best[0] != null) {
                List<Decision> decisions = new ArrayList<>();
                Execution shown = runOnce(best[0].choices(), decisions); // again, recorded for the timeline
                return new Result(shown, decisions, bound, bound, c.schedules, c.stepBound, c.deadlocks,
                        c.errors, millis(start));
            }
        }
        return new Result(null, List.of(), -1, to, c.schedules, c.stepBound, c.deadlocks, c.errors,
                millis(start));
    }

    /** Schedules run and how they ended. */
    private static final class Counts {
        long schedules;
        long stepBound;
        long deadlocks;
        long errors;

        void count(Execution e) {
            schedules++;
            switch (e.status()) {
                case STEP_BOUND -> stepBound++;
                case DEADLOCK -> deadlocks++;
                case ERROR -> errors++;
                default -> { }
            }
        }
    }

    /** Depth-first over every schedule of cost at most {@code bound}, each handed to {@code each}. */
    private void search(int bound, Counts c, boolean record,
                        java.util.function.BiConsumer<Execution, List<Decision>> each) {
        Deque<List<Integer>> stack = new ArrayDeque<>();
        stack.push(List.of());
        while (!stack.isEmpty()) {
            List<Integer> prefix = stack.pop();
            List<Decision> decisions = new ArrayList<>();
            Execution e = runOnce(prefix, decisions, record);
            c.count(e);
            each.accept(e, decisions);
            pushChildren(stack, prefix.size(), decisions, e.choices(), bound);
        }
    }

    /**
     * Every alternative at a decision past the prefix, within the bound: preemptions plus stale
     * reads. Decisions and choices are aligned ({@link Execution#choices()} encoding).
     */
    private static void pushChildren(Deque<List<Integer>> stack, int from, List<Decision> decisions,
                                     List<Integer> choices, int bound) {
        int[] costBefore = new int[decisions.size() + 1];
        for (int i = 0; i < decisions.size(); i++) {
            costBefore[i + 1] = costBefore[i] + decisions.get(i).cost(decode(decisions.get(i), choices.get(i)));
        }
        for (int i = from; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            int chosen = decode(d, choices.get(i));
            List<Integer> alts = new ArrayList<>();
            if (d.isRead()) {
                for (int k = 0; k < d.options(); k++) {
                    alts.add(k);
                }
            } else {
                alts.addAll(d.enabled());
            }
            for (int k = alts.size() - 1; k >= 0; k--) {
                int alt = alts.get(k);
                if (alt == chosen) {
                    continue;
                }
                if (costBefore[i] + d.cost(alt) <= bound) {
                    List<Integer> child = new ArrayList<>(choices.subList(0, i));
                    child.add(d.isRead() ? -1 - alt : alt);
                    stack.push(child);
                }
            }
        }
    }

    private static int decode(Decision d, int encoded) {
        return d.isRead() ? -1 - encoded : encoded;
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
