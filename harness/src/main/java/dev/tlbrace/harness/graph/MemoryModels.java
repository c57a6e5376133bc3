package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The memory models as predicates over the same execution graphs: {@code sc}, {@code tso}
 * (x86-TSO as the kernel's x86 primitives compile: every RMW and spin_lock is LOCK-prefixed,
 * {@code smp_mb()} is MFENCE, release/acquire/rmb/wmb are plain moves and compiler barriers,
 * srcu_read_lock/unlock carry Tree SRCU's smp_mb()), {@code lkmm} ({@link Lkmm}) and {@code armv8}
 * ({@link Armv8}: ARMv8 AArch64 as arch/arm64 compiles the kernel's primitives). sc, tso and
 * armv8 keep RCU's grace-period guarantee through {@link GracePeriods}.
 */
public final class MemoryModels {
    private MemoryModels() {
    }

    /** A consistency predicate over execution graphs. */
    public interface Model {
        String id();

        Judgement judge(ExecutionGraph g);
    }

    /**
     * @param allowed  the graph is consistent
     * @param axiom    the first axiom it violates, or null
     * @param flags    the model's flags raised on this (allowed) graph, named as the .cat names
     *                 them ({@code data-race}, {@code unbalanced-rcu-lock}, ...)
     */
    public record Judgement(boolean allowed, String axiom, java.util.Set<String> flags) {
        static Judgement violates(String axiom) {
            return new Judgement(false, axiom, java.util.Set.of());
        }

        static Judgement allowed(java.util.Set<String> flags) {
            return new Judgement(true, null, java.util.Set.copyOf(flags));
        }

        public boolean dataRace() {
            return flags.contains("data-race");
        }
    }

    /** Thrown by an {@link #interruptible} model's judge once its thread is interrupted. */
    public static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted", null, false, false);
        }
    }

    /**
     * {@code m}, whose judge throws {@link Interrupted} once its thread is interrupted: a search
     * that asks the model about every candidate graph (the litmus checker) can be given a time
     * limit by interrupting it, and gives its core back.
     */
    public static Model interruptible(Model m) {
        return new Model() {
            @Override
            public String id() {
                return m.id();
            }

            @Override
            public Judgement judge(ExecutionGraph g) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new Interrupted();
                }
                return m.judge(g);
            }
        };
    }

    public static Model byId(String id) {
        return switch (id) {
            case "sc" -> new Sc();
            case "tso" -> new Tso();
            case "lkmm" -> new Lkmm();
            case "armv8" -> new Armv8();
            default -> throw new IllegalArgumentException("unknown memory model '" + id + "'; valid: "
                    + Arrays.stream(new String[] {"sc", "tso", "lkmm", "armv8"}).collect(Collectors.joining(", ")));
        };
    }

    static boolean coherentAndAtomic(ExecutionGraph g) {
        Rel fr = g.fr();
        if (!g.po().inter(g.loc()).union(g.rf()).union(g.co()).union(fr).acyclic()) {
            return false;
        }
        Rel ext = g.ext();
        return g.rmw().inter(fr.inter(ext).seq(g.co().inter(ext))).isEmpty();
    }

    /** Sequential consistency: acyclic (po | rf | co | fr), and RMWs atomic. */
    static final class Sc implements Model {
        @Override
        public String id() {
            return "sc";
        }

        @Override
        public Judgement judge(ExecutionGraph g) {
            if (!coherentAndAtomic(g)) {
                return Judgement.violates("coherence");
            }
            Rel order = g.po().union(g.rf()).union(g.co()).union(g.fr());
            if (!order.acyclic()) {
                return Judgement.violates("sc");
            }
            return GracePeriods.satisfiable(g, order) ? Judgement.allowed(java.util.Set.of()) : Judgement.violates("rcu");
        }
    }

    /**
     * x86-TSO (Owens, Sarkar, Sewell): {@code acyclic (ppo | rfe | co | fr | implied)} where
     * ppo is po without write-to-read pairs, and a write-to-read pair is kept when a full fence
     * or a LOCK-prefixed access (any RMW, spin_lock) lies between or is one of them.
     */
    static final class Tso implements Model {
        @Override
        public String id() {
            return "tso";
        }

        @Override
        public Judgement judge(ExecutionGraph g) {
            if (!coherentAndAtomic(g)) {
                return Judgement.violates("coherence");
            }
            int n = g.size();
            long[] r = g.ofKind(Kind.R);
            long[] w = g.ofKind(Kind.W);
            long[] locked = Sets.union(g.tagged(Tag.RMW), Sets.union(g.tagged(Tag.LKR), g.tagged(Tag.LKW)));
            long[] full = Sets.inter(g.ofKind(Kind.F), Sets.union(g.tagged(Tag.MB), g.tagged(Tag.SYNC_RCU)));
            full = Sets.union(full, g.tagged(Tag.SYNC_SRCU));
            // Tree SRCU: smp_mb() after srcu_read_lock()'s increment (B), before srcu_read_unlock()'s (C)
            full = Sets.union(full, Sets.union(g.tagged(Tag.SRCU_LOCK), g.tagged(Tag.SRCU_UNLOCK)));
            long[] m = Sets.union(r, w);
            Rel po = g.po().from(m).to(m);
            Rel fullPo = g.po();
            Rel wr = po.from(w).to(r);
            Rel keptWr = wr.inter(fullPo.to(full).seq(fullPo).union(Rel.ident(n, locked).seq(po)).union(po.to(locked)));
            Rel ppo = po.minus(wr).union(keptWr);
            Rel rfe = g.rf().inter(g.ext());
            Rel order = ppo.union(rfe).union(g.co()).union(g.fr());
            if (!order.acyclic()) {
                return Judgement.violates("tso");
            }
            return GracePeriods.satisfiable(g, order) ? Judgement.allowed(java.util.Set.of()) : Judgement.violates("rcu");
        }
    }
}
