package dev.tlbrace.harness.explore;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The explorer's memory: every access of a role is a scheduling point of the
 * {@link ControlledScheduler}, and under {@link MemoryModel#TSO} or {@link MemoryModel#LKMM} a
 * load may return an older store, chosen by the explorer like the next thread is.
 *
 * <p>Each cell keeps its stores in coherence order (new stores go at the end: see README
 * "The memory models" for what that costs). The models:
 * <ul>
 * <li>SC: a load reads the last store.</li>
 * <li>TSO: a store goes into its role's FIFO buffer; a load forwards from its own buffer, else
 *     reads memory, and the explorer chooses how much of the other roles' buffers has drained
 *     (all of it by default). smp_mb() and every RMW drain the role's own buffer first.</li>
 * <li>LKMM: a view semantics in the style of the promise-free fragment of Kang et al.'s
 *     promising semantics. Each role has a view (per cell, the oldest store it may still read);
 *     a load may read any store at or after it. A store carries a message view: the role's
 *     whole view for {@code smp_store_release} (A-cumulative), only what its last smp_wmb /
 *     smp_mb published for {@code WRITE_ONCE}. {@code smp_load_acquire} joins the message view
 *     of what it read; {@code READ_ONCE} defers that join to the next smp_rmb / smp_mb;
 *     smp_wmb publishes the role's own earlier stores (not A-cumulative, as in LKMM); smp_mb
 *     also exchanges views through one global view, in the order the fences run (what makes
 *     store buffering and IRIW with smp_mb impossible). Fully ordered RMWs are smp_mb; RMW;
 *     smp_mb and read the last store; unordered RMWs read the last store too but join nothing
 *     until a barrier; a failed cmpxchg is a plain load.</li>
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
    private int[] global = new int[0]; // LKMM: the view the last smp_mb published
    private final java.util.Map<Integer, Long> readerCounts = new java.util.HashMap<>(); // cell -> first high bit
    private final java.util.Set<Integer> lockWords = new java.util.HashSet<>(); // cells spin_lock has taken

    /** One store: its value, who made it at which step, and (LKMM) its message view. */
    private record Msg(long value, int role, int step, int[] view) { }

    /** A cell's stores in coherence order; index 0 is the initial value. */
    private static final class History {
        final String name;
        final List<Msg> mo = new ArrayList<>();

        History(String name, long init) {
            this.name = name;
            mo.add(new Msg(init, -1, 0, null));
        }

        int last() {
            return mo.size() - 1;
        }
    }

    /** What a turn first read in a cell: the value, and which store of the cell's coherence order. */
    private record Read(long value, int index) { }

    /** A store still in a TSO store buffer. */
    private record Buffered(int cell, long value, int step) { }

    /** Per role: its LKMM views and its TSO store buffer. */
    private static final class RoleState {
        int[] cur = new int[0];  // oldest store per cell this role may read
        int[] acq = new int[0];  // message views of READ_ONCEs, joined at the next smp_rmb / smp_mb
        int[] wmb = new int[0];  // what a WRITE_ONCE's message carries
        int[] own = new int[0];  // this role's latest store per cell
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
        super(cs);
        this.cs = cs;
        this.model = model;
        this.weakened = weakened;
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
        for (int q = first.index() + 1; q < h.mo.size(); q++) {
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

    /** The running role's step read store {@code index} of cell {@code id}. */
    private void readAt(int r, int id, int index) {
        touchWord(id, false);
        role(r).turnReads.putIfAbsent(id, new Read(cells.get(id).mo.get(index).value(), index));
    }

    /** The running role's step wrote (or, under TSO, buffered a store to) cell {@code id}. */
    private void wrote(int r, int id) {
        if (model == MemoryModel.TSO) {
            cs.touch(Footprint.buffer(r), true);
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
        if (model == MemoryModel.LKMM || readerCounts.isEmpty()) {
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
    private void addAt(int r, int id, int index, long delta, boolean returns, long old) {
        long high = highOf(id);
        if (high == 0) {
            cs.touchAdd(Footprint.cell(id));
            if (returns) {
                readAt(r, id, index);
            } else {
                // not a read, but a turn that adds and later subtracts must find the cell as it
                // found it to be a repeat (readsStable): the value before its first add counts
                role(r).turnReads.putIfAbsent(id, new Read(old, index));
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
            role(r).turnReads.putIfAbsent(-1 - id, new Read(old & -high, index));
        }
    }

    /**
     * A turn of a wait loop: every store made so far becomes visible to the waiting role (TSO:
     * the buffers drain; LKMM: its view moves to the latest store of every cell, as if it had
     * read each with READ_ONCE). Without it a role could spin on a stale value forever, which
     * no fair machine does; the cost is that no stale read survives a spin (README).
     */
    private void spun(int r) {
        RoleState me = role(r);
        for (int key : me.turnReads.keySet()) { // what decides whether the loop runs again
            if (key >= 0) {
                touchWord(key, false);
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
                for (int id = 0; id < cells.size(); id++) {
                    cs.touch(Footprint.cell(id), false); // the view moves to every latest store
                }
                RoleState t = role(r);
                for (int id = 0; id < cells.size(); id++) {
                    History h = cells.get(id);
                    t.cur = max(t.cur, id, h.last());
                    t.acq = join(t.acq, h.mo.get(h.last()).view());
                }
            }
        }
    }

    @Override
    protected Object newSimState(String base, int index, long init) {
        History h = new History(index < 0 ? base : base + "[" + index + "]", init);
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
     * spin_lock's cmpxchg_acquire, and under LKMM po-unlock-lock-po: after taking a lock, this
     * CPU's later stores carry its own earlier stores and what the unlock it read published, so
     * a critical section's stores propagate after the previous ones to every CPU
     * (MP+unlocklockonceonce+fencermbonceonce, ISA2+pooncelock+pooncelock+pombonce: Never).
     */
    @Override
    public boolean raw_spin_trylock(Cell c) {
        lockWords.add(c.id());
        boolean took = cas(c, "spin_lock", Order.ACQUIRE, 0, 1) == 0;
        if (!took && cs.currentRole() >= 0) {
            throw new IllegalStateException("spin_lock(" + c.name() + ") granted while held");
        }
        int r = cs.currentRole();
        if (took && r >= 0 && model == MemoryModel.LKMM && !weakenedLock(r, c)) {
            RoleState t = role(r);
            History h = hist(c);
            Msg unlock = h.mo.get(h.last() - 1);
            t.wmb = join(join(t.wmb, t.own), unlock.view());
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
        }
        h.mo.add(new Msg(v, -1, 0, null));
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
            readAt(r, c.id(), h.last()); // an oracle's read: part of what the step depends on
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
                readAt(r, c.id(), h.last());
            }
            case TSO -> {
                Buffered own = youngest(t, c.id());
                if (own != null) {
                    value = own.value();
                    cs.touch(Footprint.buffer(r), false);
                } else {
                    value = tsoRead(r, c, h).value();
                    readAt(r, c.id(), h.last());
                    note = tsoMissed(r, c, value);
                    stale = !note.isEmpty();
                }
            }
            default -> {
                int id = c.id();
                int lo = get(t.cur, id);
                int last = h.last();
                int k = cs.chooseRead(last - lo + 1);
                int p = last - k;
                Msg m = h.mo.get(p);
                readAt(r, id, p);
                t.cur = max(t.cur, id, p);
                if (acquire) {
                    t.cur = join(t.cur, m.view());
                } else {
                    t.acq = join(t.acq, m.view());
                }
                value = m.value();
                if (p < last) {
                    Msg newest = h.mo.get(last);
                    stale = true;
                    note = staleNote(c, newest.value(), newest.step(), newest.role(), "not yet visible");
                }
            }
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ") = " + Timeline.formatCell(c.name(), value) + note, stale);
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
        if (!prim.equals("spin_unlock") || model == MemoryModel.TSO) {
            wrote(r, c.id());
        } // an unlock conflicts with nothing: the next spin_lock waits for it and conflicts with the previous one (TSO: it buffers)
        switch (model) {
            case SC -> h.mo.add(new Msg(v, r, step, null));
            case TSO -> t.buffer.addLast(new Buffered(c.id(), v, step));
            default -> append(t, c, h, v, r, step, release ? t.cur : t.wmb, null);
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ", " + Timeline.formatCell(c.name(), v) + ")", false);
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
        long old = rmwAt(r, c, h, order, f, null);
        String note = tsoMissed(r, c, old);
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + "): " + Timeline.formatCell(c.name(), old) + " -> "
                    + Timeline.formatCell(c.name(), f.apply(old)) + note, !note.isEmpty());
        }
        return old;
    }

    /**
     * cmpxchg: succeeds atomically on the last store, or fails as a plain load; under LKMM a
     * failing one may read an older store (any that differs from {@code expect}).
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
        if (model == MemoryModel.LKMM) {
            int id = c.id();
            int last = h.last();
            List<Integer> options = new ArrayList<>();
            options.add(last);
            for (int p = last - 1; p >= get(t.cur, id) && !acquire; p--) { // spin_lock reads the unlock it waited for
                if (h.mo.get(p).value() != expect) {
                    options.add(p);
                }
            }
            int p = options.get(cs.chooseRead(options.size()));
            Msg m = h.mo.get(p);
            if (p == last && m.value() == expect) {
                old = rmwAt(r, c, h, order, x -> v, null);
            } else {
                readAt(r, id, p);
                t.cur = max(t.cur, id, p);
                t.acq = join(t.acq, m.view()); // a failed cmpxchg is a plain, unordered load
                old = m.value();
                if (p < last) {
                    Msg newest = h.mo.get(last);
                    stale = true;
                    note = staleNote(c, newest.value(), newest.step(), newest.role(), "not yet visible");
                }
            }
        } else {
            old = rmwAt(r, c, h, order, x -> v, expect);
            note = tsoMissed(r, c, old);
            stale = !note.isEmpty();
        }
        if (cs.recording()) {
            cs.noteAccess(prim + "(" + c.name() + ", " + Timeline.formatCell(c.name(), expect) + ", "
                    + Timeline.formatCell(c.name(), v) + "): " + Timeline.formatCell(c.name(), old)
                    + (old == expect ? " (success)" : " (failed)") + note, stale);
        }
        return old;
    }

    /**
     * The RMW proper, on the last store. With {@code casExpect} set it writes only if the old
     * value equals it (a cmpxchg under SC and TSO; under LKMM the caller decided success).
     */
    private long rmwAt(int r, Cell c, History h, Order order, Update f, Long casExpect) {
        RoleState t = role(r);
        int step = cs.currentStep();
        switch (model) {
            case SC, TSO -> {
                if (model == MemoryModel.TSO) {
                    drain(r); // LOCK-prefixed: fully ordered, whatever the kernel asked for
                }
                long old = model == MemoryModel.TSO ? tsoRead(r, c, h).value() : h.mo.get(h.last()).value();
                boolean stores = casExpect == null || old == casExpect;
                if (f instanceof Add a) {
                    addAt(r, c.id(), h.last(), a.delta(), a.returns(), old);
                } else {
                    readAt(r, c.id(), h.last());
                    if (stores) {
                        touchWord(c.id(), true); // under TSO too: an RMW goes straight to memory
                    }
                }
                if (stores) {
                    h.mo.add(new Msg(f.apply(old), r, step, null));
                }
                return old;
            }
            default -> {
                if (order == Order.FULL) {
                    mb(t);
                }
                int id = c.id();
                Msg m = h.mo.get(h.last());
                readAt(r, id, h.last());
                wrote(r, id);
                t.cur = max(t.cur, id, h.last());
                int[] base;
                switch (order) {
                    case FULL, ACQUIRE -> {
                        t.cur = join(t.cur, m.view());
                        base = order == Order.FULL ? t.cur : t.wmb;
                    }
                    case RELEASE -> {
                        t.acq = join(t.acq, m.view());
                        base = t.cur;
                    }
                    default -> {
                        t.acq = join(t.acq, m.view());
                        base = t.wmb;
                    }
                }
                long old = m.value();
                append(t, c, h, f.apply(old), r, step, base, m.view()); // carries what it read: stronger than LKMM
                if (order == Order.FULL) {
                    mb(t);
                }
                return old;
            }
        }
    }

    private void fence(String prim) {
        int r = cs.currentRole();
        if (r < 0) {
            return;
        }
        boolean global = prim.startsWith("smp_mb");
        if (global && model != MemoryModel.SC) {
            cs.access(prim, null); // a full barrier interacts with the other roles' barriers
        }
        if (weak(r, prim, null)) {
            if (global && model != MemoryModel.SC) {
                if (cs.recording()) {
                    cs.noteAccess(prim + "() (weakened: no-op)", false);
                }
            }
            return;
        }
        RoleState t = role(r);
        switch (model) {
            case SC -> { }
            case TSO -> {
                if (global) {
                    drain(r);
                }
            }
            default -> {
                if (global) {
                    mb(t);
                } else if (prim.equals("smp_rmb")) {
                    t.cur = join(t.cur, t.acq);
                } else {
                    t.wmb = join(t.wmb, t.own);
                }
            }
        }
        if (global && model != MemoryModel.SC) {
            if (cs.recording()) {
                cs.noteAccess(prim + "()", false);
            }
        }
    }

    // ---- LKMM views ----------------------------------------------------------------------

    private void mb(RoleState t) {
        cs.touch(Footprint.GLOBAL_VIEW, true); // fences are ordered with each other through it
        t.cur = join(t.cur, t.acq);
        t.cur = join(t.cur, global);
        global = t.cur.clone();
        t.wmb = t.cur.clone();
    }

    private void append(RoleState t, Cell c, History h, long v, int r, int step, int[] base, int[] extra) {
        int id = c.id();
        int p = h.mo.size();
        int[] view = join(base.clone(), extra);
        view = max(view, id, p);
        h.mo.add(new Msg(v, r, step, view));
        t.cur = max(t.cur, id, p);
        t.own = max(t.own, id, p);
    }

    private static int get(int[] view, int id) {
        return id < view.length ? view[id] : 0;
    }

    private static int[] max(int[] view, int id, int p) {
        int[] v = id < view.length ? view : Arrays.copyOf(view, id + 1);
        if (v[id] < p) {
            v[id] = p;
        }
        return v;
    }

    private static int[] join(int[] into, int[] other) {
        if (other == null) {
            return into;
        }
        int[] v = other.length <= into.length ? into : Arrays.copyOf(into, other.length);
        for (int i = 0; i < other.length; i++) {
            if (v[i] < other[i]) {
                v[i] = other[i];
            }
        }
        return v;
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
        return " (stale: " + Timeline.formatCell(c.name(), newest) + ", stored at step " + step
                + (role >= 0 ? " by " + cs.roleName(role) : "") + ", " + why + ")";
    }

}
