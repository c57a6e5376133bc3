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
        if (!poLoc.union(g.rf()).union(g.co()).union(fr).acyclic()) {
            return Judgement.violates("coherence");
        }
        LkmmRelations x = new LkmmRelations(g);
        if (!x.rmw.inter(x.fre.seq(x.coe)).isEmpty()) {
            return Judgement.violates("atomic");
        }
        // lock.cat: empty ([LKW] ; po-loc ; [domain(lk-rmw)]) \ (po-loc ; [UL] ; po-loc) as lock-nest
        Rel nest = x.poLoc.from(x.lkw).to(x.lkr).minus(x.poLoc.to(x.ul).seq(x.poLoc));
        if (!nest.isEmpty()) {
            return Judgement.violates("lock-nest");
        }
        if (!x.hb.acyclic()) {
            return Judgement.violates("happens-before");
        }
        if (!x.pb.acyclic()) {
            return Judgement.violates("propagation");
        }
        if (!x.rb.irreflexive()) {
            return Judgement.violates("rcu");
        }
        if (Sets.isEmpty(x.plain)) {
            return Judgement.allowed(false);
        }
        return plainAccesses(x, n);
    }

    /** The cat's "Plain accesses and data races" section. */
    private static Judgement plainAccesses(LkmmRelations x, int n) {
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
        Rel wwVis = wPostBounded.seq(vis).seq(wPreBounded);
        Rel wrVis = wPostBounded.seq(vis).seq(rPreBounded);
        Rel rwXbstar = rPostBounded.seq(xbstar).seq(wPreBounded);
        Rel preRace = x.ext.inter(Rel.cross(n, x.plain, x.m).union(Rel.cross(n, Sets.minus(x.m, x.iw), x.plain)));
        Rel wrIncoh = preRace.inter(x.rf).inter(rwXbstar.inverse());
        Rel rwIncoh = preRace.inter(x.fr).inter(wrVis.inverse());
        Rel wwIncoh = preRace.inter(x.co).inter(wwVis.inverse());
        if (!wrIncoh.union(rwIncoh).union(wwIncoh).isEmpty()) {
            return Judgement.violates("plain-coherence");
        }
        Rel wwNonrace = wwVis.inter(Rel.cross(n, x.marked, x.w).union(rwXbstar))
                .inter(Rel.cross(n, x.w, x.marked).union(wrVis));
        Rel wwRace = preRace.inter(x.co).minus(wwNonrace);
        Rel wrRace = preRace.inter(x.co.opt().seq(x.rf)).minus(wrVis).minus(rwXbstar.inverse());
        Rel rwRace = preRace.inter(x.fr).minus(rwXbstar);
        return Judgement.allowed(!wwRace.union(wrRace).union(rwRace).isEmpty());
    }
}
