package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.MemoryModels.Judgement;

/**
 * The axioms of the Linux-kernel memory model (tools/memory-model/linux-kernel.cat and
 * lock.cat), each named as the .cat names it, over the relations of {@link LkmmRelations}:
 * {@code coherence}, {@code atomic}, {@code happens-before}, {@code propagation}, {@code rcu},
 * {@code plain-coherence}, lock.cat's {@code lock-nest}; and the {@code data-race} flag.
 */
public final class Lkmm implements MemoryModels.Model {
    private final java.util.Set<String> dropped;

    public Lkmm() {
        this(java.util.Set.of());
    }

    /**
     * The model without some of its relations or axioms (by their .cat names): the
     * self-checks' way of showing each one decides some litmus test.
     */
    public Lkmm(java.util.Set<String> dropped) {
        this.dropped = java.util.Set.copyOf(dropped);
    }

    /** Is this relation or axiom dropped (self-checks only)? */
    public boolean drops(String name) {
        return dropped.contains(name);
    }

    private boolean checks(String axiom) {
        return !dropped.contains(axiom);
    }

    @Override
    public String id() {
        return "lkmm";
    }

    @Override
    public Judgement judge(ExecutionGraph g) {
        // The cheap per-location axioms first: most candidates die here.
        int n = g.size();
        Rel poLoc = g.po().inter(g.loc());
        Rel fr = g.fr();
        if (checks("coherence") && !poLoc.union(g.rf()).union(g.co()).union(fr).acyclic()) {
            return Judgement.violates("coherence");
        }
        LkmmRelations x = new LkmmRelations(g, dropped);
        if (checks("atomic") && !x.rmw.inter(x.fre.seq(x.coe)).isEmpty()) {
            return Judgement.violates("atomic");
        }
        // lock.cat: empty ([LKW] ; po-loc ; [domain(lk-rmw)]) \ (po-loc ; [UL] ; po-loc) as lock-nest
        Rel nest = x.poLoc.from(x.lkw).to(x.lkr).minus(x.poLoc.to(x.ul).seq(x.poLoc));
        if (checks("lock-nest") && !nest.isEmpty()) {
            return Judgement.violates("lock-nest");
        }
        if (checks("happens-before") && !x.hb.acyclic()) {
            return Judgement.violates("happens-before");
        }
        if (checks("propagation") && !x.pb.acyclic()) {
            return Judgement.violates("propagation");
        }
        if (checks("rcu") && !x.rb.irreflexive()) {
            return Judgement.violates("rcu");
        }
        java.util.Set<String> flags = new java.util.TreeSet<>(bellFlags(x, n));
        if (!Sets.isEmpty(x.plain)) {
            Judgement plain = plainAccesses(x, n, checks("plain-coherence"));
            if (!plain.allowed()) {
                return plain;
            }
            flags.addAll(plain.flags());
        }
        return Judgement.allowed(flags);
    }

    /** linux-kernel.bell's flags: RCU and SRCU read-side sections that do not pair up. */
    private static java.util.Set<String> bellFlags(LkmmRelations x, int n) {
        java.util.Set<String> flags = new java.util.TreeSet<>();
        ExecutionGraph g = x.g;
        if (!Sets.isEmpty(Sets.minus(g.tagged(Tag.RCU_LOCK), x.rcuRscs.domain()))) {
            flags.add("unbalanced-rcu-lock");
        }
        if (!Sets.isEmpty(Sets.minus(g.tagged(Tag.RCU_UNLOCK), x.rcuRscs.range()))) {
            flags.add("unbalanced-rcu-unlock");
        }
        if (!Sets.isEmpty(Sets.minus(g.tagged(Tag.SRCU_LOCK), x.srcuRscs.domain()))) {
            flags.add("unbalanced-srcu-lock");
        }
        if (!Sets.isEmpty(Sets.minus(g.tagged(Tag.SRCU_UNLOCK), x.srcuRscs.range()))) {
            flags.add("unbalanced-srcu-unlock");
        }
        if (!x.srcuRscs.inverse().seq(x.srcuRscs).minus(Rel.id(n)).isEmpty()) {
            flags.add("multiple-srcu-matches");
        }
        if (!x.rcuRscs.inter(x.po.to(g.tagged(Tag.SYNC_SRCU)).seq(x.po)).isEmpty()) {
            flags.add("invalid-sleep");
        }
        return flags;
    }

    /** The cat's "Plain accesses and data races" section. */
    private static Judgement plainAccesses(LkmmRelations x, int n, boolean plainCoherence) {
        Rel xbstar = x.hb.union(x.pb).union(x.rb).star();
        Rel marked = Rel.ident(n, x.marked);
        Rel vis = x.cumulFence.star().seq(x.rfe.opt()).to(x.marked)
                .seq(x.strongFence.to(x.marked).seq(xbstar).union(xbstar.inter(x.intl)));
        long[] notNoreturn = Sets.complement(n, x.noreturn);
        Rel wPreBounded = marked.seq(x.addr.union(x.fence).opt());
        Rel rPreBounded = marked.seq(x.addr.union(x.nonrwFence)
                .union(x.rmbFence.from(x.r4rmb).to(notNoreturn)).opt());
        Rel wPostBounded = x.fence.opt().to(x.marked).seq(x.rmwSequence);
        Rel rPostBounded = x.nonrwFence.union(x.rmbFence.from(notNoreturn).to(x.r4rmb))
                .opt().to(x.marked);
        // A fence, or a strong fence and then anything that executes later, also bounds a
        // plain access on its own (Herbert Xu's case, merged in 2019).
        Rel wwVis = x.fence.union(x.strongFence.seq(xbstar).seq(wPreBounded))
                .union(wPostBounded.seq(vis).seq(wPreBounded));
        Rel wrVis = x.fence.union(x.strongFence.seq(xbstar).seq(rPreBounded))
                .union(wPostBounded.seq(vis).seq(rPreBounded));
        Rel rwXbstar = x.fence.union(rPostBounded.seq(xbstar).seq(wPreBounded));
        Rel preRace = x.ext.inter(Rel.cross(n, x.plain, x.m).union(Rel.cross(n, Sets.minus(x.m, x.iw), x.plain)));
        Rel wrIncoh = preRace.inter(x.rf).inter(rwXbstar.inverse());
        Rel rwIncoh = preRace.inter(x.fr).inter(wrVis.inverse());
        Rel wwIncoh = preRace.inter(x.co).inter(wwVis.inverse());
        if (plainCoherence && !wrIncoh.union(rwIncoh).union(wwIncoh).isEmpty()) {
            return Judgement.violates("plain-coherence");
        }
        Rel wwNonrace = wwVis.inter(Rel.cross(n, x.marked, x.w).union(rwXbstar))
                .inter(Rel.cross(n, x.w, x.marked).union(wrVis));
        Rel wwRace = preRace.inter(x.co).minus(wwNonrace);
        Rel wrRace = preRace.inter(x.co.opt().seq(x.rf)).minus(wrVis).minus(rwXbstar.inverse());
        Rel rwRace = preRace.inter(x.fr).minus(rwXbstar);
        return Judgement.allowed(wwRace.union(wrRace).union(rwRace).isEmpty()
                ? java.util.Set.of() : java.util.Set.of("data-race"));
    }
}
