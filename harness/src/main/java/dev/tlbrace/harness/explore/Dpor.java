package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Exhaustive, unbounded exploration with source-set dynamic partial-order reduction and sleep
 * sets (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial order reduction", POPL 2014,
 * Algorithm 1), over the steps' {@link Footprint}s.
 *
 * <p>Two steps of different roles are dependent when one writes a resource the other reads or
 * writes (a cell, a lock's cell, a TSO store buffer; the in-role oracles' peeks count as
 * reads), or one adds to a resource the other reads ({@link Footprint}). After each execution every race between dependent steps not already
 * ordered by happens-before adds, at the state before the first, a role that can start the
 * reversed order; sleep sets keep an explored step asleep until something it depends on runs,
 * and an execution where every role that could run is asleep is cut short
 * ({@link Execution.Status#SLEEP_BLOCKED}): its schedules were explored from an equivalent state.
 * Equivalent schedules end in the same state, so every state the judge can see, and every value
 * an in-role oracle can read, is reached by some explored execution.
 *
 * <p>Which store a load reads ({@code lkmm}, {@code tso}) and the hardware's timing choices are
 * branched in full at every load, as GenMC branches a load over the stores it may read; the
 * reduction commutes only the schedule. A wait loop that would repeat its last turn exactly is
 * blocked until a store changes what it read ({@link ControlledScheduler#onSpinState}), so every
 * execution is finite without a preemption bound.
 *
 * <p>Deterministic: the same scenario, variant and model give the same executions in the same
 * order.
 */
final class Dpor {
    /** Runs one execution under the chooser the function makes from the execution's scheduler. */
    interface Runner {
        Execution run(Function<ControlledScheduler, Chooser> chooser);
    }

    /** One decision on the current path. */
    private static final class Node {
        final boolean read;
        final int options;          // read: how many; sched: 0
        final int step;             // sched: steps before it; read: the step it is inside
        final List<Integer> enabled;
        final Map<Integer, Footprint> sleep; // asleep here, with the step each would take
        final BitSet backtrack = new BitSet();
        final BitSet explored = new BitSet();
        final Map<Integer, Footprint> done = new HashMap<>(); // explored child -> its step, over every load choice
        int chosen;
        boolean closed; // its alternatives were given away ({@link Dpor#close})

        Node(boolean read, int options, int step, List<Integer> enabled, Map<Integer, Footprint> sleep) {
            this.read = read;
            this.options = options;
            this.step = step;
            this.enabled = enabled;
            this.sleep = sleep;
        }
    }

    private final Runner runner;
    private List<Integer> root;                     // a split's fixed prefix (choices encoding); grows at a hand-off
    private final Map<Integer, Footprint> rootSleep; // asleep after it
    private final Limits limits; // executions left, deadline and live counts, shared by a split's subtrees
    private final List<Node> stack = new ArrayList<>();

    long executions;
    long pruned;
    long blocked;
    boolean truncated;

    Dpor(Runner runner, long maxExecutions) {
        this(runner, new Subtree(List.of(), Map.of()), new Limits(maxExecutions, Long.MAX_VALUE));
    }

    /** The search below one part of the tree ({@link #close}), drawing on shared limits. */
    Dpor(Runner runner, Subtree subtree, Limits limits) {
        this.runner = runner;
        this.root = subtree.prefix();
        this.rootSleep = subtree.sleep();
        this.limits = limits;
    }

    /**
     * What every subtree of one search shares: the executions it may still run (the user's
     * {@code --max-executions}, else unlimited), the {@link System#nanoTime()} past which it
     * stops (the user's {@code --time-limit}), whether that deadline stopped it, and the
     * executions run so far (for a progress line).
     */
    static final class Limits {
        final java.util.concurrent.atomic.AtomicLong budget;
        final long deadline;
        final java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.LongAdder executions = new java.util.concurrent.atomic.LongAdder();

        Limits(long maxExecutions, long deadlineNanos) {
            this.budget = new java.util.concurrent.atomic.AtomicLong(maxExecutions);
            this.deadline = deadlineNanos;
        }

        /** False when the search must stop here: no executions left, or past the deadline. */
        boolean take() {
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                timedOut.set(true);
                return false;
            }
            return budget.getAndDecrement() > 0;
        }
    }

    /**
     * How much of this subtree is done, estimated from the stack as a progress bar estimates a
     * tree walk: at each node, the share of its alternatives (known so far) already finished,
     * weighted by the share of the tree above it. Backtrack sets grow as races are found, so
     * it can move back; 1 when the search is over. Updated after every execution.
     */
    volatile double doneFraction;

    private void updateDone() {
        double done = 0;
        double weight = 1;
        for (Node n : stack) {
            int total;
            int before;
            if (n.read) {
                total = n.options;
                before = n.chosen;
            } else {
                BitSet all = (BitSet) n.backtrack.clone();
                all.or(n.explored);
                total = Math.max(1, all.cardinality());
                before = Math.max(0, n.explored.cardinality() - 1);
            }
            if (total > 1) {
                done += weight * before / total;
                weight /= total;
            }
        }
        doneFraction = done;
    }

    /**
     * A part of the tree searched on its own ({@link #close}): the choices that lead to it
     * ({@link Execution#choices()} encoding) and the roles asleep there, each with the step it
     * would take (its footprint over every load choice inside it).
     */
    record Subtree(List<Integer> prefix, Map<Integer, Footprint> sleep) { }

    /**
     * The footprint of the step the last choice of {@code prefix} starts, over every load
     * choice inside it: each probe stops at the next scheduling point.
     */
    private static Footprint probe(Runner runner, List<Integer> prefix) {
        Footprint all = new Footprint();
        java.util.ArrayDeque<List<Integer>> todo = new java.util.ArrayDeque<>();
        todo.push(List.of());
        while (!todo.isEmpty()) {
            List<Integer> reads = todo.pop();
            List<Integer> options = new ArrayList<>(); // per load choice inside the step: how many
            Step[] step = new Step[1];
            Execution e = runner.run(cs -> new Chooser() {
                int next;

                @Override
                public int choose(Decision d) {
                    int i = next++;
                    if (i < prefix.size()) {
                        int c = prefix.get(i);
                        return d.isRead() ? -1 - c : c;
                    }
                    if (d.isRead()) {
                        int k = options.size();
                        options.add(d.options());
                        return k < reads.size() ? reads.get(k) : 0;
                    }
                    step[0] = cs.lastStep();
                    return STOP;
                }
            });
            Step s = step[0] != null ? step[0] : e.steps().isEmpty() ? null : e.steps().get(e.steps().size() - 1);
            if (s != null) {
                all.merge(s.footprint());
            }
            for (int k = reads.size(); k < options.size(); k++) {
                for (int o = 1; o < options.get(k); o++) {
                    List<Integer> child = new ArrayList<>(reads);
                    while (child.size() < k) {
                        child.add(0);
                    }
                    child.add(o);
                    todo.push(child);
                }
            }
        }
        return all;
    }

    /** {@code sleep} without the roles whose step depends on {@code last}. */
    private static Map<Integer, Footprint> awake(Map<Integer, Footprint> sleep, Step last) {
        if (last == null || sleep.isEmpty()) {
            return sleep;
        }
        Map<Integer, Footprint> out = new LinkedHashMap<>();
        sleep.forEach((r, f) -> {
            if (!f.conflicts(last.footprint())) {
                out.put(r, f);
            }
        });
        return out;
    }

    /**
     * Runs every execution the reduction keeps, each handed to {@code each}, until {@code each}
     * returns true (stop early) or the tree is done; true if it stopped early.
     */
    boolean run(Predicate<Execution> each) {
        for (;;) {
            if (!limits.take()) {
                truncated = true;
                return false;
            }
            int prefixLen = stack.size();
            List<Node> fresh = new ArrayList<>();
            Execution e = runner.run(cs -> chooser(cs, prefixLen, fresh));
            executions++;
            limits.executions.increment();
            if (e.status() == Execution.Status.SLEEP_BLOCKED) {
                pruned++;
            } else if (e.status() == Execution.Status.BLOCKED) {
                blocked++;
            }
            stack.addAll(fresh);
            List<Step> steps = e.steps();
            int from = prefixLen == 0 ? 0 : stack.get(prefixLen - 1).step;
            for (int k = stack.size() - 1; k >= 0 && stack.get(k).step >= from; k--) { // earlier steps replay as before
                Node n = stack.get(k);
                if (!n.read && n.step < steps.size()) {
                    n.done.computeIfAbsent(n.chosen, x -> new Footprint()).merge(steps.get(n.step).footprint());
                }
            }
            races(steps, from);
            if (each.test(e)) {
                return true;
            }
            // both before next(): the stack is the path just run, every alternative on it unstarted
            if (pauseAfter > 0 && executions >= pauseAfter && hasAlternative()) {
                paused = true;
                return false;
            }
            if (handOffEvery > 0 && executions % handOffEvery == 0) {
                handOff();
            }
            if (!next()) {
                doneFraction = 1;
                return false;
            }
            if ((executions & 31) == 0) {
                updateDone();
            }
        }
    }

    private long pauseAfter;
    /** Whether {@link #run} returned because of {@link #pauseAfter}: the tree is not done. */
    boolean paused;

    /** Makes {@link #run} return after {@code n} executions, the rest of the tree still on the stack. */
    Dpor pauseAfter(long n) {
        this.pauseAfter = n;
        return this;
    }

    /** This search's share of what is left of its tree, estimated ({@link #doneFraction}). */
    double remaining() {
        updateDone();
        return 1 - doneFraction;
    }

    private long handOffEvery;
    private java.util.function.Consumer<Subtree> spawn;

    /**
     * Dynamic splitting, deterministic: after every {@code every} executions of its own, this
     * search gives away the shallowest part of its tree that it has not started ({@link #handOff}),
     * each as a {@link Subtree} to {@code spawn}, and goes on with the rest. When it hands off
     * depends only on its own executions, never on time or on the other workers, so the subtrees
     * made, and every count, are the same for any number of workers or machines.
     */
    Dpor handOff(long every, java.util.function.Consumer<Subtree> spawn) {
        this.handOffEvery = every;
        this.spawn = spawn;
        return this;
    }

    /**
     * Gives away every alternative not yet started at the nodes from the top of the stack down
     * to the shallowest one that the reduction still has to explore ({@link #close}), and makes
     * the path through them this search's fixed prefix: nothing is added above it any more,
     * which is sound because every alternative there is now some subtree's.
     */
    private void handOff() {
        int n = -1;
        for (int k = 0; k < stack.size() && n < 0; k++) {
            Node node = stack.get(k);
            if (node.read ? node.chosen + 1 < node.options : hasPending(node)) {
                n = k;
            }
        }
        if (n < 0) {
            return; // nothing left above the current path
        }
        for (Subtree t : close(n)) {
            spawn.accept(t);
        }
        List<Integer> prefix = new ArrayList<>(root);
        for (int k = 0; k <= n; k++) {
            prefix.add(encoded(stack.get(k)));
        }
        root = List.copyOf(prefix);
        rootSleepAfter = sleepAfter(stack.get(n));
        stack.subList(0, n + 1).clear();
    }

    /** After a hand-off, what is asleep below the new root (only used when no node is left below it). */
    private Map<Integer, Footprint> rootSleepAfter;

    private static int encoded(Node n) {
        return n.read ? -1 - n.chosen : n.chosen;
    }

    private static Map<Integer, Footprint> sleepAfter(Node n) {
        Map<Integer, Footprint> out = new LinkedHashMap<>(n.sleep);
        if (!n.read) {
            n.done.forEach((r, f) -> {
                if (r != n.chosen) {
                    out.put(r, f);
                }
            });
        }
        return out;
    }

    /** Whether {@link #next} would find more to explore. */
    private boolean hasAlternative() {
        for (Node n : stack) {
            if (n.read ? n.chosen + 1 < n.options : hasPending(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasPending(Node n) {
        for (int q = n.backtrack.nextSetBit(0); q >= 0; q = n.backtrack.nextSetBit(q + 1)) {
            if (!n.explored.get(q) && !n.sleep.containsKey(q) && n.enabled.contains(q)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every alternative not yet started at stack nodes {@code 0..upTo}, each as a subtree, top
     * down: at a load every later option, with the load's sleep set; at a scheduling point every
     * awake role not yet run there (all of them, not only the reduction's backtrack set: nothing
     * found later can add one here), each with the roles explored there and the siblings before
     * it asleep, each with its step's footprint over every load choice inside it, as the
     * sequential search would leave them. Those nodes then offer nothing more.
     */
    List<Subtree> close(int upTo) {
        List<Subtree> out = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>(root);
        for (int k = 0; k <= upTo && k < stack.size(); k++) {
            Node n = stack.get(k);
            if (n.read) {
                for (int o = n.chosen + 1; o < n.options; o++) {
                    out.add(new Subtree(appendTo(prefix, -1 - o), new LinkedHashMap<>(n.sleep)));
                }
                n.closed = true;
            } else {
                Map<Integer, Footprint> sleep = new LinkedHashMap<>(n.sleep);
                for (int r = n.explored.nextSetBit(0); r >= 0; r = n.explored.nextSetBit(r + 1)) {
                    Footprint f = r == n.chosen ? null : n.done.get(r);
                    sleep.put(r, f != null ? f : probe(runner, appendTo(prefix, r)));
                }
                for (int q : n.enabled) {
                    if (sleep.containsKey(q)) {
                        continue; // asleep here, or run here already
                    }
                    List<Integer> child = appendTo(prefix, q);
                    out.add(new Subtree(child, new LinkedHashMap<>(sleep)));
                    sleep.put(q, probe(runner, child));
                    n.explored.set(q); // given away
                }
                n.closed = true;
            }
            prefix.add(encoded(n));
        }
        return out;
    }

    /** Everything this search has not explored yet, given away ({@link #close}): it ends here. */
    List<Subtree> closeAll() {
        List<Subtree> out = close(stack.size() - 1);
        stack.clear();
        return out;
    }

    private static List<Integer> appendTo(List<Integer> prefix, int v) {
        List<Integer> out = new ArrayList<>(prefix);
        out.add(v);
        return List.copyOf(out);
    }

    /** Moves the deepest node with an unexplored alternative to it; false when the tree is done. */
    private boolean next() {
        while (!stack.isEmpty()) {
            Node n = stack.get(stack.size() - 1);
            if (n.closed) {
                stack.remove(stack.size() - 1); // its alternatives were given away
                continue;
            }
            if (n.read) {
                if (n.chosen + 1 < n.options) {
                    n.chosen++;
                    return true;
                }
            } else {
                for (int q = n.backtrack.nextSetBit(0); q >= 0; q = n.backtrack.nextSetBit(q + 1)) {
                    if (!n.explored.get(q) && !n.sleep.containsKey(q) && n.enabled.contains(q)) {
                        n.chosen = q;
                        n.explored.set(q);
                        return true;
                    }
                }
            }
            stack.remove(stack.size() - 1);
        }
        return false;
    }

    /**
     * Replays the stack, then runs on: the last role again while it can run, else the lowest
     * awake one; every load reads the latest store.
     */
    private Chooser chooser(ControlledScheduler cs, int prefixLen, List<Node> fresh) {
        return new Chooser() {
            int next;
            Map<Integer, Footprint> sleep = new LinkedHashMap<>(rootSleepAfter != null ? rootSleepAfter : rootSleep);

            @Override
            public int choose(Decision d) {
                int at = next++;
                if (at < root.size()) {
                    int c = root.get(at);
                    if (d.isRead() != (c < 0)) {
                        throw new IllegalStateException("split prefix does not replay at decision " + at);
                    }
                    return d.isRead() ? -1 - c : c;
                }
                at -= root.size();
                if (at < prefixLen) {
                    Node n = stack.get(at);
                    if (n.read != d.isRead()) {
                        throw new IllegalStateException("explored schedule does not replay at decision " + (at + root.size()));
                    }
                    if (at == prefixLen - 1) {
                        sleep = new LinkedHashMap<>(n.sleep);
                        if (!n.read) {
                            n.done.forEach((r, f) -> {
                                if (r != n.chosen) {
                                    sleep.put(r, f);
                                }
                            });
                        }
                    }
                    return n.chosen;
                }
                if (d.isRead()) {
                    Node n = new Node(true, d.options(), d.step() - 1, List.of(), sleep);
                    fresh.add(n);
                    return 0;
                }
                sleep = awake(sleep, cs.lastStep());
                Node n = new Node(false, 0, d.step(), d.enabled(), sleep);
                int pick = -1;
                if (d.last() >= 0 && d.enabled().contains(d.last()) && !sleep.containsKey(d.last())) {
                    pick = d.last();
                } else {
                    for (int r : d.enabled()) {
                        if (!sleep.containsKey(r)) {
                            pick = r;
                            break;
                        }
                    }
                }
                if (pick < 0) {
                    return STOP; // every role that could run is asleep
                }
                n.chosen = pick;
                n.backtrack.set(pick);
                n.explored.set(pick);
                fresh.add(n);
                return pick;
            }
        };
    }

    /**
     * For every race whose later step is at or after {@code from}: two dependent steps of
     * different roles with nothing between them in happens-before. At the state before the
     * first, makes sure one role that can start the reversed order is scheduled.
     */
    private void races(List<Step> steps, int from) {
        int n = steps.size();
        if (n == 0) {
            return;
        }
        int roles = 0;
        for (Step s : steps) {
            roles = Math.max(roles, s.role() + 1);
        }
        Node[] nodeOf = new Node[n];
        for (Node node : stack) {
            if (!node.read && node.step < n) {
                nodeOf[node.step] = node;
            }
        }
        int[][] clock = new int[n][];
        int[] pos = new int[n];
        int[] count = new int[roles];
        int[] lastOf = new int[roles];
        Arrays.fill(lastOf, -1);
        int resources = 0;
        for (Step s : steps) {
            Footprint f = s.footprint();
            resources = Math.max(resources, Math.max(f.reads().length(), Math.max(f.writes().length(), f.adds().length())));
        }
        int[] lastWrite = new int[resources];
        Arrays.fill(lastWrite, -1);
        IntList[] readsSince = new IntList[resources];
        IntList[] addsSince = new IntList[resources];
        IntList cands = new IntList();
        for (int i = 0; i < n; i++) {
            Step s = steps.get(i);
            int r = s.role();
            pos[i] = ++count[r];
            clock[i] = lastOf[r] >= 0 ? clock[lastOf[r]].clone() : new int[roles];
            cands.size = 0;
            BitSet w = s.footprint().writes();
            BitSet rd = s.footprint().reads();
            BitSet ad = s.footprint().adds();
            for (int x = w.nextSetBit(0); x >= 0; x = w.nextSetBit(x + 1)) {
                addCand(cands, steps, lastWrite[x], r);
                addAll(cands, steps, readsSince[x], r);
                addAll(cands, steps, addsSince[x], r);
            }
            for (int x = rd.nextSetBit(0); x >= 0; x = rd.nextSetBit(x + 1)) {
                if (!w.get(x)) {
                    addCand(cands, steps, lastWrite[x], r);
                    addAll(cands, steps, addsSince[x], r);
                }
            }
            for (int x = ad.nextSetBit(0); x >= 0; x = ad.nextSetBit(x + 1)) {
                if (!w.get(x)) { // adds commute with adds: only the last write and the reads since
                    addCand(cands, steps, lastWrite[x], r);
                    addAll(cands, steps, readsSince[x], r);
                }
            }
            for (int k = 0; k < cands.size; k++) {
                join(clock[i], clock[cands.at[k]]);
            }
            clock[i][r] = pos[i];
            if (i >= from) {
                for (int k = 0; k < cands.size; k++) {
                    int j = cands.at[k];
                    boolean direct = lastOf[r] < 0 || !hb(steps, clock, pos, j, lastOf[r]);
                    for (int m = 0; m < cands.size && direct; m++) {
                        int d = cands.at[m];
                        if (d != j && hb(steps, clock, pos, j, d)) {
                            direct = false;
                        }
                    }
                    if (direct && nodeOf[j] != null) {
                        reverse(steps, clock, pos, nodeOf, j, i, roles);
                    }
                }
            }
            for (int x = w.nextSetBit(0); x >= 0; x = w.nextSetBit(x + 1)) {
                lastWrite[x] = i;
                if (readsSince[x] != null) {
                    readsSince[x].size = 0;
                }
                if (addsSince[x] != null) {
                    addsSince[x].size = 0;
                }
            }
            since(readsSince, rd, w, i);
            since(addsSince, ad, w, i);
            lastOf[r] = i;
        }
    }

    /** Step {@code i} read (or added to) each resource of {@code touched} it did not also write. */
    private static void since(IntList[] lists, BitSet touched, BitSet written, int i) {
        for (int x = touched.nextSetBit(0); x >= 0; x = touched.nextSetBit(x + 1)) {
            if (!written.get(x)) {
                if (lists[x] == null) {
                    lists[x] = new IntList();
                }
                lists[x].add(i);
            }
        }
    }

    private static void addAll(IntList cands, List<Step> steps, IntList js, int role) {
        for (int k = 0; js != null && k < js.size; k++) {
            addCand(cands, steps, js.at[k], role);
        }
    }

    private static void addCand(IntList cands, List<Step> steps, int j, int role) {
        if (j >= 0 && steps.get(j).role() != role && !cands.contains(j)) {
            cands.add(j);
        }
    }

    /** A growable list of step indexes: the race analysis runs after every execution. */
    private static final class IntList {
        int[] at = new int[8];
        int size;

        void add(int v) {
            if (size == at.length) {
                at = Arrays.copyOf(at, size * 2);
            }
            at[size++] = v;
        }

        boolean contains(int v) {
            for (int k = 0; k < size; k++) {
                if (at[k] == v) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether step {@code j} happens before step {@code k} (j earlier in the execution). */
    private static boolean hb(List<Step> steps, int[][] clock, int[] pos, int j, int k) {
        return j == k || clock[k][steps.get(j).role()] >= pos[j];
    }

    private static void join(int[] into, int[] other) {
        for (int x = 0; x < into.length; x++) {
            into[x] = Math.max(into[x], other[x]);
        }
    }

    /**
     * The race between steps {@code j} and {@code i}: v is what runs after j and not after it
     * in happens-before, then i. If no role that can start v is in the backtrack set at j's
     * node, add one (i's role when it can, else the lowest); one that cannot run there (it
     * waits for a lock) also at the latest earlier decision where it could.
     */
    private static void reverse(List<Step> steps, int[][] clock, int[] pos, Node[] nodeOf, int j, int i, int roles) {
        Node node = nodeOf[j];
        int[] minPos = new int[roles];
        int[] first = new int[roles];
        Arrays.fill(minPos, Integer.MAX_VALUE);
        Arrays.fill(first, -1);
        for (int k = j + 1; k <= i; k++) {
            if (k < i && hb(steps, clock, pos, j, k)) {
                continue;
            }
            int r = steps.get(k).role();
            if (first[r] < 0) {
                first[r] = k;
                minPos[r] = pos[k];
            }
        }
        BitSet initials = new BitSet();
        for (int q = 0; q < roles; q++) {
            int w = first[q];
            if (w < 0) {
                continue;
            }
            boolean initial = true;
            for (int r = 0; r < roles; r++) {
                if (r != q && first[r] >= 0 && first[r] < w && clock[w][r] >= minPos[r]) {
                    initial = false;
                }
            }
            if (initial) {
                initials.set(q);
            }
        }
        if (initials.intersects(node.backtrack)) {
            return;
        }
        int ri = steps.get(i).role();
        int q = initials.get(ri) ? ri : initials.nextSetBit(0);
        if (q >= 0 && node.enabled.contains(q)) {
            node.backtrack.set(q);
            return;
        }
        for (int r : node.enabled) {
            node.backtrack.set(r);
        }
        // q waits at j: for a spin_lock, on a lock taken before j whose unlock conflicts with
        // nothing, so the reversed order needs q to run before that spin_lock. Schedule it at
        // the latest decision before j where it could run.
        for (int k = j - 1; q >= 0 && k >= 0; k--) {
            Node earlier = nodeOf[k];
            if (earlier != null && earlier.enabled.contains(q)) {
                earlier.backtrack.set(q);
                return;
            }
        }
    }
}
