package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.graph.Event;
import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.ExecutionGraph;
import dev.tlbrace.harness.graph.Lkmm;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.graph.Rel;
import dev.tlbrace.harness.graph.Val;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The execution graph an {@code lkmm} execution has built so far: one event per access and
 * barrier its roles ran (tagged as linux-kernel.def tags the primitive), each read's store
 * (rf), each cell's stores in coherence order (co, {@link SimMemory} keeps it), and the rmw
 * pairs. {@link #consistent} asks the Linux-kernel memory model of part 1 ({@link Lkmm}: every
 * axiom of linux-kernel.cat and lock.cat) whether the graph is an execution it allows.
 *
 * <p>Only a choice that is not the newest needs asking: a read of the coherence-last store, a
 * store put last in coherence, or a barrier, added at the end of its CPU's program order, has
 * no edge leaving it in po, rf, co or fr, so it closes no cycle in any relation the axioms
 * forbid cycles in (hb, pb, rb, per-location order) and makes none of the empty ones non-empty.
 * A stale read or a store put before another in coherence is checked, once per graph: the
 * answers are cached across the executions of one search by the graph's {@link #key}, so the
 * many schedules that build one graph ask once.
 *
 * <p>What the Java model cannot show the graph has not: addr, data and ctrl dependencies (the
 * graph is the model's without them, so what it allows is a superset of what the kernel's
 * dependencies would), and reads from stores no role has made yet when the read runs (the
 * search runs roles in every order instead: every graph whose po ∪ rf is acyclic, as GenMC's
 * models assume, is built by some schedule).
 */
final class LkmmGraph {

    /** One event a role ran, or a cell's initial store (role -1). */
    static final class Ev {
        final int role;
        final int index;
        final Kind kind;
        final int cell;
        final long value;
        final Set<Tag> tags;
        /** A read: the store it read (an init Ev for the initial value). */
        Ev rf;
        /** An RMW's write: its read. */
        Ev rmwRead;
        /** Earlier reads of its role it depends on (litmus programs only; null: none). */
        List<Ev> addr;
        List<Ev> data;
        List<Ev> ctrl;
        int id; // in the graph last built
        /**
         * A one-pass search ({@link Fences}): the ordering point this event carries ({@link PointLabels}),
         * or -1; {@link #tags} are then its weakened tags, {@code strong} what the point puts back.
         */
        int point = -1;
        Set<Tag> strong;

        Ev(int role, int index, Kind kind, int cell, long value, Set<Tag> tags) {
            this.role = role;
            this.index = index;
            this.kind = kind;
            this.cell = cell;
            this.value = value;
            this.tags = tags;
        }

        boolean isInit() {
            return role < 0;
        }
    }

    private final MemoryModels.Model lkmm;

    /**
     * @param lkmm the model: {@link Lkmm} (the self-checks' mutants drop one of its axioms), or
     *             {@link dev.tlbrace.harness.graph.Armv8} for {@code --memory-model armv8}
     */
    LkmmGraph(MemoryModels.Model lkmm) {
        this.lkmm = lkmm;
    }

    private final List<Ev> events = new ArrayList<>();
    private final List<Integer> perRole = new ArrayList<>();
    /** Per role, the dependencies its next events get ({@link #depends}); empty for scenarios. */
    private final java.util.Map<Integer, List<List<Ev>>> pending = new java.util.HashMap<>();
    private boolean anyDependency;

    /**
     * The running role's next events depend on these earlier reads of its own, as herd7's C
     * gives a litmus statement its dependencies: a read gets {@code addr} and {@code ctrl}, a
     * write {@code addr}, {@code data} and {@code ctrl}. Only litmus programs, whose dependencies
     * are explicit in the source, call it; the scenarios' Java code has none the graph can see.
     */
    void depends(int role, List<Ev> addr, List<Ev> data, List<Ev> ctrl) {
        if (addr.isEmpty() && data.isEmpty() && ctrl.isEmpty()) {
            pending.remove(role);
        } else {
            pending.put(role, List.of(addr, data, ctrl));
        }
    }

    /** A cell's initial store. */
    static Ev init(int cell, long value) {
        return new Ev(-1, 0, Kind.W, cell, value, EnumSet.of(Tag.INIT));
    }

    /** Appends an event at the end of {@code role}'s program order. */
    Ev add(int role, Kind kind, int cell, long value, Set<Tag> tags) {
        while (perRole.size() <= role) {
            perRole.add(0);
        }
        int index = perRole.get(role);
        perRole.set(role, index + 1);
        Ev e = new Ev(role, index, kind, cell, value, tags);
        List<List<Ev>> d = pending.isEmpty() ? null : pending.get(role);
        if (d != null && kind != Kind.F) {
            e.addr = d.get(0).isEmpty() ? null : d.get(0);
            e.data = kind == Kind.W && !d.get(1).isEmpty() ? d.get(1) : null;
            e.ctrl = d.get(2).isEmpty() ? null : d.get(2);
            anyDependency |= e.addr != null || e.data != null || e.ctrl != null;
        }
        events.add(e);
        return e;
    }

    /** The last event added. */
    Ev last() {
        return events.get(events.size() - 1);
    }

    /** Takes back the last event added (a tentative one). */
    void removeLast() {
        Ev e = events.remove(events.size() - 1);
        perRole.set(e.role, perRole.get(e.role) - 1);
    }

    int size() {
        return events.size();
    }

    /**
     * Whether the graph is an LKMM execution: {@code co} holds, per cell (null for a cell no
     * event touched), its stores in coherence order, the initial one first.
     */
    boolean consistent(List<List<Ev>> co) {
        return lkmm.judge(build(co, ALL_WEAK)).allowed();
    }

    /** Every labelled ordering point weakened: the tags the events were built with. */
    static final java.util.function.IntPredicate ALL_WEAK = p -> true;

    /**
     * The same question with each labelled ordering point weakened where {@code weak} says so and
     * put back elsewhere: a weakened fence leaves the graph, a weakened access keeps its weak tags
     * (what a search with that point weakened builds: {@link SimMemory}).
     */
    boolean consistent(List<List<Ev>> co, java.util.function.IntPredicate weak) {
        return lkmm.judge(build(co, weak)).allowed();
    }

    /** The distinct ordering points the events carry. */
    java.util.BitSet points() {
        java.util.BitSet out = new java.util.BitSet();
        for (Ev e : events) {
            if (e.point >= 0) {
                out.set(e.point);
            }
        }
        return out;
    }

    private static Set<Tag> tagsOf(Ev e, java.util.function.IntPredicate weak) {
        return e.point < 0 || weak.test(e.point) ? e.tags : e.strong;
    }

    private static boolean present(Ev e, java.util.function.IntPredicate weak) {
        return e.kind != Kind.F || e.point < 0 || !weak.test(e.point);
    }

    /**
     * Events that cannot change the verdict are left out of the graph the model judges: those
     * on a cell only one CPU has touched, with no ordering of its own on any of its accesses
     * ({@code ONCE}, {@code NORETURN}, relaxed RMWs). Such an event has no rfe, fre or coe
     * edge, and every ordering it could pass on between two other events of its CPU (a fence
     * before it and one after it, an acquire before it, a release after it) orders those two
     * events directly: every fence and acquire/release of linux-kernel.bell orders all
     * po-earlier (po-later) accesses of the kinds it orders, and a ONCE access is of both
     * kinds. Without dependencies in the graph (see the class comment) nothing else passes
     * through it. The same holds for {@link dev.tlbrace.harness.graph.Armv8}'s {@code lob}: its
     * bob terms (DMB full/ld/st, {@code [A];po}, {@code po;[L]}) order every po-earlier
     * (po-later) access of their kind directly, {@code lws} stays on the one cell, and the
     * terms that would start or end at such an event ({@code [L];po;[A]}, an acquire-release
     * RMW's write, {@code rmw;lrs;[A]}) need a tag it does not have.
     */
    private static boolean[] cellsKept(List<Ev> events, int cells, java.util.function.IntPredicate weak) {
        boolean[] keep = new boolean[cells];
        int[] toucher = new int[cells];
        java.util.Arrays.fill(toucher, -1);
        for (Ev e : events) {
            if (e.kind == Kind.F) {
                continue;
            }
            if (toucher[e.cell] == -1) {
                toucher[e.cell] = e.role;
            } else if (toucher[e.cell] != e.role) {
                keep[e.cell] = true;
            }
            for (Tag t : tagsOf(e, weak)) {
                if (t != Tag.ONCE && t != Tag.NORETURN && t != Tag.RMW) {
                    keep[e.cell] = true;
                }
            }
        }
        return keep;
    }

    /**
     * The graph itself as a key, whatever schedule built it: per CPU its events in program
     * order (kind, cell, value, tags, which store each read read, as CPU and index), then per
     * cell its stores in coherence order. Two 64-bit hashes.
     */
    GraphMemory.CheckKey key(List<List<Ev>> co) {
        int roles = perRole.size();
        long[] a = new long[roles];
        long[] b = new long[roles];
        java.util.Arrays.fill(a, 17);
        java.util.Arrays.fill(b, 0x9E3779B97F4A7C15L);
        for (Ev e : events) {
            long code = code(e);
            a[e.role] = a[e.role] * 1_000_003L + code;
            b[e.role] = mix(b[e.role] ^ code);
        }
        long h1 = 1;
        long h2 = 7;
        for (int r = 0; r < roles; r++) {
            h1 = h1 * 31 + a[r];
            h2 = mix(h2 ^ b[r]);
        }
        for (int cell = 0; cell < co.size(); cell++) {
            List<Ev> stores = co.get(cell);
            if (stores == null) {
                continue;
            }
            for (Ev w : stores) {
                long c = ((long) cell << 40) ^ ((long) (w.role + 1) << 32) ^ w.index;
                h1 = h1 * 1_000_003L + c;
                h2 = mix(h2 ^ c);
            }
            h1 = h1 * 31 + 0x5bd1e995;
        }
        return new GraphMemory.CheckKey(h1, h2, events.size());
    }

    private static long code(Ev e) {
        long c = e.kind.ordinal();
        c = c * 1_000_003L + e.cell;
        c = c * 1_000_003L + e.value;
        c = c * 1_000_003L + e.tags.hashCode();
        if (e.rf != null) {
            c = c * 1_000_003L + ((long) (e.rf.role + 1) << 32 | e.rf.index);
        }
        if (e.rmwRead != null) {
            c = c * 1_000_003L + 99991;
        }
        if (e.point >= 0) { // one pass: answers per point configuration must not mix graphs that differ in their labels
            c = c * 1_000_003L + e.point;
            c = c * 1_000_003L + e.strong.hashCode();
        }
        for (List<Ev> d : java.util.Arrays.asList(e.addr, e.data, e.ctrl)) {
            c = c * 1_000_003L + 7;
            if (d != null) {
                for (Ev x : d) {
                    c = c * 1_000_003L + x.index;
                }
            }
        }
        return c;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private ExecutionGraph build(List<List<Ev>> co, java.util.function.IntPredicate weak) {
        boolean[] keepCell = cellsKept(events, co.size(), weak);
        if (anyDependency) {
            java.util.Arrays.fill(keepCell, true); // a dependency may pass ordering through any cell (dep ; rfi)
        }
        List<Ev> kept = new ArrayList<>(events.size());
        for (Ev e : events) {
            if (e.kind == Kind.F ? present(e, weak) : keepCell[e.cell]) {
                kept.add(e);
            }
        }
        List<Event> out = new ArrayList<>();
        for (int cell = 0; cell < co.size(); cell++) {
            List<Ev> stores = co.get(cell);
            if (stores != null && keepCell[cell]) {
                Ev i = stores.get(0);
                i.id = out.size();
                out.add(new Event(i.id, -1, 0, Kind.W, "c" + i.cell, Val.of(i.value), i.tags, "init"));
            }
        }
        for (Ev e : kept) {
            e.id = out.size();
            out.add(new Event(e.id, e.role, e.index, e.kind, e.kind == Kind.F ? null : "c" + e.cell, Val.of(e.value),
                    tagsOf(e, weak), e.kind.name()));
        }
        int n = out.size();
        Rel po = Rel.empty(n);
        Rel rmw = Rel.empty(n);
        Rel rf = Rel.empty(n);
        Rel coRel = Rel.empty(n);
        Rel addr = Rel.empty(n);
        Rel data = Rel.empty(n);
        Rel ctrl = Rel.empty(n);
        List<List<Integer>> byRole = new ArrayList<>();
        for (int r = 0; r < perRole.size(); r++) {
            byRole.add(new ArrayList<>());
        }
        for (Ev e : kept) {
            for (int before : byRole.get(e.role)) {
                po.set(before, e.id);
            }
            byRole.get(e.role).add(e.id);
            if (e.kind == Kind.R) {
                rf.set(e.rf.id, e.id);
            }
            if (e.rmwRead != null) {
                rmw.set(e.rmwRead.id, e.id);
            }
            deps(addr, e.addr, e);
            deps(data, e.data, e);
            deps(ctrl, e.ctrl, e);
        }
        for (int cell = 0; cell < co.size(); cell++) {
            List<Ev> stores = co.get(cell);
            if (stores == null || !keepCell[cell]) {
                continue;
            }
            for (int a = 0; a < stores.size(); a++) {
                for (int b = a + 1; b < stores.size(); b++) {
                    coRel.set(stores.get(a).id, stores.get(b).id);
                }
            }
        }
        return new ExecutionGraph(new ExecutionGraph.Shape(out, po, rmw, addr, data, ctrl), rf, coRel);
    }

    private static void deps(Rel rel, List<Ev> from, Ev to) {
        if (from != null) {
            for (Ev d : from) {
                rel.set(d.id, to.id);
            }
        }
    }
}
