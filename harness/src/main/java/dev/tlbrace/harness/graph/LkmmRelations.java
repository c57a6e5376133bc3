package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;

/**
 * The derived relations of the Linux-kernel memory model, one field per {@code let} of
 * tools/memory-model's linux-kernel.bell, lock.cat and linux-kernel.cat, named as there
 * ({@code po-unlock-lock-po} is {@link #poUnlockLockPo}), in the order those files define
 * them. The axioms that use them are in {@link Lkmm}. Checked against the kernel's files as of
 * v6.18 (semantic tags: a failed RMW keeps its syntactic MB tag but is not in {@code Mb};
 * {@code rmw-sequence}; {@code po-unlock-lock-po}; SRCU read-side sections matched by
 * {@code data} from {@code srcu_read_lock()}'s value to {@code srcu_read_unlock()}).
 * This is an implementation of those definitions, not a copy: the .cat text is GPL.
 */
public final class LkmmRelations {
    final ExecutionGraph g;
    final int n;

    // Event sets (linux-kernel.bell, lock.cat)
    final long[] r;
    final long[] w;
    final long[] m;
    final long[] f;
    final long[] iw;
    final long[] rmwSet;
    final long[] acquire;
    final long[] release;
    final long[] mb;
    final long[] noreturn;
    final long[] marked;
    final long[] plain;
    final long[] lkr;
    final long[] lkw;
    final long[] ul;

    // Primitive relations
    final Rel po;
    final Rel rf;
    final Rel co;
    final Rel fr;
    final Rel loc;
    final Rel ext;
    final Rel intl;
    final Rel poLoc;
    final Rel rfe;
    final Rel rfi;
    final Rel coe;
    final Rel fre;
    /** rmw | lk-rmw (lock.cat). */
    final Rel rmw;
    final Rel addr;
    final Rel data;
    final Rel ctrl;
    final Rel rcuRscs;
    final Rel srcuRscs;

    // linux-kernel.cat
    final Rel acqPo;
    final Rel poRel;
    final Rel poUnlockLockPo;
    final long[] r4rmb;
    final Rel rmb;
    final Rel wmb;
    final Rel mbRel;
    final Rel gp;
    final Rel strongFence0;
    final Rel nonrwFence;
    final Rel fence0;
    final Rel barrier;
    /** fencerel(Rmb), for the plain-access bounds. */
    final Rel rmbFence;
    final Rel com;
    final Rel dep;
    final Rel rwdep;
    final Rel overwrite;
    final Rel toW;
    final Rel toR;
    final Rel ppo;
    final Rel rmwSequence;
    final Rel cumulFence;
    final Rel prop;
    final Rel hb;
    final Rel pb;
    final Rel rcuLink;
    final Rel rcuOrder;
    final Rel rcuFence;
    /** fence | rcu-fence, and strong-fence | rcu-fence: the cat rebinds both after rcu-fence. */
    final Rel fence;
    final Rel strongFence;
    final Rel rb;

    /** The relations that depend on the program alone, computed once per graph shape. */
    private static final class Static {
        long[] r, w, m, f, iw, lkr, lkw, ul, rmwSet, acquire, release, mb, noreturn, marked, plain, notSrcuUnlock;
        Rel po, poOpt, loc, ext, intl, poLoc, rmw, rcuRscs, acqPo, poRel, rmb, wmb, mbStatic, gp, barrier, rmbFence;
        long[] r4rmb;
    }

    private static Static statics(ExecutionGraph g) {
        Static s = new Static();
        int n = g.size();
        s.po = g.po();
        s.poOpt = s.po.opt();
        s.loc = g.loc();
        s.ext = g.ext();
        s.intl = g.intl();
        s.poLoc = s.po.inter(s.loc);
        s.r = g.ofKind(Kind.R);
        s.w = g.ofKind(Kind.W);
        s.m = Sets.union(s.r, s.w);
        s.f = g.ofKind(Kind.F);
        s.iw = g.tagged(Tag.INIT);
        s.lkr = g.tagged(Tag.LKR);
        s.lkw = g.tagged(Tag.LKW);
        s.ul = g.tagged(Tag.UL);
        // lock.cat: lk-rmw = ([LKR] ; po-loc ; [LKW]) \ (po ; po); rmw = rmw | lk-rmw
        s.rmw = g.rmw().union(s.poLoc.from(s.lkr).to(s.lkw).minus(s.po.seq(s.po)));
        // linux-kernel.bell: the semantic tags
        s.rmwSet = g.tagged(Tag.RMW);
        long[] failedRmw = Sets.minus(s.rmwSet, Sets.union(g.rmw().domain(), g.rmw().range()));
        s.acquire = Sets.union(Sets.minus(Sets.minus(g.tagged(Tag.ACQUIRE), s.w), failedRmw), s.lkr);
        s.release = Sets.union(Sets.minus(Sets.minus(g.tagged(Tag.RELEASE), s.r), failedRmw), s.ul);
        s.mb = Sets.minus(g.tagged(Tag.MB), failedRmw);
        s.noreturn = Sets.minus(g.tagged(Tag.NORETURN), s.w);
        long[] markedAccess = s.iw;
        for (Tag t : new Tag[] {Tag.ONCE, Tag.RELEASE, Tag.ACQUIRE, Tag.MB, Tag.RMW, Tag.LKR, Tag.LKW, Tag.UL,
            Tag.LF, Tag.RL, Tag.RU, Tag.SRCU_LOCK, Tag.SRCU_UNLOCK}) {
            markedAccess = Sets.union(markedAccess, g.tagged(t));
        }
        s.marked = Sets.union(Sets.complement(n, s.m), markedAccess);
        s.plain = Sets.minus(s.m, s.marked);
        s.notSrcuUnlock = Sets.complement(n, g.tagged(Tag.SRCU_UNLOCK));
        s.rcuRscs = matchRcu(g);
        // Release Acquire
        s.acqPo = s.po.from(s.acquire).to(s.m);
        s.poRel = s.po.from(s.m).to(s.release);
        // Fences (all but mb's unlock-then-lock term, which needs co)
        s.r4rmb = Sets.minus(s.r, s.noreturn);
        s.rmbFence = fencerel(s.po, g.tagged(Tag.RMB));
        s.rmb = s.rmbFence.from(s.r4rmb).to(s.r4rmb);
        s.wmb = fencerel(s.po, g.tagged(Tag.WMB)).from(s.w).to(s.w);
        long[] mbFence = Sets.inter(s.f, s.mb);
        s.mbStatic = fencerel(s.po, mbFence).from(s.m).to(s.m)
                .union(s.po.from(s.m).to(Sets.inter(s.mb, s.r)))
                .union(s.po.from(Sets.inter(s.mb, s.w)).to(s.m))
                .union(fencerel(s.po, g.tagged(Tag.BEFORE_ATOMIC)).from(s.m).to(s.rmwSet).seq(s.poOpt).to(s.m))
                .union(s.poOpt.from(s.m).to(s.rmwSet).seq(fencerel(s.po, g.tagged(Tag.AFTER_ATOMIC))).to(s.m))
                .union(s.poOpt.from(s.m).to(s.lkw).seq(fencerel(s.po, g.tagged(Tag.AFTER_SPINLOCK))).to(s.m))
                .union(s.poOpt.from(s.m).to(g.tagged(Tag.SRCU_UNLOCK))
                        .seq(fencerel(s.po, g.tagged(Tag.AFTER_SRCU_READ_UNLOCK))).to(s.m));
        long[] syncs = Sets.union(g.tagged(Tag.SYNC_RCU), g.tagged(Tag.SYNC_SRCU));
        s.gp = s.po.to(syncs).seq(s.poOpt);
        long[] barrierEvents = Sets.none(n);
        for (Tag t : new Tag[] {Tag.BARRIER, Tag.RMB, Tag.WMB, Tag.SYNC_RCU, Tag.SYNC_SRCU, Tag.BEFORE_ATOMIC,
            Tag.AFTER_ATOMIC, Tag.RCU_LOCK, Tag.RCU_UNLOCK, Tag.SRCU_LOCK, Tag.SRCU_UNLOCK}) {
            barrierEvents = Sets.union(barrierEvents, g.tagged(t));
        }
        barrierEvents = Sets.union(barrierEvents, Sets.union(s.mb, Sets.union(s.acquire, s.release)));
        s.barrier = fencerel(s.po, barrierEvents).union(s.po.to(s.release)).union(s.po.from(s.acquire));
        return s;
    }

    /**
     * The relations named here are taken as empty: how the self-checks show that each one is
     * needed (a litmus test whose verdict changes without it). Empty for the real model.
     */
    final java.util.Set<String> dropped;

    private Rel keep(String name, Rel r) {
        return dropped.contains(name) ? Rel.empty(n) : r;
    }

    LkmmRelations(ExecutionGraph g) {
        this(g, java.util.Set.of());
    }

    LkmmRelations(ExecutionGraph g, java.util.Set<String> dropped) {
        this.dropped = dropped;
        this.g = g;
        this.n = g.size();
        Static s = g.cached(Static.class, LkmmRelations::statics);
        po = s.po;
        loc = s.loc;
        ext = s.ext;
        intl = s.intl;
        poLoc = s.poLoc;
        r = s.r;
        w = s.w;
        m = s.m;
        f = s.f;
        iw = s.iw;
        lkr = s.lkr;
        lkw = s.lkw;
        ul = s.ul;
        rmw = s.rmw;
        rmwSet = s.rmwSet;
        acquire = s.acquire;
        release = s.release;
        mb = s.mb;
        noreturn = s.noreturn;
        marked = s.marked;
        plain = s.plain;
        rcuRscs = s.rcuRscs;
        acqPo = keep("acq-po", s.acqPo);
        poRel = keep("po-rel", s.poRel);
        r4rmb = s.r4rmb;
        rmb = keep("rmb", s.rmb);
        wmb = keep("wmb", s.wmb);
        gp = keep("gp", s.gp);
        barrier = s.barrier;
        rmbFence = s.rmbFence;

        rf = g.rf();
        co = g.co();
        fr = g.fr();
        rfe = rf.inter(ext);
        rfi = rf.inter(intl);
        coe = co.inter(ext);
        fre = fr.inter(ext);

        // linux-kernel.bell: carry-dep = (data ; [~Srcu-unlock] ; rfi)*, and the dependencies through it
        Rel carryDep = g.data().to(s.notSrcuUnlock).seq(rfi).star();
        addr = keep("addr", carryDep.seq(g.addr()));
        ctrl = keep("ctrl", carryDep.seq(g.ctrl()));
        data = keep("data", carryDep.seq(g.data()));
        // srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
        Rel carrySrcuData = g.data().to(s.notSrcuUnlock).seq(rf).star();
        srcuRscs = dropped.contains("srcu-rscs") ? Rel.empty(n) : carrySrcuData.seq(g.data()).from(g.tagged(Tag.SRCU_LOCK)).to(g.tagged(Tag.SRCU_UNLOCK)).inter(loc);

        poUnlockLockPo = keep("po-unlock-lock-po", po.to(ul).seq(po.union(rf)).to(lkr).seq(po));
        Rel poOpt = s.poOpt;
        mbRel = keep("mb", s.mbStatic).union(po.from(m).to(ul).seq(co.union(po)).to(lkw)
                .seq(fencerel(po, g.tagged(Tag.AFTER_UNLOCK_LOCK))).to(m));
        strongFence0 = mbRel.union(gp);
        nonrwFence = strongFence0.union(poRel).union(acqPo);
        fence0 = nonrwFence.union(wmb).union(rmb);
        // Fundamental coherence ordering
        com = rf.union(co).union(fr);

        // Preserved program order
        dep = addr.union(data);
        rwdep = dep.union(ctrl).to(w);
        overwrite = co.union(fr);
        toW = rwdep.union(keep("overwrite & int", overwrite.inter(intl))).union(addr.to(plain).seq(wmb));
        toR = addr.to(r).union(keep("dep ; rfi", dep.to(marked).seq(rfi)));
        ppo = toR.union(toW).union(fence0.inter(intl)).union(poUnlockLockPo.inter(intl));

        // Propagation
        Rel aCumulPrefix = dropped.contains("A-cumul") ? Rel.id(n) : rfe.to(marked).opt();
        rmwSequence = dropped.contains("rmw-sequence") ? Rel.id(n) : rf.seq(rmw).star();
        cumulFence = aCumulPrefix.seq(strongFence0.union(poRel)).union(wmb).union(poUnlockLockPo)
                .from(marked).to(marked).seq(rmwSequence);
        prop = overwrite.inter(ext).opt().from(marked).seq(cumulFence.star()).to(marked)
                .seq(rfe.opt()).to(marked);

        // Happens before
        hb = ppo.union(rfe).union(prop.minus(Rel.id(n)).inter(intl)).from(marked).to(marked);
        Rel hbStar = hb.star();

        // Propagation before
        pb = prop.seq(strongFence0).seq(hbStar).to(marked);

        // RCU
        // Every rcu-order term has a grace period in it: without synchronize_rcu/srcu events it is
        // empty, and so are rcu-fence and rb; rcu-link is then not needed (the scenarios' graphs
        // have no RCU, and this chain was an eighth of the gate's explorer time).
        long[] syncRcu = g.tagged(Tag.SYNC_RCU);
        long[] syncSrcu = g.tagged(Tag.SYNC_SRCU);
        boolean gracePeriods = !Sets.isEmpty(syncRcu) || !Sets.isEmpty(syncSrcu);
        Rel pbStar = gracePeriods ? pb.star() : null;
        rcuLink = gracePeriods ? poOpt.seq(hbStar).seq(pbStar).seq(prop).seq(po) : Rel.empty(n);
        rcuOrder = dropped.contains("rcu-order") ? Rel.empty(n) : rcuOrder(syncRcu, syncSrcu);
        rcuFence = po.seq(rcuOrder).seq(poOpt);
        fence = fence0.union(rcuFence);
        strongFence = strongFence0.union(rcuFence);
        rb = gracePeriods ? prop.seq(rcuFence).seq(hbStar).seq(pbStar).to(marked) : Rel.empty(n);
    }

    /** {@code fencerel(S) = (po & (_ * S)) ; po}. */
    static Rel fencerel(Rel po, long[] s) {
        return po.to(s).seq(po);
    }

    /** The least fixpoint of the cat's {@code let rec rcu-order}. */
    private Rel rcuOrder(long[] syncRcu, long[] syncSrcu) {
        Rel rcuGp = Rel.ident(n, syncRcu);
        Rel srcuGp = Rel.ident(n, syncSrcu);
        Rel rcuRscsi = rcuRscs.inverse();
        Rel srcuRscsi = srcuRscs.inverse();
        Rel order = rcuGp.union(srcuGp);
        if (Sets.isEmpty(syncRcu) && Sets.isEmpty(syncSrcu)) {
            return order;
        }
        Rel gpLink = rcuGp.seq(rcuLink);
        Rel sgpLink = srcuGp.seq(rcuLink);
        Rel rscsiLink = rcuRscsi.seq(rcuLink);
        Rel srscsiLink = srcuRscsi.seq(rcuLink);
        Rel base = order
                .union(gpLink.seq(rcuRscsi))
                .union(sgpLink.seq(srcuRscsi).inter(loc))
                .union(rscsiLink.seq(rcuGp))
                .union(srscsiLink.seq(srcuGp).inter(loc));
        Rel cur = base;
        while (true) {
            Rel linked = rcuLink.seq(cur).seq(rcuLink);
            Rel next = base
                    .union(rcuGp.seq(linked).seq(rcuRscsi))
                    .union(srcuGp.seq(linked).seq(srcuRscsi).inter(loc))
                    .union(rcuRscsi.seq(linked).seq(rcuGp))
                    .union(srcuRscsi.seq(linked).seq(srcuGp).inter(loc))
                    .union(cur.seq(rcuLink).seq(cur));
            if (next.equals(cur)) {
                return cur;
            }
            cur = next;
        }
    }

    /**
     * linux-kernel.bell's {@code rcu-rscs}: each rcu_read_unlock() matched with the innermost
     * unmatched rcu_read_lock() before it on its CPU (the bell's recursive matching, which is
     * what a stack gives for properly nested sections).
     */
    private static Rel matchRcu(ExecutionGraph g) {
        Rel m = Rel.empty(g.size());
        java.util.Map<Integer, java.util.ArrayDeque<Integer>> open = new java.util.HashMap<>();
        for (Event e : g.events()) {
            if (e.is(Tag.RCU_LOCK)) {
                open.computeIfAbsent(e.thread(), t -> new java.util.ArrayDeque<>()).push(e.id());
            } else if (e.is(Tag.RCU_UNLOCK)) {
                java.util.ArrayDeque<Integer> s = open.get(e.thread());
                if (s != null && !s.isEmpty()) {
                    m.set(s.pop(), e.id());
                }
            }
        }
        return m;
    }
}
