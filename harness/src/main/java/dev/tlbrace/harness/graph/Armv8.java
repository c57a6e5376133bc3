package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.MemoryModels.Judgement;

/**
 * The ARMv8 AArch64 application-level memory model (other-multi-copy-atomic; Pulte, Flur,
 * Deacon, French, Sarkar, Sewell, "Simplifying ARM concurrency", POPL 2018), run on the
 * execution graphs of the kernel's C litmus tests as arch/arm64 compiles each primitive. The
 * axioms and relations are herdtools7's, each field named as the .cat names it
 * ({@code range([A];amo;[L])} is {@link Relations#amoAlW}); this is an implementation of
 * those definitions, not a copy.
 *
 * <p>Checked against herdtools7 (herd/herdtools7): {@code herd/libdir/aarch64.cat} at commit
 * e4423d121bac (the model's "version number" 09aed6e817fe) for the axioms {@code internal}
 * ({@code acyclic po-loc | ca | rf}), {@code external} ({@code ob} acyclic, {@code ob = obs | lob},
 * {@code obs = rfe | fre | coe}) and {@code atomic} ({@code empty rmw & (fre; coe)}); and
 * {@code herd/libdir/aarch64hwreqs.cat} at commit 4730d550772 for the current {@code lob}
 * (restricted to explicit accesses: no ISB/CSE, no translation or tag effects, no pick
 * dependencies, all accesses single-copy and same-size so {@code si} is the identity):
 * <ul>
 *   <li>{@code lws = [M]; po-loc; [W]}</li>
 *   <li>{@code lrs = [W]; (po-loc \ intervening-write(po-loc)); [R]}</li>
 *   <li>{@code dob = addr | data | ctrl; [W] | addr; po; [W] | (addr | data); lrs}</li>
 *   <li>{@code aob = rmw | rmw; lrs; [A | Q]}</li>
 *   <li>{@code bob = po; [dmb.full]; po | [R \ NoRet]; po; [dmb.ld]; po | [W]; po; [dmb.st]; po; [W]
 *       | [range([A]; amo; [L])]; po | [L]; po; [A] | [A | Q]; po | po; [L]}. The
 *       {@code range([A];amo;[L])} term is herdtools7 PR #322 (2022, commit 636b7163): the write
 *       of an acquire-release atomic is ordered before everything after it; the 2018-2021 cat
 *       had only {@code po; ([A];amo;[L]); po}, under which SB with SWPAL as the stores was
 *       allowed.</li>
 * </ul>
 *
 * <p>The kernel primitives, as arch/arm64 compiles them. Read in this change (torvalds/linux
 * through the code index): arch/arm64/include/asm/barrier.h (the stored version, commit
 * 016e8cd0caa9, old but with today's DMB ISH / ISHLD / ISHST for smp_mb / smp_rmb / smp_wmb);
 * include/linux/rcupdate.h (smp_mb__after_unlock_lock() is smp_mb() only under
 * CONFIG_ARCH_WEAK_RELEASE_ACQUIRE, which arm64 does not select); kernel/rcu/srcutree.c
 * (__srcu_read_lock's smp_mb() "B" after the counter increment, __srcu_read_unlock's "C"
 * before it, v6.x and after the srcu_ctrs rework). Taken from the v6.x sources as commonly
 * documented, not re-read here: the LSE {@code ...AL} / {@code ...A} / {@code ...L} forms of
 * atomic_lse.h and cmpxchg.h, atomic_ll_sc.h's {@code ldxr; stlxr; dmb ish} and its
 * failed-cmpxchg branch past the dmb, qspinlock's atomic_try_cmpxchg_acquire lock and
 * smp_store_release unlock, rwonce.h's plain LDR/STR:
 * <ul>
 *   <li>READ_ONCE / plain read / atomic_read: LDR, no tag. WRITE_ONCE / plain write / atomic_set: STR.</li>
 *   <li>smp_load_acquire, smp_cond_load_acquire: LDAR, {@code A} (RCsc; the kernel does not
 *       use LDAPR, so {@code Q} is empty). rcu_dereference: LDR, its address dependency.</li>
 *   <li>smp_store_release, rcu_assign_pointer: STLR, {@code L}.</li>
 *   <li>smp_mb, smp_mb__before_atomic, smp_mb__after_atomic, smp_mb__after_spinlock,
 *       synchronize_rcu, synchronize_srcu (their fence effect): DMB ISH, {@code dmb.full}.</li>
 *   <li>smp_rmb: DMB ISHLD, {@code dmb.ld}; smp_wmb: DMB ISHST, {@code dmb.st}.</li>
 *   <li>barrier, rcu_read_lock/unlock, smp_mb__after_unlock_lock (a no-op outside PowerPC's
 *       CONFIG_ARCH_WEAK_RELEASE_ACQUIRE), smp_mb__after_srcu_read_unlock (Tree SRCU's unlock
 *       already has its smp_mb): nothing.</li>
 *   <li>Fully ordered value-returning RMW (xchg, cmpxchg, atomic_*_return, atomic_fetch_*,
 *       atomic_add_unless): the LSE {@code ...AL} form (SWPAL, CASAL, LDADDAL): read {@code A},
 *       write {@code L}, joined by {@code amo}. The LL/SC form ({@code ldxr; stlxr; dmb ish})
 *       orders the same pairs except an earlier STLR before the read ({@code [L];po;[A]}).</li>
 *   <li>A failed fully ordered cmpxchg: a plain read, no ordering. CASAL's failed compare
 *       would still be an acquire read, but the LL/SC cmpxchg branches past its {@code dmb ish}
 *       on failure, so the weaker of the two is the one a kernel may run.</li>
 *   <li>{@code _acquire}: {@code ...A} (CASA, SWPA, LDADDA; LL/SC ldaxr/stxr): read {@code A},
 *       also on failure. {@code _release}: {@code ...L}: write {@code L}. {@code _relaxed}: neither.</li>
 *   <li>Non-returning atomics (atomic_inc, atomic_add, ...): STADD and friends, a
 *       {@code NoRet} read and a plain write, no ordering.</li>
 *   <li>spin_lock (qspinlock: atomic_try_cmpxchg_acquire): LKR an acquire read, LKW a plain
 *       write, joined by rmw. spin_unlock (smp_store_release on the locked byte): UL, STLR. A
 *       failed spin_trylock (LF) and spin_is_locked (RL/RU): atomic_read, a plain LDR.</li>
 *   <li>srcu_read_lock: its counter access, then smp_mb(); srcu_read_unlock: smp_mb(), then
 *       its counter access (Tree SRCU): a {@code dmb.full} right after the lock event and
 *       right before the unlock event.</li>
 * </ul>
 * Dependencies are herd7 C's (registers only; a branch's ctrl covers the branch, not what
 * follows the if, which a compiler may hoist above the branch). No data-race flag.
 */
public final class Armv8 implements MemoryModels.Model {

    @Override
    public String id() {
        return "armv8";
    }

    @Override
    public Judgement judge(ExecutionGraph g) {
        Relations x = new Relations(g);
        if (!x.poLoc.union(x.ca).union(x.rf).acyclic()) {
            return Judgement.violates("internal");
        }
        if (!x.rmw.inter(x.fre.seq(x.coe)).isEmpty()) {
            return Judgement.violates("atomic");
        }
        if (!x.ob.acyclic()) {
            return Judgement.violates("external");
        }
        // the grace period as two global barriers, ordered against each read-side section
        return GracePeriods.satisfiable(g, x.ob) ? Judgement.allowed(java.util.Set.of()) : Judgement.violates("rcu");
    }

    /**
     * The relations of aarch64.cat / aarch64hwreqs.cat, one field per {@code let}, over one
     * graph. The program-only ones are computed once per graph shape.
     */
    static final class Relations {
        final int n;
        // Event sets
        final long[] r;
        final long[] w;
        final long[] m;
        /** Acquire (LDAR, the read of an {@code ...A} / {@code ...AL} atomic, a lock's read). */
        final long[] a;
        /** Release (STLR, the write of an {@code ...L} / {@code ...AL} atomic, an unlock). */
        final long[] l;
        /** Reads of non-returning atomics (ST&lt;op&gt;). */
        final long[] noRet;
        final long[] dmbFull;
        final long[] dmbLd;
        final long[] dmbSt;

        final Rel po;
        final Rel poLoc;
        final Rel rf;
        final Rel co;
        final Rel fr;
        final Rel rfe;
        final Rel coe;
        final Rel fre;
        /** rmw, lock.cat's lk-rmw included; every RMW is an LSE single-instruction one, so amo = rmw. */
        final Rel rmw;
        final Rel ca;
        final Rel lrs;
        final Rel lws;
        final Rel obs;
        final Rel dob;
        final Rel aob;
        final Rel bob;
        /** {@code range([A]; amo; [L])}. */
        final long[] amoAlW;
        /** lob, not closed: acyclicity of the union is acyclicity of its closure. */
        final Rel lob;
        final Rel ob;

        private static final class Static {
            long[] r, w, m, a, l, noRet, dmbFull, dmbLd, dmbSt, amoAlW;
            Rel po, poLoc, rmw, lrs, lws, dob, aobStatic, bob;
        }

        private static Static statics(ExecutionGraph g) {
            Static s = new Static();
            int n = g.size();
            s.po = g.po();
            s.r = g.ofKind(Kind.R);
            s.w = g.ofKind(Kind.W);
            s.m = Sets.union(s.r, s.w);
            s.poLoc = s.po.inter(g.loc()).from(s.m).to(s.m);
            long[] lkr = g.tagged(Tag.LKR);
            long[] lkw = g.tagged(Tag.LKW);
            // litmus graphs hold each rmw pair both ways round, the explorer's read to write: [R]; rmw; [W]
            s.rmw = g.rmw().from(s.r).to(s.w).union(s.poLoc.from(lkr).to(lkw).minus(s.po.seq(s.po)));
            long[] rmwR = s.rmw.domain();
            long[] rmwW = s.rmw.range();
            long[] mbTag = g.tagged(Tag.MB);
            // A: LDAR, _acquire RMW reads (failed or not), fully ordered RMW reads that wrote, lock reads
            long[] acq = Sets.inter(g.tagged(Tag.ACQUIRE), s.r);
            acq = Sets.union(acq, Sets.inter(Sets.inter(mbTag, s.r), rmwR));
            s.a = Sets.union(acq, lkr);
            // L: STLR (smp_store_release, rcu_assign_pointer), _release / fully ordered RMW writes, unlock
            long[] rel = Sets.inter(Sets.union(g.tagged(Tag.RELEASE), Sets.inter(mbTag, rmwW)), s.w);
            s.l = Sets.union(rel, g.tagged(Tag.UL));
            s.noRet = Sets.inter(g.tagged(Tag.NORETURN), s.r);
            long[] f = g.ofKind(Kind.F);
            long[] full = Sets.none(n);
            for (Tag t : new Tag[] {Tag.MB, Tag.BEFORE_ATOMIC, Tag.AFTER_ATOMIC, Tag.AFTER_SPINLOCK, Tag.SYNC_RCU,
                Tag.SYNC_SRCU}) {
                full = Sets.union(full, g.tagged(t));
            }
            s.dmbFull = Sets.inter(full, f);
            s.dmbLd = Sets.inter(g.tagged(Tag.RMB), f);
            s.dmbSt = Sets.inter(g.tagged(Tag.WMB), f);

            // lrs = [W]; (po-loc \ (po-loc; [W]; po-loc)); [R]
            s.lrs = s.poLoc.minus(s.poLoc.to(s.w).seq(s.poLoc)).from(s.w).to(s.r);
            // lws = [M]; po-loc; [W]
            s.lws = s.poLoc.to(s.w);
            Rel addr = g.addr();
            Rel data = g.data();
            Rel addrData = addr.union(data);
            s.dob = addrData
                    .union(g.ctrl().to(s.w))
                    .union(addr.seq(s.po).to(s.w))
                    .union(addrData.seq(s.lrs));
            // aob's static part: rmw; lrs; [A | Q]  (Q is empty: no LDAPR)
            s.aobStatic = s.rmw.union(s.rmw.seq(s.lrs).to(s.a));
            // range([A]; amo; [L])
            s.amoAlW = s.rmw.from(s.a).to(s.l).range();
            Rel poOpt = s.po.opt();
            long[] srcuLock = g.tagged(Tag.SRCU_LOCK);
            long[] srcuUnlock = g.tagged(Tag.SRCU_UNLOCK);
            s.bob = fencerel(s.po, s.dmbFull)
                    .union(fencerel(s.po, s.dmbLd).from(Sets.minus(s.r, s.noRet)))
                    .union(fencerel(s.po, s.dmbSt).from(s.w).to(s.w))
                    .union(s.po.from(s.amoAlW))
                    .union(s.po.from(s.l).to(s.a))
                    .union(s.po.from(s.a))
                    .union(s.po.to(s.l))
                    // Tree SRCU: smp_mb() right after srcu_read_lock's access, right before srcu_read_unlock's
                    .union(poOpt.to(srcuLock).seq(s.po))
                    .union(s.po.to(srcuUnlock).seq(poOpt));
            return s;
        }

        /** {@code po; [S]; po}. */
        static Rel fencerel(Rel po, long[] s) {
            return po.to(s).seq(po);
        }

        Relations(ExecutionGraph g) {
            n = g.size();
            Static s = g.cached(Static.class, Relations::statics);
            r = s.r;
            w = s.w;
            m = s.m;
            a = s.a;
            l = s.l;
            noRet = s.noRet;
            dmbFull = s.dmbFull;
            dmbLd = s.dmbLd;
            dmbSt = s.dmbSt;
            po = s.po;
            poLoc = s.poLoc;
            rmw = s.rmw;
            lrs = s.lrs;
            lws = s.lws;
            dob = s.dob;
            bob = s.bob;
            amoAlW = s.amoAlW;
            aob = s.aobStatic;
            rf = g.rf();
            co = g.co();
            fr = g.fr();
            Rel ext = g.ext();
            rfe = rf.inter(ext);
            coe = co.inter(ext);
            fre = fr.inter(ext);
            ca = fr.union(co);
            obs = rfe.union(fre).union(coe);
            lob = lws.union(dob).union(aob).union(bob);
            ob = obs.union(lob);
        }
    }
}
