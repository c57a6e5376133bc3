package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RCU's fundamental law for the models that do not derive it from their own relations ({@code sc},
 * {@code tso}): for every read-side critical section C and grace period G, either G started before
 * C did, or C ended before G did (tools/memory-model/Documentation/explanation.txt, "RCU
 * RELATIONS"; synchronize_rcu() waits only for the readers that were running when it started).
 *
 * <p>A model orders events by an acyclic relation {@code base} (sc: po | rf | co | fr; tso: ppo |
 * rfe | co | fr, a write placed where it reaches memory). A grace period is two instants, its
 * start and its end, each a full barrier on its CPU; a section is the instants of its outermost
 * {@code rcu_read_lock()} and {@code rcu_read_unlock()}. The two choices per pair become edges:
 * <ul>
 * <li>G started before C: every event po-before G precedes every event of C's CPU from the lock on;
 * <li>C ended before G: every event of the unlock's CPU up to the unlock precedes every event
 *     po-after G (under tso a store in the section reaches memory first: the quiescent state the
 *     reader reports passes a full barrier).
 * </ul>
 * The graph is consistent when some choice per pair keeps {@code base} acyclic. SRCU the same,
 * per {@code srcu_struct}, with lock and unlock matched as linux-kernel.bell's srcu-rscs matches
 * them (the unlock's value data-depends on the lock's, through registers or memory). A grace
 * period inside a section of its own kind on its own CPU never ends: no execution. An
 * unmatched lock's section lasts to the end of its CPU (the oracle ends it when the CPU's code
 * ends); an unmatched unlock is ignored, as linux-kernel.bell ignores it.
 */
final class GracePeriods {
    private GracePeriods() {
    }

    /** A section: its opening event, its closing event (-1: to the end of the CPU), the srcu_struct or null for RCU. */
    private record Section(int lock, int unlock, String srcu) {
    }

    /**
     * Is there a choice per (section, grace period) pair that keeps base acyclic? Each grace
     * period gets two nodes of its own after the graph's events, its start and its end: a full
     * barrier on its CPU at each, the start before the end, and one grace period's end before
     * the start of the next on its CPU (two in a row order their sections even with nothing
     * between them).
     */
    static boolean satisfiable(ExecutionGraph g, Rel base) {
        long[] syncs = Sets.union(g.tagged(Tag.SYNC_RCU), g.tagged(Tag.SYNC_SRCU));
        if (Sets.isEmpty(syncs)) {
            return true;
        }
        int n = g.size();
        List<Integer> gps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (Sets.has(syncs, i)) {
                gps.add(i);
            }
        }
        int size = n + 2 * gps.size();
        Rel order = Rel.empty(size);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (base.has(i, j)) {
                    order.set(i, j);
                }
            }
        }
        for (int k = 0; k < gps.size(); k++) {
            int gp = gps.get(k);
            int start = n + 2 * k;
            int end = start + 1;
            order.set(start, end);
            edges(order, before(g, gp, false), n, start);
            edges(order, end, after(g, gp, false), n);
            for (int m = 0; m < gps.size(); m++) {
                if (g.po().has(gp, gps.get(m))) {
                    order.set(end, n + 2 * m);
                }
            }
        }
        List<Section> sections = sections(g);
        List<Rel[]> choices = new ArrayList<>();
        for (int k = 0; k < gps.size(); k++) {
            int gp = gps.get(k);
            Event e = g.event(gp);
            String srcu = e.is(Tag.SYNC_SRCU) ? e.loc() : null;
            for (Section c : sections) {
                if (!Objects.equals(srcu, c.srcu())) {
                    continue;
                }
                if (inside(g, gp, c)) {
                    return false;
                }
                // G started before C: G's start precedes C's lock and all after it on that CPU
                Rel started = Rel.empty(size);
                edges(started, n + 2 * k, after(g, c.lock(), true), n);
                // C ended before G did: its CPU up to the unlock precedes G's end (under tso a
                // store in the section reaches memory first: the quiescent state passes a full barrier)
                Rel ended = Rel.empty(size);
                edges(ended, c.unlock() < 0 ? cpu(g, g.event(c.lock()).thread()) : before(g, c.unlock(), true), n,
                        n + 2 * k + 1);
                choices.add(new Rel[] {started, ended});
            }
        }
        return choose(order, choices, 0);
    }

    private static void edges(Rel r, long[] from, int n, int to) {
        for (int i = 0; i < n; i++) {
            if (Sets.has(from, i)) {
                r.set(i, to);
            }
        }
    }

    private static void edges(Rel r, int from, long[] to, int n) {
        for (int i = 0; i < n; i++) {
            if (Sets.has(to, i)) {
                r.set(from, i);
            }
        }
    }

    private static boolean choose(Rel order, List<Rel[]> choices, int k) {
        if (!order.acyclic()) {
            return false;
        }
        if (k == choices.size()) {
            return true;
        }
        for (Rel edges : choices.get(k)) {
            if (choose(order.union(edges), choices, k + 1)) {
                return true;
            }
        }
        return false;
    }

    /** A grace period on the CPU of a section it falls inside waits for itself. */
    private static boolean inside(ExecutionGraph g, int gp, Section c) {
        Rel po = g.po();
        if (g.event(gp).thread() != g.event(c.lock()).thread() || !po.has(c.lock(), gp)) {
            return false;
        }
        return c.unlock() < 0 ? true : g.event(c.unlock()).thread() == g.event(gp).thread() && po.has(gp, c.unlock());
    }

    /** The events po-before e (and e itself when {@code self}), fences left out. */
    private static long[] before(ExecutionGraph g, int e, boolean self) {
        return near(g, e, self, true);
    }

    private static long[] after(ExecutionGraph g, int e, boolean self) {
        return near(g, e, self, false);
    }

    private static long[] near(ExecutionGraph g, int e, boolean self, boolean before) {
        long[] s = Sets.none(g.size());
        for (int i = 0; i < g.size(); i++) {
            if ((before ? g.po().has(i, e) : g.po().has(e, i)) || self && i == e) {
                Sets.add(s, i);
            }
        }
        return Sets.minus(s, g.ofKind(Kind.F));
    }

    private static long[] cpu(ExecutionGraph g, int thread) {
        long[] s = Sets.none(g.size());
        for (int i = 0; i < g.size(); i++) {
            if (g.event(i).thread() == thread && g.event(i).kind() != Kind.F) {
                Sets.add(s, i);
            }
        }
        return s;
    }

    /** Outermost RCU sections per CPU, and SRCU sections matched by srcu-rscs. */
    private static List<Section> sections(ExecutionGraph g) {
        List<Section> out = new ArrayList<>();
        int n = g.size();
        int threads = 0;
        for (Event e : g.events()) {
            threads = Math.max(threads, e.thread() + 1);
        }
        for (int t = 0; t < threads; t++) {
            List<Event> mine = new ArrayList<>();
            for (Event e : g.events()) {
                if (e.thread() == t) {
                    mine.add(e);
                }
            }
            mine.sort((a, b) -> Integer.compare(a.index(), b.index()));
            int depth = 0;
            int open = -1;
            for (Event e : mine) {
                if (e.is(Tag.RCU_LOCK) && depth++ == 0) {
                    open = e.id();
                } else if (e.is(Tag.RCU_UNLOCK) && depth > 0 && --depth == 0) {
                    out.add(new Section(open, e.id(), null));
                }
            }
            if (depth > 0) {
                out.add(new Section(open, -1, null));
            }
        }
        long[] notUnlock = Sets.complement(n, g.tagged(Tag.SRCU_UNLOCK));
        // linux-kernel.bell: srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
        Rel carry = g.data().to(notUnlock).seq(g.rf()).star();
        Rel rscs = carry.seq(g.data()).from(g.tagged(Tag.SRCU_LOCK)).to(g.tagged(Tag.SRCU_UNLOCK)).inter(g.loc());
        for (int l = 0; l < n; l++) {
            if (!g.event(l).is(Tag.SRCU_LOCK)) {
                continue;
            }
            boolean matched = false;
            for (int u = 0; u < n; u++) {
                if (rscs.has(l, u)) {
                    out.add(new Section(l, u, g.event(l).loc()));
                    matched = true;
                }
            }
            if (!matched) {
                out.add(new Section(l, -1, g.event(l).loc()));
            }
        }
        return out;
    }
}
