package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.explore.SimMemory.History;
import dev.tlbrace.harness.explore.SimMemory.Loaded;
import dev.tlbrace.harness.explore.SimMemory.Msg;
import dev.tlbrace.harness.explore.SimMemory.Mutant;
import dev.tlbrace.harness.explore.SimMemory.Order;
import dev.tlbrace.harness.explore.SimMemory.Update;
import dev.tlbrace.harness.graph.Armv8;
import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.Lkmm;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.model.sync.Cell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link SimMemory} under a graph model, {@code lkmm} ({@link Lkmm}) or {@code armv8}
 * ({@link Armv8}): the execution graph the run builds ({@link LkmmGraph}), and the explorer's
 * choices over it. A load may read any store of its cell that per-location coherence allows and
 * that leaves the graph an execution the model allows; a store may be placed anywhere in its
 * cell's coherence order that does too (option 0: last). Every access is an event tagged as
 * linux-kernel.def tags its primitive, every barrier a fence event, spin_lock and spin_unlock
 * lock.cat's LKR, LKW and UL; the model decides what the tags mean (armv8: as arch/arm64
 * compiles them). Stores to one cell commute in the schedule (the coherence choice covers both
 * orders); a store and a load of one cell do not. A wait loop's turn that read what the turn
 * before it read is that turn again: the execution is cut (GenMC's spin-assume).
 *
 * <p>The cells and their coherence order are {@link SimMemory}'s; what is the graph's alone is
 * here: per role its coherence floor, wait-loop turns and schedule clock, per cell the clocks of
 * its loads and stores, and the model's answers.
 */
final class GraphMemory {
    /** A consistency question: the graph with the candidate event in it, hashed ({@link LkmmGraph#key}). */
    record CheckKey(long h1, long h2, int size) { }

    /** Per role. */
    private static final class RoleGraph {
        final Map<Integer, Msg> floor = new HashMap<>(); // per cell, the coherence-latest store this role read or wrote
        List<Msg> turnRf = new ArrayList<>();     // the stores this turn of a wait loop read
        List<Msg> lastTurnRf = new ArrayList<>(); // and the previous turn
        LkmmGraph.Ev lastRead; // its latest read event (litmus programs' dependencies)
        int[] vc = new int[0]; // per role, the latest of its steps this role's steps depend on (the schedule's happens-before)
    }

    /** Per cell. */
    private static final class CellGraph {
        boolean touched; // a role's event accessed it
        int[] writeClock = new int[0]; // the steps its stores depend on, joined
        int[] readClock = new int[0];  // and its loads
    }

    private final SimMemory mem;
    private final ControlledScheduler cs;
    private final LkmmGraph graph; // the execution graph so far
    private final boolean naive;
    private final Map<CheckKey, Boolean> checks; // consistency answers by graph
    private final List<RoleGraph> roles = new ArrayList<>();
    private final List<CellGraph> cellGraphs = new ArrayList<>();

    /** See {@link SimMemory}'s constructors for {@code checks}, {@code naive} and {@code mutant}. */
    GraphMemory(SimMemory mem, ControlledScheduler cs, MemoryModel model, Mutant mutant, boolean naive,
                Map<CheckKey, Boolean> checks) {
        this.mem = mem;
        this.cs = cs;
        this.graph = model == MemoryModel.ARMV8 ? new LkmmGraph(new Armv8())
                : new LkmmGraph(mutant == Mutant.NO_HAPPENS_BEFORE ? new Lkmm(Set.of("happens-before")) : new Lkmm());
        this.naive = naive;
        if (naive) {
            cs.onComplete(() -> graph.consistent(coherence()));
        }
        this.checks = checks != null ? checks : new HashMap<>();
    }

    private RoleGraph role(int r) {
        while (roles.size() <= r) {
            roles.add(new RoleGraph());
        }
        return roles.get(r);
    }

    private CellGraph cell(int id) {
        while (cellGraphs.size() <= id) {
            cellGraphs.add(new CellGraph());
        }
        return cellGraphs.get(id);
    }

    /** Role {@code r}'s latest read event, a token for {@link #depends}. */
    Object lastRead(int r) {
        return role(r).lastRead;
    }

    /** Role {@code r}'s next events depend on these reads of its own ({@link LkmmGraph#depends}). */
    void depends(int r, List<Object> addr, List<Object> data, List<Object> ctrl) {
        graph.depends(r, evs(addr), evs(data), evs(ctrl));
    }

    private static List<LkmmGraph.Ev> evs(List<Object> tokens) {
        List<LkmmGraph.Ev> out = new ArrayList<>(tokens.size());
        for (Object o : tokens) {
            out.add((LkmmGraph.Ev) o);
        }
        return out;
    }

    // ---- the primitives, as events -------------------------------------------------------

    Loaded load(int r, Cell c, History h, boolean acquire) {
        int point = mem.takeLabel();
        Set<Tag> tags = EnumSet.of(acquire ? Tag.ACQUIRE : Tag.ONCE);
        Msg m = point < 0 ? read(r, c, h, tags, null, null, null)
                : labelled(point, tags, null, read(r, c, h, EnumSet.of(Tag.ONCE), null, null, null));
        return new Loaded(m.value(), staleNote(c, h, m), m.role());
    }

    /** A store (spin_unlock: lock.cat's UL unless weakened); the timeline's coherence note. */
    String store(int r, History h, long v, boolean release, boolean unlock) {
        int point = mem.takeLabel();
        Tag tag = unlock && release ? Tag.UL : release ? Tag.RELEASE : Tag.ONCE;
        if (point >= 0) {
            Msg w = write(r, h, v, EnumSet.of(Tag.ONCE), unlock);
            w.ev().point = point;
            w.ev().strong = EnumSet.of(tag);
            return coNote(h, w);
        }
        return coNote(h, write(r, h, v, EnumSet.of(tag), unlock));
    }

    /** An RMW that always writes. */
    Loaded rmw(int r, Cell c, History h, String prim, Order order, Update f) {
        int point = mem.takeLabel();
        Set<Tag> tags = rmwTags(prim, order);
        Set<Tag> weak = point < 0 ? tags : rmwTags(prim, Order.RELAXED);
        Msg m = read(r, c, h, weak, f, null, weak);
        return new Loaded(labelled(point, tags, tags, m).value(), staleNote(c, h, m), m.role());
    }

    /** A cmpxchg: succeeds iff the store it reads holds {@code expect}; {@code lock}: spin_lock's LKR and LKW. */
    Loaded cas(int r, Cell c, History h, String prim, Order order, long expect, long v, boolean lock) {
        int point = mem.takeLabel();
        if (point >= 0 && lock) {
            throw new IllegalStateException("spin_lock is not weakened in one pass: its weakening changes the run");
        }
        Set<Tag> tags = lock ? EnumSet.of(Tag.LKR) : rmwTags(prim, order);
        Set<Tag> weak = point < 0 ? tags : rmwTags(prim, Order.RELAXED);
        Msg m = read(r, c, h, weak, x -> v, expect, lock ? EnumSet.of(Tag.LKW) : weak);
        return new Loaded(labelled(point, tags, tags, m).value(), staleNote(c, h, m), m.role());
    }

    /**
     * One pass ({@link Fences}): the events the access just added (its read, and its RMW's
     * store if it wrote) carry ordering point {@code point}, built weak, with the tags it puts back.
     */
    private Msg labelled(int point, Set<Tag> strongRead, Set<Tag> strongWrite, Msg read) {
        if (point < 0) {
            return read;
        }
        LkmmGraph.Ev last = graph.last();
        LkmmGraph.Ev r = last.rmwRead != null ? last.rmwRead : last;
        r.point = point;
        r.strong = strongRead;
        if (last.rmwRead != null) {
            last.point = point;
            last.strong = strongWrite;
        }
        return read;
    }

    /**
     * A barrier: a fence event; no scheduling point, it only orders its own CPU's events in the graph.
     * In one pass ({@link Fences}) it carries its ordering point, which the model may leave out.
     */
    void fence(int r, String prim) {
        int point = mem.takeLabel();
        Set<Tag> tags = EnumSet.of(switch (prim) {
            case "smp_rmb" -> Tag.RMB;
            case "smp_wmb" -> Tag.WMB;
            case "smp_mb__before_atomic" -> Tag.BEFORE_ATOMIC;
            case "smp_mb__after_atomic" -> Tag.AFTER_ATOMIC;
            case "smp_mb__after_spinlock" -> Tag.AFTER_SPINLOCK;
            default -> Tag.MB;
        });
        if (point < 0) {
            graph.add(r, Kind.F, -1, 0, tags);
            return;
        }
        LkmmGraph.Ev f = graph.add(r, Kind.F, -1, 0, EnumSet.noneOf(Tag.class));
        f.point = point;
        f.strong = tags;
    }

    /** The graph this execution built, for questions asked after it ended (one pass: {@link Fences}). */
    FinalGraph finalGraph() {
        return new FinalGraph(graph, coherence());
    }

    /** A finished execution's graph; its questions are answered one at a time. */
    static final class FinalGraph {
        private final LkmmGraph graph;
        private final List<List<LkmmGraph.Ev>> co;

        FinalGraph(LkmmGraph graph, List<List<LkmmGraph.Ev>> co) {
            this.graph = graph;
            this.co = co;
        }

        /** Whether the model allows it with the points {@code weak} names weakened, every other put back. */
        synchronized boolean consistent(java.util.function.IntPredicate weak) {
            return graph.consistent(co, weak);
        }

        /** The ordering points its events carry. */
        java.util.BitSet points() {
            return graph.points();
        }

        CheckKey key() {
            return graph.key(co);
        }
    }

    /**
     * A turn of a wait loop: one that read the stores the turn before it read (of its own stores,
     * the same values) is that turn again (the code is deterministic in what it reads), so the
     * execution is cut ({@link Execution.Status#BLOCKED}): the one where the role waited is
     * explored instead (GenMC's spin-assume).
     */
    void spun(int r) {
        RoleGraph me = role(r);
        boolean again = !me.turnRf.isEmpty() && sameStores(r, me.turnRf, me.lastTurnRf);
        me.lastTurnRf = me.turnRf;
        me.turnRf = new ArrayList<>();
        if (again) {
            cs.cut();
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

    // ---- the explorer's choices ----------------------------------------------------------

    /**
     * A load by role {@code r}: the explorer chooses which store of the cell it reads, among
     * those not older than what it already read or wrote there (per-location coherence) that
     * leave the graph consistent; option 0 is the newest. With {@code f} it is an RMW (with
     * {@code expect}, a cmpxchg that writes only if it read {@code expect}): its store goes right
     * after the one it read, which no other RMW may have read already (atomic).
     */
    private Msg read(int r, Cell c, History h, Set<Tag> readTags, Update f, Long expect, Set<Tag> writeTags) {
        int id = c.id();
        cell(id).touched = true;
        RoleGraph t = role(r);
        Msg fl = t.floor.get(id);
        int lo = fl == null ? 0 : h.pos(fl);
        int last = h.last();
        boolean lock = readTags.contains(Tag.LKR); // spin_lock takes a free lock: it reads the unlock it waited for
        int[] before = t.vc.clone();
        List<Integer> options = new ArrayList<>();
        for (int p = last; p >= lo; p--) {
            Msg m = h.mo.get(p);
            boolean writes = f != null && (expect == null || m.value() == expect);
            if (p < last && (lock || !naive && (!newerHappenedBefore(r, h, p, withStore(before, m)) || (writes && consumed(h, p))
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
        t.lastRead = read;
        mem.readAt(r, id, m);
        t.turnRf.add(m);
        t.floor.put(id, m);
        if (writes) {
            long nv = f.apply(m.value());
            LkmmGraph.Ev write = graph.add(r, Kind.W, id, nv, writeTags);
            write.rmwRead = read;
            mem.wrote(r, id);
            Msg w = new Msg(nv, r, cs.currentStep(), write, stamp(r, id));
            h.mo.add(p + 1, w);
            t.floor.put(id, w);
        }
        return m;
    }

    /**
     * A store by role {@code r}: the explorer chooses where it goes in the cell's coherence
     * order, after what the role already read or wrote there, never between an RMW and the store
     * it read, and where the graph stays consistent; option 0 is last.
     */
    private Msg write(int r, History h, long v, Set<Tag> tags, boolean unlock) {
        int id = h.id;
        cell(id).touched = true;
        RoleGraph t = role(r);
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
        LkmmGraph.Ev write = graph.add(r, Kind.W, id, v, tags); // SimMemory.store touched the footprint
        Msg w = new Msg(v, r, cs.currentStep(), write, unlock ? null : stamp(r, id)); // an unlock conflicts with nothing
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

    /**
     * What a load that reads store {@code m} happened after: the role's clock as the step began,
     * joined with the store's own (the load runs after the store it reads, so whatever the store
     * happened after, a newer store of the same cell included, exists in every schedule where
     * the load can read it: no reversed schedule builds that graph instead).
     */
    private static int[] withStore(int[] before, Msg m) {
        return m.clock() == null ? before : join(before.clone(), m.clock());
    }

    /** The running role's step loads from cell {@code id}: it now depends on every store to it (they conflict). */
    void dependsOnStores(int r, int id) {
        RoleGraph t = role(r);
        CellGraph h = cell(id);
        t.vc = join(tick(t.vc, r), h.writeClock);
        h.readClock = join(h.readClock, t.vc);
    }

    /** The running role's step stores to cell {@code id}: it depends on every load of it; the store's clock. */
    private int[] stamp(int r, int id) {
        RoleGraph t = role(r);
        CellGraph h = cell(id);
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
     * graph in a search.
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
        List<History> cells = mem.cells;
        List<List<LkmmGraph.Ev>> out = new ArrayList<>(cells.size());
        for (History h : cells) {
            if (h.id >= cellGraphs.size() || !cellGraphs.get(h.id).touched) {
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

    // ---- the timeline's notes ------------------------------------------------------------

    /** The note for a load that read {@code m}: which newer store it did not see. */
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

    /** The note for a store placed before another in coherence. */
    private String coNote(History h, Msg w) {
        int q = h.pos(w);
        if (q == h.last()) {
            return "";
        }
        Msg after = h.mo.get(q + 1);
        return " (coherence: before " + h.describe(after.value()) + ", stored at step " + after.step()
                + (after.role() >= 0 ? " by " + cs.roleName(after.role()) : "") + ")";
    }
}
