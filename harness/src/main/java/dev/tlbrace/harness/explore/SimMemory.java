package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The explorer's memory: every access of a role is a scheduling point of the
 * {@link ControlledScheduler}, and under {@link MemoryModel#TSO} or {@link MemoryModel#LKMM} a
 * load may return an older store, chosen by the explorer like the next thread is.
 *
 * <p>Each cell keeps its stores in coherence order (under SC and TSO new stores go at the end).
 * The models:
 * <ul>
 * <li>SC: a load reads the last store.</li>
 * <li>TSO: a store goes into its role's FIFO buffer; a load forwards from its own buffer, else
 *     reads memory, and the explorer chooses how much of the other roles' buffers has drained
 *     (all of it by default). smp_mb() and every RMW drain the role's own buffer first.</li>
 * <li>LKMM: the Linux-kernel memory model itself, over the execution graph the run builds
 *     ({@link LkmmGraph}): a load may read any store of its cell that coherence allows and that
 *     leaves the graph an execution linux-kernel.cat allows; a store may be placed anywhere in
 *     its cell's coherence order that does too (option 0: last). Every access is an event
 *     tagged as linux-kernel.def tags its primitive, every barrier a fence event, spin_lock and
 *     spin_unlock lock.cat's LKR, LKW and UL. Stores to one cell commute in the schedule (the
 *     coherence choice covers both orders); a store and a load of one cell do not.</li>
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
    private final List<History> cells = new ArrayList<>();
    private final List<RoleState> roles = new ArrayList<>();
    private final Set<OrderingPoint> orderingPoints = new LinkedHashSet<>();
    private final LkmmGraph graph; // LKMM: the execution graph so far; null otherwise
    private final boolean naive;
    private final Mutant mutant;
    private final java.util.Map<CheckKey, Boolean> checks; // LKMM: consistency answers by choice prefix
    private final java.util.Map<Integer, Long> readerCounts = new java.util.HashMap<>(); // cell -> first high bit
    private final java.util.Set<Integer> lockWords = new java.util.HashSet<>(); // cells spin_lock has taken

    /** One store: its value, who made it at which step, and (LKMM) its event. */
    private record Msg(long value, int role, int step, LkmmGraph.Ev ev, int[] clock) {
        Msg(long value, int role, int step, LkmmGraph.Ev ev) {
            this(value, role, step, ev, null);
        }
    }

    /** A consistency question: the graph with the candidate event in it, hashed ({@link LkmmGraph#key}). */
    record CheckKey(long h1, long h2, int size) { }

    /** A cell's stores in coherence order; index 0 is the initial value. */
    private static final class History {
        final String name;
        final int id;
        final List<Msg> mo = new ArrayList<>();
        boolean touched; // LKMM: a role's event accessed it
        int[] writeClock = new int[0]; // LKMM: the steps its stores depend on, joined
        int[] readClock = new int[0];  // and its loads

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

    /** A store still in a TSO store buffer. */
    private record Buffered(int cell, long value, int step) { }

    /** Per role: its LKMM coherence floor and turns, and its TSO store buffer. */
    private static final class RoleState {
        // LKMM: per cell, the coherence-latest store this role read or wrote (per-location coherence)
        final java.util.Map<Integer, Msg> floor = new java.util.HashMap<>();
        List<Msg> turnRf = new ArrayList<>();     // LKMM: the stores this turn of a wait loop read
        List<Msg> lastTurnRf = new ArrayList<>(); // and the previous turn
        int[] vc = new int[0]; // LKMM: per role, the latest of its steps this role's steps depend on (the schedule's happens-before)
        final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
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
     * @param checks LKMM: where one search keeps the model's answers across its executions (they
     *               replay the same choice prefixes), or null for this execution alone
     */
    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<CheckKey, Boolean> checks) {
        this(cs, model, weakened, checks, false);
    }

    /**
     * @param naive LKMM: the reduction's self-check: every store a load could read and every
     *              place a store could go that per-location coherence allows are options, and
     *              the model judges only the graph an execution ends with (one it forbids ends
     *              {@link Execution.Status#BLOCKED}, whatever the roles did with the values)
     */
    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<CheckKey, Boolean> checks, boolean naive) {
        this(cs, model, weakened, checks, naive, Mutant.NONE);
    }

    /**
     * What the reduction's self-check breaks on purpose to show it notices: the model without
     * its happens-before axiom, or loads that do not conflict with stores (so the search never
     * runs a load after a store it first ran it before: the graph engine's revisits).
     */
    enum Mutant { NONE, NO_HAPPENS_BEFORE, NO_LOAD_STORE_RACES }

    SimMemory(ControlledScheduler cs, MemoryModel model, Predicate<OrderingPoint> weakened,
              java.util.Map<CheckKey, Boolean> checks, boolean naive, Mutant mutant) {
        super(cs);
        this.cs = cs;
        this.model = model;
        this.weakened = weakened;
        this.graph = model == MemoryModel.ARMV8 ? new LkmmGraph(new dev.tlbrace.harness.graph.Armv8())
                : model == MemoryModel.LKMM ? new LkmmGraph(mutant == Mutant.NO_HAPPENS_BEFORE
                ? new dev.tlbrace.harness.graph.Lkmm(Set.of("happens-before")) : new dev.tlbrace.harness.graph.Lkmm()) : null;
        this.mutant = mutant;
        this.naive = naive && graph != null;
        if (this.naive) {
            cs.onComplete(() -> graph.consistent(coherence()));
        }
        this.checks = checks != null ? checks : new java.util.HashMap<>();
        cs.enableAccessPoints();
        cs.onSpin(this::spun);
        cs.onSpinState(this::readsStable);
        cs.onLockState(id -> lockWords.contains(id) && refreshed(id) != 0);
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
        for (int j = 0; j < roles.size(); j++) {
            if (j == r) {
                continue;
            }
            for (Buffered b : roles.get(j).buffer) {
                if (b.cell() == id && (high == 0 || (b.value() & -high) != first.value())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What a role reads at {@code key} ({@link RoleState#turnReads}) after a spin: the latest store, every buffer drained. */
    private long refreshed(int key) {
        if (key < 0) {
            return refreshed(-1 - key) & -highOf(-1 - key);
        }
        int id = key;
        History h = cells.get(id);
        long v = h.mo.get(h.last()).value();
        if (model == MemoryModel.TSO) {
            for (RoleState t : roles) { // drainAll's order: the last role's store lands last
                Buffered b = youngest(t, id);
                if (b != null) {
                    v = b.value();
                }
            }
        }
        return v;
    }

    /** The running role's step read store {@code m} of cell {@code id}. */
    private void readAt(int r, int id, Msg m) {
        if (mutant != Mutant.NO_LOAD_STORE_RACES) {
            touchWord(id, false);
        }
        if (graph != null) {
            dependsOnStores(r, cells.get(id));
        }
        role(r).turnReads.putIfAbsent(id, new Read(m.value(), m));
    }

    /** The running role's step wrote (or, under TSO, buffered a store to) cell {@code id}. */
    private void wrote(int r, int id) {
        if (model == MemoryModel.TSO) {
            cs.touch(Footprint.buffer(r), true);
        } else if (graph != null) {
            cs.touchAdd(Footprint.cell(id)); // stores commute: where each goes in coherence is chosen
        } else {
            touchWord(id, true);
        }
    }

    /** A whole-word access: for a reader-count word, both its resources. */
    private void touchWord(int id, boolean write) {
        cs.touch(Footprint.cell(id), write);
        if (highOf(id) != 0) {
            cs.touch(Footprint.cellHigh(id), write);
        }
    }

    /**
     * The first high bit of a reader-count word ({@link Memory#readerCount}), 0 for any other
     * cell. Under LKMM none: there an RMW also carries the view of the RMW it read, so two
     * readers' adds are ordered by what they pass on and do not commute.
     */
    private long highOf(int id) {
        if (model.graphs() || readerCounts.isEmpty()) {
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
     * A turn of a wait loop. TSO: every store made so far becomes visible to the waiting role
     * (the buffers drain); without it a role could spin on a stale value forever, which no fair
     * machine does. LKMM: a turn that read the stores the turn before it read (of its own stores,
     * the same values) is that turn again (the code is deterministic in what it reads), so the execution is dropped as
     * {@link Execution.Status#BLOCKED}: the one where the role waited is explored instead
     * (GenMC's spin-assume). A role with nothing newer to read is blocked before it starts
     * such a turn ({@link #readsStable}).
     */
    private void spun(int r) {
        RoleState me = role(r);
        for (int key : me.turnReads.keySet()) { // what decides whether the loop runs again
            if (key >= 0) {
                touchWord(key, false);
                if (graph != null) {
                    dependsOnStores(r, cells.get(key));
                }
            } else {
                cs.touch(Footprint.cellHigh(-1 - key), false);
            }
        }
        me.turnReads.clear();
        switch (model) {
            case SC -> { }
            case TSO -> {
                for (int j = 0; j < cs.roleCount(); j++) {
                    cs.touch(Footprint.buffer(j), false);
                }
                drainAll();
            }
            default -> {
                boolean again = !me.turnRf.isEmpty() && sameStores(r, me.turnRf, me.lastTurnRf);
                me.lastTurnRf = me.turnRf;
                me.turnRf = new ArrayList<>();
                if (again) {
                    cs.cut();
                }
            }
        }
    }

    /**
     * Whether two turns of role {@code r} read the same: the same stores of other roles, and of
     * its own stores the same values (a turn that takes and drops a lock reads the unlock of the
     * turn before it: a store of its own, new each turn, with the value the last one read).
     */
    private static boolean sameStores(int r, List<Msg> a, List<Msg> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Msg x = a.get(i);
            Msg y = b.get(i);
            if (x != y && !(x.role() == r && y.role() == r && x.value() == y.value())) {
                return false;
            }
        }
        return true;
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
     * spin_lock's cmpxchg_acquire; under LKMM lock.cat's LKR and LKW (so po-unlock-lock-po and
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

    private interface Update {
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
        if (acquire && weak(r, prim, c)) {
            acquire = false;
        }
        RoleState t = role(r);
        long value;
        String note = "";
        boolean stale = false;
        switch (model) {
            case SC -> {
                value = h.mo.get(h.last()).value();
                readAt(r, c.id(), h.mo.get(h.last()));
            }
            case TSO -> {
                Buffered own = youngest(t, c.id());
                if (own != null) {
                    value = own.value();
                    cs.touch(Footprint.buffer(r), false);
                } else {
                    value = tsoRead(r, c, h).value();
                    readAt(r, c.id(), h.mo.get(h.last()));
                    note = tsoMissed(r, c, value);
                    stale = !note.isEmpty();
                }
            }
            default -> {
                Msg m = graphRead(r, c, h, EnumSet.of(acquire ? Tag.ACQUIRE : Tag.ONCE), null, null, null);
                value = m.value();
                note = staleNote(c, h, m);
                stale = !note.isEmpty();
            }
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ") = " + Timeline.formatCell(c, value) + note, stale);
        }
        return value;
    }

    private void store(Cell c, long v, String prim, boolean release) {
        int r = cs.currentRole();
        History h = hist(c);
        if (r < 0) {
            direct(h, v);
            return;
        }
        cs.access(prim, c.name());
        if (release && weak(r, prim, c)) {
            release = false;
        }
        RoleState t = role(r);
        int step = cs.currentStep();
        boolean unlock = prim.equals("spin_unlock");
        if (!unlock || model == MemoryModel.TSO) {
            wrote(r, c.id());
        } // an unlock conflicts with nothing: the next spin_lock waits for it and conflicts with the previous one (TSO: it buffers)
        String note = "";
        switch (model) {
            case SC -> h.mo.add(new Msg(v, r, step, null));
            case TSO -> t.buffer.addLast(new Buffered(c.id(), v, step));
            default -> {
                Tag tag = unlock && release ? Tag.UL : release ? Tag.RELEASE : Tag.ONCE;
                Msg m = graphWrite(r, h, v, EnumSet.of(tag), unlock);
                note = coNote(h, m);
            }
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ", " + Timeline.formatCell(c, v) + ")" + note, !note.isEmpty());
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
        order = weakenOrder(r, prim, c, order);
        long old;
        String note;
        if (graph != null) {
            Set<Tag> tags = rmwTags(prim, order);
            Msg m = graphRead(r, c, h, tags, f, null, tags);
            old = m.value();
            note = staleNote(c, h, m);
        } else {
            old = rmwAt(r, c, h, order, f, null);
            note = tsoMissed(r, c, old);
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + "): " + Timeline.formatCell(c, old) + " -> "
                    + Timeline.formatCell(c, f.apply(old)) + note, !note.isEmpty());
        }
        return old;
    }

    /**
     * cmpxchg: succeeds atomically on the last store, or fails as a plain load; under LKMM it
     * may read any store {@link #graphRead} allows, and succeeds iff that store holds {@code expect}.
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
            if (model == MemoryModel.TSO) {
                drainThroughLatest(r, c.id()); // the unlock it waited for has reached memory
            }
        } else {
            cs.access(prim, c.name());
        }
        order = weakenOrder(r, prim, c, order);
        RoleState t = role(r);
        long old;
        boolean stale = false;
        String note = "";
        if (graph != null) {
            boolean lock = acquire && !weakenedLock(r, c);
            Set<Tag> tags = lock ? EnumSet.of(Tag.LKR) : rmwTags(prim, order);
            Msg m = graphRead(r, c, h, tags, x -> v, expect, lock ? EnumSet.of(Tag.LKW) : tags);
            old = m.value();
            note = staleNote(c, h, m);
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
        }
        return old;
    }

    /**
     * The RMW proper, on the last store. With {@code casExpect} set it writes only if the old
     * value equals it (a cmpxchg under SC and TSO; under LKMM the caller decided success).
     */
    private long rmwAt(int r, Cell c, History h, Order order, Update f, Long casExpect) {
        int step = cs.currentStep();
        if (model == MemoryModel.TSO) {
            drain(r); // LOCK-prefixed: fully ordered, whatever the kernel asked for
        }
        long old = model == MemoryModel.TSO ? tsoRead(r, c, h).value() : h.mo.get(h.last()).value();
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
        if (global && model == MemoryModel.TSO) {
            cs.access(prim, null); // a full barrier drains the buffer other roles read through
        }
        if (weak(r, prim, null)) {
            if (cs.recording() && model != MemoryModel.SC) {
                cs.noteAccess(prim + "() (weakened: no-op)", false);
            }
            return;
        }
        switch (model) {
            case SC -> { }
            case TSO -> {
                if (global) {
                    drain(r);
                }
            }
            default -> graph.add(r, Kind.F, -1, 0, EnumSet.of(switch (prim) {
                case "smp_rmb" -> Tag.RMB;
                case "smp_wmb" -> Tag.WMB;
                case "smp_mb__before_atomic" -> Tag.BEFORE_ATOMIC;
                case "smp_mb__after_atomic" -> Tag.AFTER_ATOMIC;
                case "smp_mb__after_spinlock" -> Tag.AFTER_SPINLOCK;
                default -> Tag.MB;
            })); // no scheduling point: a fence event only orders its own CPU's events in the graph
        }
        if (global && model == MemoryModel.TSO && cs.recording()) {
            cs.noteAccess(prim + "()", false);
        }
    }

    // ---- LKMM: the execution graph -------------------------------------------------------

    /** linux-kernel.def's tags for an RMW primitive of this ordering. */
    private static Set<Tag> rmwTags(String prim, Order order) {
        boolean noreturn = prim.equals("atomic_add") || prim.equals("set_bit") || prim.equals("clear_bit");
        Tag t = switch (order) {
            case FULL -> Tag.MB;
            case ACQUIRE -> Tag.ACQUIRE;
            case RELEASE -> Tag.RELEASE;
            default -> noreturn ? Tag.NORETURN : Tag.ONCE;
        };
        return EnumSet.of(t, Tag.RMW);
    }

    /**
     * An LKMM load by role {@code r}: the explorer chooses which store of the cell it reads,
     * among those not older than what it already read or wrote there (per-location coherence)
     * that leave the graph consistent; option 0 is the newest. With {@code f} it is an RMW
     * (with {@code expect}, a cmpxchg that writes only if it read {@code expect}): its store
     * goes right after the one it read, which no other RMW may have read already (atomic).
     */
    private Msg graphRead(int r, Cell c, History h, Set<Tag> readTags, Update f, Long expect, Set<Tag> writeTags) {
        int id = c.id();
        h.touched = true;
        RoleState t = role(r);
        Msg fl = t.floor.get(id);
        int lo = fl == null ? 0 : h.pos(fl);
        int last = h.last();
        boolean lock = readTags.contains(Tag.LKR); // spin_lock takes a free lock: it reads the unlock it waited for
        int[] before = t.vc.clone();
        List<Integer> options = new ArrayList<>();
        for (int p = last; p >= lo; p--) {
            Msg m = h.mo.get(p);
            boolean writes = f != null && (expect == null || m.value() == expect);
            if (p < last && (lock || !naive && (!newerHappenedBefore(r, h, p, before) || (writes && consumed(h, p))
                    || !consistentWith(r, h, p, readTags, writes ? f.apply(m.value()) : null, writeTags)))) {
                continue;
            }
            options.add(p);
        }
        int p = options.get(cs.chooseRead(options.size()));
        Msg m = h.mo.get(p);
        boolean writes = f != null && (expect == null || m.value() == expect);
        LkmmGraph.Ev read = graph.add(r, Kind.R, id, m.value(), readTags);
        read.rf = m.ev();
        readAt(r, id, m);
        t.turnRf.add(m);
        t.floor.put(id, m);
        if (writes) {
            long nv = f.apply(m.value());
            LkmmGraph.Ev write = graph.add(r, Kind.W, id, nv, writeTags);
            write.rmwRead = read;
            wrote(r, id);
            Msg w = new Msg(nv, r, cs.currentStep(), write, stamp(r, h));
            h.mo.add(p + 1, w);
            t.floor.put(id, w);
        }
        return m;
    }

    /**
     * An LKMM store by role {@code r}: the explorer chooses where it goes in the cell's
     * coherence order, after what the role already read or wrote there, never between an RMW and
     * the store it read, and where the graph stays consistent; option 0 is last.
     */
    private Msg graphWrite(int r, History h, long v, Set<Tag> tags, boolean unlock) {
        int id = h.id;
        h.touched = true;
        RoleState t = role(r);
        Msg fl = t.floor.get(id);
        int lo = fl == null ? 0 : h.pos(fl);
        int last = h.last();
        List<Integer> options = new ArrayList<>();
        options.add(last + 1);
        for (int q = last; q > lo; q--) {
            if (naive || !consumed(h, q - 1) && consistentWith(r, h, q, null, v, tags)) {
                options.add(q);
            }
        }
        int q = options.get(cs.chooseRead(options.size()));
        LkmmGraph.Ev write = graph.add(r, Kind.W, id, v, tags); // store() touched the footprint
        Msg w = new Msg(v, r, cs.currentStep(), write, unlock ? null : stamp(r, h)); // an unlock conflicts with nothing
        h.mo.add(q, w);
        t.floor.put(id, w);
        return w;
    }

    /**
     * Whether a store after store {@code p} in coherence happened before the running step in
     * the schedule, other than through this load itself ({@code before}: the role's clock as the
     * step began). If none did, the schedule that runs this load before all of them is explored
     * too (the load and each such store are a race the reduction reverses), and there the load
     * reads store {@code p} as the newest: reading it here would build the same graph again.
     */
    private boolean newerHappenedBefore(int r, History h, int p, int[] before) {
        for (int q = p + 1; q < h.mo.size(); q++) {
            Msg w = h.mo.get(q);
            if (w.role() >= 0 && w.role() != r && w.role() < before.length && before[w.role()] >= w.step()) {
                return true;
            }
        }
        return false;
    }

    /** The running role's step loads from {@code h}: it now depends on every store to it (they conflict). */
    private void dependsOnStores(int r, History h) {
        RoleState t = role(r);
        t.vc = join(tick(t.vc, r), h.writeClock);
        h.readClock = join(h.readClock, t.vc);
    }

    /** The running role's step stores to {@code h}: it depends on every load of it; the store's clock. */
    private int[] stamp(int r, History h) {
        RoleState t = role(r);
        t.vc = join(tick(t.vc, r), h.readClock);
        h.writeClock = join(h.writeClock, t.vc);
        return t.vc.clone();
    }

    private int[] tick(int[] vc, int r) {
        int[] v = vc.length > r ? vc : Arrays.copyOf(vc, r + 1);
        v[r] = Math.max(v[r], cs.currentStep());
        return v;
    }

    private static int[] join(int[] into, int[] other) {
        int[] v = other.length <= into.length ? into : Arrays.copyOf(into, other.length);
        for (int i = 0; i < other.length; i++) {
            if (v[i] < other[i]) {
                v[i] = other[i];
            }
        }
        return v;
    }

    /** Whether an RMW read store {@code p}: its own store follows it in coherence. */
    private static boolean consumed(History h, int p) {
        if (p + 1 >= h.mo.size()) {
            return false;
        }
        LkmmGraph.Ev next = h.mo.get(p + 1).ev();
        return next != null && next.rmwRead != null && next.rmwRead.rf == h.mo.get(p).ev();
    }

    /**
     * Whether the graph stays consistent with one more event of role {@code r} on this cell:
     * with {@code readTags}, a read of store {@code p} (and with {@code value}, its RMW's store
     * right after it); without, a store of {@code value} at position {@code p}. Asked once per
     * choice prefix of the search.
     */
    private boolean consistentWith(int r, History h, int p, Set<Tag> readTags, Long value, Set<Tag> writeTags) {
        int added = 0;
        int at = -1;
        LkmmGraph.Ev read = null;
        if (readTags != null) {
            read = graph.add(r, Kind.R, h.id, h.mo.get(p).value(), readTags);
            read.rf = h.mo.get(p).ev();
            added++;
        }
        if (value != null) {
            LkmmGraph.Ev write = graph.add(r, Kind.W, h.id, value, writeTags);
            write.rmwRead = read;
            added++;
            at = read != null ? p + 1 : p;
            h.mo.add(at, new Msg(value, r, 0, write));
        }
        try {
            List<List<LkmmGraph.Ev>> co = coherence();
            CheckKey key = graph.key(co);
            Boolean known = checks.get(key);
            if (known != null) {
                return known;
            }
            boolean ok = graph.consistent(co);
            checks.put(key, ok);
            return ok;
        } finally {
            if (at >= 0) {
                h.mo.remove(at);
            }
            for (int i = 0; i < added; i++) {
                graph.removeLast();
            }
        }
    }

    /** Per cell, the events of its stores in coherence order (null for a cell no role touched). */
    private List<List<LkmmGraph.Ev>> coherence() {
        List<List<LkmmGraph.Ev>> out = new ArrayList<>(cells.size());
        for (History h : cells) {
            if (!h.touched) {
                out.add(null);
                continue;
            }
            List<LkmmGraph.Ev> evs = new ArrayList<>(h.mo.size());
            for (Msg m : h.mo) {
                evs.add(m.ev());
            }
            out.add(evs);
        }
        return out;
    }

    /** The timeline's note for a load that read {@code m}: which newer store it did not see. */
    private String staleNote(Cell c, History h, Msg m) {
        Msg newest = h.mo.get(h.last());
        if (newest == m || newest.ev() != null && newest.ev().rmwRead != null && newest.ev().rmwRead.rf == m.ev()) {
            return ""; // the newest, or the store its own RMW just put after it
        }
        int q = h.pos(m) + 1;
        if (q < h.last() && h.mo.get(q).ev() != null && h.mo.get(q).ev().rmwRead != null && h.mo.get(q).ev().rmwRead.rf == m.ev()) {
            q++; // the RMW's own store, right after what it read: the store it missed comes next
        }
        Msg next = h.mo.get(q);
        return " (stale: " + Timeline.formatCell(c, next.value()) + ", stored at step " + next.step()
                + (next.role() >= 0 ? " by " + cs.roleName(next.role()) : "") + ", not yet visible"
                + (m.role() >= 0 ? "; read the store of step " + m.step() + " by " + cs.roleName(m.role()) : "; read the initial value")
                + ")";
    }

    /** The timeline's note for a store placed before another in coherence. */
    private String coNote(History h, Msg w) {
        int q = h.pos(w);
        if (q == h.last()) {
            return "";
        }
        Msg after = h.mo.get(q + 1);
        return " (coherence: before " + h.describe(after.value()) + ", stored at step " + after.step()
                + (after.role() >= 0 ? " by " + cs.roleName(after.role()) : "") + ")";
    }

    // ---- TSO store buffers ---------------------------------------------------------------

    /**
     * A TSO load from memory: the explorer chooses how far the other roles' buffers have
     * drained. Option 0 drains them all; 1 drains none; then, per other role and per store it
     * buffered to this cell, drain that role up to and including that store.
     */
    private Msg tsoRead(int r, Cell c, History h) {
        for (int j = 0; j < cs.roleCount(); j++) {
            if (j != r) {
                cs.touch(Footprint.buffer(j), false); // how far they drained is this load's choice
            }
        }
        List<int[]> partial = new ArrayList<>(); // {role, entries to drain}
        boolean any = false;
        for (int j = 0; j < roles.size(); j++) {
            if (j == r) {
                continue;
            }
            int i = 0;
            for (Buffered b : roles.get(j).buffer) {
                i++;
                if (b.cell() == c.id()) {
                    any = true;
                    partial.add(new int[] {j, i});
                }
            }
        }
        if (any) {
            int k = cs.chooseRead(2 + partial.size());
            if (k == 0) {
                drainOthers(r);
            } else if (k >= 2) {
                int[] jp = partial.get(k - 2);
                for (int n = 0; n < jp[1]; n++) {
                    commit(jp[0]);
                }
            }
        }
        return h.mo.get(h.last());
    }

    /** Under TSO: the note for a value read from memory while another role still buffers a newer one. */
    private String tsoMissed(int r, Cell c, long read) {
        if (model != MemoryModel.TSO) {
            return "";
        }
        Buffered missed = newestBufferedElsewhere(r, c.id());
        if (missed == null || missed.value() == read) {
            return "";
        }
        return staleNote(c, missed.value(), missed.step(), ownerOf(missed), "still in its store buffer");
    }

    private Buffered youngest(RoleState t, int cell) {
        Buffered found = null;
        for (Buffered b : t.buffer) {
            if (b.cell() == cell) {
                found = b;
            }
        }
        return found;
    }

    private Buffered newestBufferedElsewhere(int r, int cell) {
        Buffered found = null;
        for (int j = 0; j < roles.size(); j++) {
            if (j != r) {
                Buffered b = youngest(roles.get(j), cell);
                if (b != null && (found == null || b.step() > found.step())) {
                    found = b;
                }
            }
        }
        return found;
    }

    private int ownerOf(Buffered b) {
        for (int j = 0; j < roles.size(); j++) {
            for (Buffered x : roles.get(j).buffer) {
                if (x == b) {
                    return j;
                }
            }
        }
        return -1;
    }

    private void commit(int j) {
        Buffered b = roles.get(j).buffer.pollFirst();
        if (b != null) {
            cs.touch(Footprint.buffer(j), true);
            touchWord(b.cell(), true);
            cells.get(b.cell()).mo.add(new Msg(b.value(), j, b.step(), null));
        }
    }

    /** Commits every other role's buffered stores up to its youngest store to cell {@code id} (FIFO). */
    private void drainThroughLatest(int r, int id) {
        for (int j = 0; j < roles.size(); j++) {
            if (j == r) {
                continue;
            }
            Buffered youngest = youngest(roles.get(j), id);
            while (youngest != null && !roles.get(j).buffer.isEmpty()) {
                if (roles.get(j).buffer.peekFirst() == youngest) {
                    commit(j);
                    break;
                }
                commit(j);
            }
        }
    }

    private void drain(int j) {
        if (j < roles.size()) {
            while (!roles.get(j).buffer.isEmpty()) {
                commit(j);
            }
        }
    }

    private void drainOthers(int r) {
        for (int j = 0; j < roles.size(); j++) {
            if (j != r) {
                drain(j);
            }
        }
    }

    private void drainAll() {
        for (int j = 0; j < roles.size(); j++) {
            drain(j);
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

    /** Records an ordering point and whether this execution weakens it. */
    private boolean weak(int r, String prim, Cell c) {
        OrderingPoint p = new OrderingPoint(cs.contextOf(r), prim, c == null ? null : c.name());
        orderingPoints.add(p);
        return weakened != null && weakened.test(p);
    }

    private Order weakenOrder(int r, String prim, Cell c, Order order) {
        if (order != Order.RELAXED && weak(r, prim, c)) {
            return Order.RELAXED;
        }
        return order;
    }

    private String staleNote(Cell c, long newest, int step, int role, String why) {
        return " (stale: " + Timeline.formatCell(c, newest) + ", stored at step " + step
                + (role >= 0 ? " by " + cs.roleName(role) : "") + ", " + why + ")";
    }

}
