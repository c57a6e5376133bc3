package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The explorer's memory: every access of a role is a scheduling point of the
 * {@link ControlledScheduler}, and under a weak model a load may return an older store, chosen by
 * the explorer like the next thread is.
 *
 * <p>This file is the memory API, what every model shares (the cells, each keeping its stores in
 * coherence order; the footprints the reduction sees; wait-loop turns; ordering points and their
 * weakening; setup and judge access) and {@link MemoryModel#SC}: a load reads the last store, a
 * store goes last. Each weak model's machinery is one file it delegates to:
 * <ul>
 * <li>{@link MemoryModel#TSO}: {@link TsoBuffers}, per-role FIFO store buffers.</li>
 * <li>{@link MemoryModel#LKMM} and {@link MemoryModel#ARMV8}: {@link GraphMemory}, the
 *     execution graph the run builds ({@link LkmmGraph}) judged by the model.</li>
 * </ul>
 * Ordering points can be weakened one at a time ({@code weakened}): a barrier becomes nothing,
 * an acquire or release a {@code READ_ONCE} / {@code WRITE_ONCE}, a fully ordered or acquire
 * RMW a relaxed one. That is how {@code fences} and the mutant tests ask whether a barrier is
 * needed.
 *
 * <p>Setup and judge threads (not roles) read and write the latest values directly, after
 * every store buffer has drained: the judge sees the quiescent state.
 */
public final class SimMemory extends Memory {
    private final ControlledScheduler cs;
    private final MemoryModel model;
    private final Predicate<OrderingPoint> weakened;
    final List<History> cells = new ArrayList<>();
    private final List<RoleState> roles = new ArrayList<>();
    private final Set<OrderingPoint> orderingPoints = new LinkedHashSet<>();
    private final TsoBuffers tso;     // TSO; null otherwise
    private final GraphMemory graph;  // LKMM, ARMV8; null otherwise
    private final Mutant mutant;
    private final java.util.Map<Integer, Long> readerCounts = new java.util.HashMap<>(); // cell -> first high bit
    private final java.util.Set<Integer> lockWords = new java.util.HashSet<>(); // cells spin_lock has taken

    /** One store: its value, who made it at which step, and (graph models) its event and schedule clock. */
    record Msg(long value, int role, int step, LkmmGraph.Ev ev, int[] clock) {
        Msg(long value, int role, int step, LkmmGraph.Ev ev) {
            this(value, role, step, ev, null);
        }
    }

    /** A cell's stores in coherence order; index 0 is the initial value. */
    static final class History {
        final String name;
        final int id;
        final List<Msg> mo = new ArrayList<>();

        java.util.function.LongFunction<String> format; // as the model declared it, or null

        /** {@code v} as the cell's model declared it reads, else as {@link Timeline#formatCell} reads it by name. */
        String describe(long v) {
            return format != null ? format.apply(v) : Timeline.formatCell(name, v);
        }

        History(String name, int id, long init, boolean graph) {
            this.name = name;
            this.id = id;
            mo.add(initial(id, init, graph));
        }

        static Msg initial(int id, long v, boolean graph) {
            return new Msg(v, -1, 0, graph ? LkmmGraph.init(id, v) : null);
        }

        /** The position of {@code m} in coherence order (by identity: equal stores are distinct). */
        int pos(Msg m) {
            for (int i = mo.size() - 1; i >= 0; i--) {
                if (mo.get(i) == m) {
                    return i;
                }
            }
            throw new IllegalStateException("store not in " + name);
        }

        int last() {
            return mo.size() - 1;
        }
    }

    /** What a turn first read in a cell: the value, and which store. */
    private record Read(long value, Msg msg) { }

    /** What a load returned, and the timeline's note when it was not the newest store. */
    record Loaded(long value, String note, int from) {
        Loaded(long value, String note) {
            this(value, note, UNKNOWN_WRITER);
        }
    }

    /** {@link Loaded#from} where the model does not say which role's store a load read. */
    static final int UNKNOWN_WRITER = -2;

    /** Per role, in every model: what its wait loop's turn read (the models keep the rest). */
    private static final class RoleState {
        // since the last spin: the value the turn first read in each cell it read (key: the
        // cell id; -1 - id for the high bits of a reader-count word, all its reader add saw)
        final java.util.Map<Integer, Read> turnReads = new java.util.LinkedHashMap<>();
    }

    public SimMemory(ControlledScheduler cs, MemoryModel model) {
        this(cs, model, null);
    }

    /** @param weakened ordering points to weaken in this execution, or null for none */
    public SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened) {
        this(cs, model, weakened, null);
    }

    /**
     * @param checks graph models: where one search keeps the model's answers across its executions (they
     *               replay the same choice prefixes), or null for this execution alone
     */
    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<GraphMemory.CheckKey, Boolean> checks) {
        this(cs, model, weakened, checks, false);
    }

    /**
     * @param naive graph models: the reduction's self-check: every store a load could read and every
     *              place a store could go that per-location coherence allows are options, and
     *              the model judges only the graph an execution ends with (one it forbids ends
     *              {@link Execution.Status#BLOCKED}, whatever the roles did with the values)
     */
    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<GraphMemory.CheckKey, Boolean> checks, boolean naive) {
        this(cs, model, weakened, checks, naive, Mutant.NONE);
    }

    /**
     * What the reduction's self-check breaks on purpose to show it notices: the model without
     * its happens-before axiom, or loads that do not conflict with stores (so the search never
     * runs a load after a store it first ran it before: the graph engine's revisits).
     */
    enum Mutant { NONE, NO_HAPPENS_BEFORE, NO_LOAD_STORE_RACES }

    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<GraphMemory.CheckKey, Boolean> checks, boolean naive, Mutant mutant) {
        super(cs);
        this.cs = cs;
        this.model = model;
        this.weakened = weakened;
        this.tso = model == MemoryModel.TSO ? new TsoBuffers(this, cs) : null;
        this.graph = model.graphs() ? new GraphMemory(this, cs, model, mutant, naive, checks) : null;
        this.mutant = mutant;
        cs.enableAccessPoints();
        if (tso != null) {
            cs.onRoleEnd(tso::drainAtEnd);
        }
        cs.onSpin(this::spun);
        cs.onSpinState(this::readsStable);
        cs.onLockState(id -> lockWords.contains(id) && refreshed(id) != 0);
        if (graph != null) {
            cs.onFinalValues(this::finalValues); // only under a graph model is each cell's coherence order final here
        }
    }

    /** Each cell's coherence-last store (graph models), by cell id: what a litmus test's final state pins. */
    private java.util.Map<Integer, Long> finalValues() {
        java.util.Map<Integer, Long> out = new java.util.HashMap<>();
        for (History h : cells) {
            out.put(h.id, h.mo.get(h.last()).value());
        }
        return out;
    }

    /** While recording ({@link ControlledScheduler#recording}): one access for {@link Execution#memory()}. */
    private void log(int r, SharedAccess.Op op, String prim, Order order, Cell c, long read, long written, boolean wrote,
                     long expect, boolean weakened) {
        log(r, op, prim, order, c, read, written, wrote, expect, weakened, UNKNOWN_WRITER, false);
    }

    private void log(int r, SharedAccess.Op op, String prim, Order order, Cell c, long read, long written, boolean wrote,
                     long expect, boolean weakened, int from, boolean stale) {
        if (cs.recording()) {
            cs.log(new SharedAccess(r, cs.contextOf(r), op, prim, order, c == null ? null : c.name(), c == null ? -1 : c.id(),
                    c == null ? 0 : hist(c).mo.get(0).value(), read, written, wrote, expect, weakened, from, stale));
        }
    }

    /**
     * Whether every cell role {@code r} read since its last spin (or its start) holds, as the
     * next turn would see it (after the spin's refresh), the value it first read there, with no
     * other role's store in between (a store that put the same value back is still news: the
     * request bit another CPU set again after this one cleared it). Then the next turn repeats
     * the last: the role is blocked until somebody else writes. The role's own stores may come
     * and go (a retry that takes and drops a lock, or gets and puts a page, puts back what it
     * found). A lock the turn found free and another role holds now, or took and dropped since,
     * does not wake it: a turn begun then would wait for the lock after reading what the last
     * turn read, which is the last turn run later (README "Explore and replay").
     */
    private boolean readsStable(int r) {
        for (java.util.Map.Entry<Integer, Read> read : role(r).turnReads.entrySet()) {
            int key = read.getKey();
            Read first = read.getValue();
            int id = key >= 0 ? key : -1 - key;
            if (key >= 0 && first.value() == 0 && lockWords.contains(id)) {
                continue;
            }
            if (refreshed(key) != first.value() || othersStored(r, id, first, key < 0 ? highOf(id) : 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a role other than {@code r} stored to cell {@code id} after the store {@code first}
     * read (committed or, under TSO, still buffered); with {@code high} set, one that changed the
     * bits from {@code high} up.
     */
    private boolean othersStored(int r, int id, Read first, long high) {
        History h = cells.get(id);
        for (int q = h.pos(first.msg()) + 1; q < h.mo.size(); q++) {
            Msg m = h.mo.get(q);
            if (m.role() != r && (high == 0 || (m.value() & -high) != first.value())) {
                return true;
            }
        }
        return tso != null && tso.othersBuffered(r, id, high, first.value());
    }

    /** What a role reads at {@code key} ({@link RoleState#turnReads}) after a spin: the latest store, every buffer drained. */
    private long refreshed(int key) {
        if (key < 0) {
            return refreshed(-1 - key) & -highOf(-1 - key);
        }
        int id = key;
        History h = cells.get(id);
        long v = h.mo.get(h.last()).value();
        return tso != null ? tso.refreshed(id, v) : v;
    }

    /** The running role's step read store {@code m} of cell {@code id}. */
    void readAt(int r, int id, Msg m) {
        if (mutant != Mutant.NO_LOAD_STORE_RACES) {
            touchWord(id, false);
        }
        if (graph != null) {
            graph.dependsOnStores(r, id);
        }
        role(r).turnReads.putIfAbsent(id, new Read(m.value(), m));
    }

    /** The running role's step wrote (or, under TSO, buffered a store to) cell {@code id}. */
    void wrote(int r, int id) {
        if (tso != null) {
            cs.touch(Footprint.buffer(r), true);
        } else if (graph != null) {
            cs.touchAdd(Footprint.cell(id)); // stores commute: where each goes in coherence is chosen
        } else {
            touchWord(id, true);
        }
    }

    /** A whole-word access: for a reader-count word, both its resources. */
    void touchWord(int id, boolean write) {
        cs.touch(Footprint.cell(id), write);
        if (highOf(id) != 0) {
            cs.touch(Footprint.cellHigh(id), write);
        }
    }

    /**
     * The first high bit of a reader-count word ({@link Memory#readerCount}), 0 for any other
     * cell. Under a graph model none: there an RMW also carries the view of the RMW it read, so two
     * readers' adds are ordered by what they pass on and do not commute.
     */
    private long highOf(int id) {
        if (graph != null || readerCounts.isEmpty()) {
            return 0;
        }
        Long b = readerCounts.get(id);
        return b == null ? 0 : b;
    }

    @Override
    public void readerCount(Cell c, long firstHighBit) {
        if (firstHighBit <= 0 || Long.bitCount(firstHighBit) != 1) {
            throw new IllegalArgumentException("readerCount needs a power of two, got " + firstHighBit);
        }
        hist(c);
        readerCounts.put(c.id(), firstHighBit);
    }

    /**
     * The footprint of an add (SC, TSO) to store {@code index} of cell {@code id}: an update
     * that commutes with other adds ({@link Footprint#add}), and a read if its caller sees the
     * result. On a reader-count word a reader's add touches the reader count only and its
     * result is read only above it; the word's high bits must not move (no reader count ever
     * goes below zero), which is what makes two such adds commute.
     */
    private void addAt(int r, int id, Msg at, long delta, boolean returns, long old) {
        long high = highOf(id);
        if (high == 0) {
            cs.touchAdd(Footprint.cell(id));
            if (returns) {
                readAt(r, id, at);
            } else {
                // not a read, but a turn that adds and later subtracts must find the cell as it
                // found it to be a repeat (readsStable): the value before its first add counts
                role(r).turnReads.putIfAbsent(id, new Read(old, at));
            }
            return;
        }
        boolean low = delta % high != 0;
        boolean hi = Math.abs(delta) >= high;
        if (low && !hi && ((old + delta) & -high) != (old & -high)) {
            throw new IllegalStateException("reader count of " + cells.get(id).name + " went below zero");
        }
        if (low) {
            cs.touchAdd(Footprint.cell(id));
        }
        if (hi) {
            cs.touchAdd(Footprint.cellHigh(id));
        }
        if (returns) {
            cs.touch(Footprint.cellHigh(id), false);
            role(r).turnReads.putIfAbsent(-1 - id, new Read(old & -high, at));
        }
    }

    /**
     * A turn of a wait loop: what decides whether the loop runs again is read; then the model's
     * turn ({@link TsoBuffers#spun}: the buffers drain; {@link GraphMemory#spun}: a repeated turn
     * is cut). A role with nothing newer to read is blocked before it starts such a turn
     * ({@link #readsStable}).
     */
    private void spun(int r) {
        RoleState me = role(r);
        for (int key : me.turnReads.keySet()) { // what decides whether the loop runs again
            if (key >= 0) {
                touchWord(key, false);
                if (graph != null) {
                    graph.dependsOnStores(r, key);
                }
            } else {
                cs.touch(Footprint.cellHigh(-1 - key), false);
            }
        }
        me.turnReads.clear();
        if (tso != null) {
            tso.spun();
        } else if (graph != null) {
            graph.spun(r);
        }
    }

    @Override
    protected Object newSimState(String base, int index, long init, java.util.function.LongFunction<String> format) {
        History h = new History(index < 0 ? base : base + "[" + index + "]", cells.size(), init, graph != null);
        h.format = format;
        cells.add(h);
        return h;
    }

    @Override
    public String modelName() {
        return model.id();
    }

    /** Every ordering point this execution passed, in first-passed order. */
    public Set<OrderingPoint> orderingPoints() {
        return orderingPoints;
    }

    // ---- dependencies (litmus programs) ----------------------------------------------------

    /**
     * The running role's latest read, as a token for {@link #dependencies}, under a graph model;
     * null under {@code sc} and {@code tso}, which order every access anyway.
     */
    public Object lastRead() {
        return graph == null ? null : graph.lastRead(cs.currentRole());
    }

    /**
     * The running role's next accesses depend on these reads of its own (tokens from
     * {@link #lastRead}): addr, data, ctrl, as herd7's C gives a litmus statement its
     * dependencies. Litmus programs only: the scenarios' Java code has none the explorer sees.
     */
    public void dependencies(List<Object> addr, List<Object> data, List<Object> ctrl) {
        if (graph != null) {
            graph.depends(cs.currentRole(), addr, data, ctrl);
        }
    }

    // ---- the primitives ------------------------------------------------------------------

    @Override public long READ_ONCE(Cell c) { return load(c, "READ_ONCE", false); }

    @Override public long smp_load_acquire(Cell c) { return load(c, "smp_load_acquire", true); }

    @Override public void WRITE_ONCE(Cell c, long v) { store(c, v, "WRITE_ONCE", false); }

    @Override public void smp_store_release(Cell c, long v) { store(c, v, "smp_store_release", true); }

    @Override public long xchg(Cell c, long v) { return rmw(c, "xchg", Order.FULL, old -> v); }

    @Override public long atomic_add_return(Cell c, long d) { return add(c, "atomic_add_return", Order.FULL, d, true); }

    @Override public boolean test_and_set_bit(Cell c, long m) { return (rmw(c, "test_and_set_bit", Order.FULL, old -> old | m) & m) != 0; }

    @Override public boolean test_and_clear_bit(Cell c, long m) { return (rmw(c, "test_and_clear_bit", Order.FULL, old -> old & ~m) & m) != 0; }

    @Override public void atomic_add(Cell c, long d) { add(c, "atomic_add", Order.RELAXED, d, false); }

    @Override public void set_bit(Cell c, long m) { rmw(c, "set_bit", Order.RELAXED, old -> old | m); }

    @Override public void clear_bit(Cell c, long m) { rmw(c, "clear_bit", Order.RELAXED, old -> old & ~m); }

    @Override public long atomic_add_return_release(Cell c, long d) { return add(c, "atomic_add_return_release", Order.RELEASE, d, true); }

    @Override public long atomic_add_return_acquire(Cell c, long d) { return add(c, "atomic_add_return_acquire", Order.ACQUIRE, d, true); }

    /**
     * The atomic_add family: the new value. On a reader-count word (SC, TSO) the caller sees
     * only the bits above the reader count ({@link Memory#readerCount}).
     */
    private long add(Cell c, String prim, Order order, long d, boolean returns) {
        long v = rmw(c, prim, order, new Add(d, returns)) + d;
        long high = cs.currentRole() < 0 ? 0 : highOf(c.id());
        return high == 0 ? v : v & -high;
    }

    @Override public long cmpxchg(Cell c, long expect, long v) { return cas(c, "cmpxchg", Order.FULL, expect, v); }

    @Override public long cmpxchg_relaxed(Cell c, long expect, long v) { return cas(c, "cmpxchg_relaxed", Order.RELAXED, expect, v); }

    @Override public long cmpxchg_acquire(Cell c, long expect, long v) { return cas(c, "cmpxchg_acquire", Order.ACQUIRE, expect, v); }

    /**
     * spin_lock's cmpxchg_acquire; under a graph model lock.cat's LKR and LKW (so po-unlock-lock-po and
     * the after-unlock-lock barriers apply), reading the unlock the role waited for.
     */
    @Override
    public boolean raw_spin_trylock(Cell c) {
        lockWords.add(c.id());
        boolean took = cas(c, "spin_lock", Order.ACQUIRE, 0, 1) == 0;
        if (!took && cs.currentRole() >= 0) {
            throw new IllegalStateException("spin_lock(" + c.name() + ") granted while held");
        }
        return took;
    }

    @Override
    public void raw_spin_unlock(Cell c) {
        store(c, 0, "spin_unlock", true);
    }

    private boolean weakenedLock(int r, Cell c) {
        return weakened != null && weakened.test(new OrderingPoint(cs.contextOf(r), "spin_lock", c.name()));
    }

    @Override public void smp_rmb() { fence("smp_rmb"); }

    @Override public void smp_wmb() { fence("smp_wmb"); }

    @Override public void smp_mb() { fence("smp_mb"); }

    @Override public void smp_mb__before_atomic() { fence("smp_mb__before_atomic"); }

    @Override public void smp_mb__after_atomic() { fence("smp_mb__after_atomic"); }

    @Override public void smp_mb__after_spinlock() { fence("smp_mb__after_spinlock"); }

    @Override
    public void init(Cell c, long v) {
        direct(hist(c), v);
    }

    /**
     * A store by setup or the judge. Before any role has run it replaces the history: what setup
     * wrote is the initial state every role starts from, never a store they could miss.
     */
    private void direct(History h, long v) {
        drainAll();
        if (roles.isEmpty()) {
            h.mo.clear();
            h.mo.add(History.initial(h.id, v, graph != null));
            return;
        }
        h.mo.add(new Msg(v, -1, 0, graph != null ? LkmmGraph.init(h.id, v) : null));
    }

    private long peekLatest(History h) {
        drainAll();
        return h.mo.get(h.last()).value();
    }

    @Override
    public long peek(Cell c) {
        int r = cs.currentRole();
        if (r < 0) {
            drainAll();
        }
        History h = hist(c);
        if (r >= 0) {
            readAt(r, c.id(), h.mo.get(h.last())); // an oracle's read: part of what the step depends on
        }
        return h.mo.get(h.last()).value();
    }

    // ---- loads and stores ----------------------------------------------------------------

    /** The ordering of an RMW: {@code *_relaxed}, {@code *_acquire}, {@code *_release}, or fully ordered. */
    public enum Order { RELAXED, ACQUIRE, RELEASE, FULL }

    interface Update {
        long apply(long old);
    }

    /** An atomic add: under SC and TSO its footprint commutes with other adds ({@link #addAt}). */
    private record Add(long delta, boolean returns) implements Update {
        @Override
        public long apply(long old) {
            return old + delta;
        }
    }

    /** Any RMW by its ordering (litmus tests use the whole atomic_t family); returns the old value. */
    public long rmwOp(Cell c, String prim, Order order, java.util.function.LongUnaryOperator f) {
        return rmw(c, prim, order, f::applyAsLong);
    }

    /** Any cmpxchg by its ordering; returns the old value. */
    public long cmpxchgOp(Cell c, String prim, Order order, long expect, long v) {
        return cas(c, prim, order, expect, v);
    }

    private long load(Cell c, String prim, boolean acquire) {
        int r = cs.currentRole();
        History h = hist(c);
        if (r < 0) {
            drainAll();
            return h.mo.get(h.last()).value();
        }
        cs.access(prim, c.name());
        boolean asked = acquire;
        if (acquire && weak(r, prim, c)) {
            acquire = false;
        }
        role(r); // a role has run: setup's stores are no longer the initial state (direct)
        Loaded got;
        if (tso != null) {
            got = tso.load(r, c, h);
        } else if (graph != null) {
            got = graph.load(r, c, h, acquire);
        } else {
            got = new Loaded(h.mo.get(h.last()).value(), "", h.mo.get(h.last()).role());
            readAt(r, c.id(), h.mo.get(h.last()));
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ") = " + Timeline.formatCell(c, got.value()) + got.note(),
                    !got.note().isEmpty());
            log(r, SharedAccess.Op.LOAD, prim, null, c, got.value(), 0, false, 0, asked != acquire, got.from(),
                    !got.note().isEmpty());
        }
        return got.value();
    }

    private void store(Cell c, long v, String prim, boolean release) {
        int r = cs.currentRole();
        History h = hist(c);
        if (r < 0) {
            direct(h, v);
            return;
        }
        cs.access(prim, c.name());
        boolean asked = release;
        if (release && weak(r, prim, c)) {
            release = false;
        }
        role(r); // a role has run (direct)
        int step = cs.currentStep();
        boolean unlock = prim.equals("spin_unlock");
        if (!unlock || tso != null) {
            wrote(r, c.id());
        } // an unlock conflicts with nothing: the next spin_lock waits for it and conflicts with the previous one (TSO: it buffers)
        String note = "";
        if (tso != null) {
            tso.store(r, c.id(), v, step);
        } else if (graph != null) {
            note = graph.store(r, h, v, release, unlock);
        } else {
            h.mo.add(new Msg(v, r, step, null));
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ", " + Timeline.formatCell(c, v) + ")" + note, !note.isEmpty());
            log(r, unlock ? SharedAccess.Op.UNLOCK : SharedAccess.Op.STORE, prim, null, c, 0, v, true, 0, asked != release);
        }
    }

    /** An RMW that always writes; returns the old value. */
    private long rmw(Cell c, String prim, Order order, Update f) {
        int r = cs.currentRole();
        History h = hist(c);
        if (r < 0) {
            long old = peekLatest(h);
            direct(h, f.apply(old));
            return old;
        }
        cs.access(prim, c.name());
        Order asked = order;
        order = weakenOrder(r, prim, c, order);
        long old;
        String note;
        int from = UNKNOWN_WRITER;
        if (graph != null) {
            Loaded got = graph.rmw(r, c, h, prim, order, f);
            old = got.value();
            note = got.note();
            from = got.from();
        } else {
            old = rmwAt(r, c, h, order, f, null);
            note = tsoMissed(r, c, old);
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + "): " + Timeline.formatCell(c, old) + " -> "
                    + Timeline.formatCell(c, f.apply(old)) + note, !note.isEmpty());
            log(r, SharedAccess.Op.RMW, prim, asked, c, old, f.apply(old), true, 0, asked != order, from, !note.isEmpty());
        }
        return old;
    }

    /**
     * cmpxchg: succeeds atomically on the last store, or fails as a plain load; under a graph
     * model it may read any store {@link GraphMemory} allows, and succeeds iff that store holds
     * {@code expect}.
     */
    private long cas(Cell c, String prim, Order order, long expect, long v) {
        int r = cs.currentRole();
        History h = hist(c);
        if (r < 0) {
            long old = peekLatest(h);
            if (old == expect) {
                direct(h, v);
            }
            return old;
        }
        boolean acquire = prim.equals("spin_lock");
        if (acquire) {
            cs.accessAcquire(prim, c.name(), c.id()); // passed only while the lock is free
            if (tso != null) {
                tso.drainThroughLatest(r, c.id()); // the unlock it waited for has reached memory
            }
        } else {
            cs.access(prim, c.name());
        }
        Order asked = order;
        order = weakenOrder(r, prim, c, order);
        role(r); // a role has run (direct)
        long old;
        boolean stale = false;
        String note = "";
        int from = UNKNOWN_WRITER;
        if (graph != null) {
            Loaded got = graph.cas(r, c, h, prim, order, expect, v, acquire && !weakenedLock(r, c));
            old = got.value();
            note = got.note();
            from = got.from();
            stale = !note.isEmpty();
        } else {
            old = rmwAt(r, c, h, order, x -> v, expect);
            note = tsoMissed(r, c, old);
            stale = !note.isEmpty();
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ", " + Timeline.formatCell(c, expect) + ", "
                    + Timeline.formatCell(c, v) + "): " + Timeline.formatCell(c, old)
                    + (old == expect ? " (success)" : " (failed)") + note, stale);
            log(r, acquire ? SharedAccess.Op.LOCK : SharedAccess.Op.CMPXCHG, prim, asked, c, old, v, old == expect, expect,
                    asked != order, from, stale);
        }
        return old;
    }

    /**
     * The RMW proper, on the last store. With {@code casExpect} set it writes only if the old
     * value equals it (a cmpxchg under SC and TSO; a graph model's caller decided success).
     */
    private long rmwAt(int r, Cell c, History h, Order order, Update f, Long casExpect) {
        int step = cs.currentStep();
        if (tso != null) {
            tso.drain(r); // LOCK-prefixed: fully ordered, whatever the kernel asked for
        }
        long old = tso != null ? tso.read(r, c, h).value() : h.mo.get(h.last()).value();
        boolean stores = casExpect == null || old == casExpect;
        if (f instanceof Add a) {
            addAt(r, c.id(), h.mo.get(h.last()), a.delta(), a.returns(), old);
        } else {
            readAt(r, c.id(), h.mo.get(h.last()));
            if (stores) {
                touchWord(c.id(), true); // under TSO too: an RMW goes straight to memory
            }
        }
        if (stores) {
            h.mo.add(new Msg(f.apply(old), r, step, null));
        }
        return old;
    }

    private void fence(String prim) {
        int r = cs.currentRole();
        if (r < 0) {
            return;
        }
        boolean global = prim.startsWith("smp_mb");
        if (global && tso != null) {
            cs.access(prim, null); // a full barrier drains the buffer other roles read through
        }
        if (weak(r, prim, null)) {
            if (cs.recording() && model != MemoryModel.SC) {
                cs.noteAccess(prim + "() (weakened: no-op)", false);
            }
            log(r, SharedAccess.Op.FENCE, prim, null, null, 0, 0, false, 0, true);
            return;
        }
        log(r, SharedAccess.Op.FENCE, prim, null, null, 0, 0, false, 0, false);
        if (tso != null) {
            if (global) {
                tso.drain(r);
            }
        } else if (graph != null) {
            graph.fence(r, prim);
        }
        if (global && tso != null && cs.recording()) {
            cs.noteAccess(prim + "()", false);
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private History hist(Cell c) {
        Object s = c.sim();
        if (!(s instanceof History h)) {
            throw new IllegalStateException("cell " + c.name() + " was not made by this memory");
        }
        return h;
    }

    private RoleState role(int r) {
        while (roles.size() <= r) {
            roles.add(new RoleState());
        }
        return roles.get(r);
    }

    /**
     * Records an ordering point and whether this execution weakens it. In one pass
     * ({@link #label}) a point {@link PointLabels#inOnePass} is not weakened here: the graph's
     * next event carries it ({@link #takeLabel}) and each question to the model says its strength.
     */
    private boolean weak(int r, String prim, Cell c) {
        OrderingPoint p = new OrderingPoint(cs.contextOf(r), prim, c == null ? null : c.name());
        orderingPoints.add(p);
        if (labels != null && PointLabels.inOnePass(p)) {
            pendingLabel = labels.index(p);
            return false;
        }
        return weakened != null && weakened.test(p);
    }

    private PointLabels labels;  // one pass (Fences): every labelled point's events carry its index; else null
    private int pendingLabel = -1; // the point the running access carries, until the graph takes it

    /** One pass ({@link Fences}): label the events of every ordering point with its index in {@code l}; graph models only. */
    void label(PointLabels l) {
        if (graph == null) {
            throw new IllegalStateException("one pass needs a graph model, not " + model.id());
        }
        this.labels = l;
        cs.onComplete(() -> { // before the judge, whose own stores are not the roles'
            ended = graph.finalGraph();
            return true;
        });
    }

    private GraphMemory.FinalGraph ended; // one pass: the graph as the roles left it

    /** The ordering point the access being added carries (once), or -1. */
    int takeLabel() {
        int p = pendingLabel;
        pendingLabel = -1;
        return p;
    }

    /** The execution graph as the run left it (graph models), for one pass's questions. */
    GraphMemory.FinalGraph finalGraph() {
        return ended != null ? ended : graph.finalGraph();
    }

    /** Setup and the judge see memory with every store buffer drained (TSO). */
    private void drainAll() {
        if (tso != null) {
            tso.drainAll();
        }
    }

    /** Under TSO: the note for a value read from memory while another role still buffers a newer one. */
    private String tsoMissed(int r, Cell c, long read) {
        return tso == null ? "" : tso.missed(r, c, read);
    }

    private Order weakenOrder(int r, String prim, Cell c, Order order) {
        if (order != Order.RELAXED && weak(r, prim, c)) {
            return Order.RELAXED;
        }
        return order;
    }
}
