package dev.tlbrace.harness.graph;

import java.util.EnumSet;
import java.util.Set;

/**
 * One event of an execution graph: a read, a write or a fence, with the annotations
 * linux-kernel.def gives the primitive that made it ({@code READ_ONCE} is {@code R[ONCE]},
 * {@code xchg} is {@code R[MB]} and {@code W[MB]} joined by rmw, {@code spin_lock} is
 * {@code LKR} and {@code LKW}, {@code smp_mb()} is {@code F[MB]}, ...).
 *
 * @param id     index in the graph; the init writes come first
 * @param thread the CPU, or -1 for an init write
 * @param index  position in the CPU's program order
 * @param kind   R, W or F
 * @param loc    the location accessed (also the srcu_struct of {@code synchronize_srcu}); null for fences
 * @param value  the value read or written
 * @param tags   the annotations
 * @param label  what the program said, for timelines ({@code READ_ONCE(*x)})
 */
public record Event(int id, int thread, int index, Kind kind, String loc, Val value, Set<Tag> tags, String label) {

    public enum Kind { R, W, F }

    /**
     * The annotations of linux-kernel.bell and lock.cat, as herd7 attaches them. Access tags are
     * syntactic: the model derives the semantic Acquire, Release and Mb sets from them (a failed
     * cmpxchg keeps its MB tag but orders nothing).
     */
    public enum Tag {
        /** Init write (herd7's IW). */
        INIT,
        ONCE, RELEASE, ACQUIRE, NORETURN, MB,
        /** Made by a read-modify-write primitive (herd7's RMW set), successful or not. */
        RMW,
        /** spin_lock's read and write; spin_unlock's write; a failed spin_trylock's read. */
        LKR, LKW, UL, LF,
        /** spin_is_locked() reading locked / unlocked. */
        RL, RU,
        SRCU_LOCK, SRCU_UNLOCK, SYNC_SRCU,
        /** Fence kinds: smp_rmb(), smp_wmb(), barrier(), RCU. The F[MB] of smp_mb() uses {@link #MB}. */
        RMB, WMB, BARRIER, RCU_LOCK, RCU_UNLOCK, SYNC_RCU,
        BEFORE_ATOMIC, AFTER_ATOMIC, AFTER_SPINLOCK, AFTER_UNLOCK_LOCK, AFTER_SRCU_READ_UNLOCK
    }

    public Event {
        tags = tags.isEmpty() ? EnumSet.noneOf(Tag.class) : EnumSet.copyOf(tags);
    }

    public boolean is(Tag t) {
        return tags.contains(t);
    }

    public boolean isRead() {
        return kind == Kind.R;
    }

    public boolean isWrite() {
        return kind == Kind.W;
    }

    public boolean isInit() {
        return tags.contains(Tag.INIT);
    }

    @Override
    public String toString() {
        String where = thread < 0 ? "init" : "P" + thread;
        return where + ":" + label + (loc == null || kind == Kind.F ? "" : " " + kind + " " + loc + "=" + value);
    }
}
