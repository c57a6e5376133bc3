package dev.tlbrace.harness.explore;

/**
 * One shared access or barrier a role made, in the words of the kernel primitive the model
 * called: what {@link LitmusExport} writes as one line of a C litmus test. Recorded only when an
 * execution is run again to be printed (the counterexample), never during a search.
 *
 * @param role      the role, an index into {@link Execution#roles()}
 * @param function  the kernel function it is in (the role's last trace point), or null before the first
 * @param op        what kind of access
 * @param primitive the primitive as the model called it ({@code smp_load_acquire}, {@code cmpxchg},
 *                  {@code atomic_add_return_release}, {@code spin_lock}, {@code smp_wmb}), before any weakening
 * @param order     an RMW's ordering as the model asked for it (null for the others)
 * @param cell      the cell's name ({@code kvm->mmu_invalidate_seq}); null for a barrier
 * @param cellId    the cell's id, -1 for a barrier
 * @param init      the cell's initial value
 * @param read      the value read (a load, an RMW, a cmpxchg, a lock)
 * @param written   the value written (a store; an RMW or cmpxchg that wrote)
 * @param wrote     whether it wrote (false for a load, a barrier, a failed cmpxchg)
 * @param expect    a cmpxchg's expected value
 * @param weakened  whether this execution weakened it ({@code fences}): a barrier dropped, an acquire or
 *                  release made ONCE, an RMW made relaxed, a lock a relaxed cmpxchg, an unlock a WRITE_ONCE
 * @param readFrom  a read's store: the role that made it, -1 for the initial value (or setup), -2 where
 *                  the model does not say (TSO's buffers)
 * @param stale     a read that read a store older than the newest in coherence
 */
public record SharedAccess(int role, String function, Op op, String primitive, SimMemory.Order order, String cell,
                           int cellId, long init, long read, long written, boolean wrote, long expect, boolean weakened,
                           int readFrom, boolean stale) {

    /** The kinds of access, as linux-kernel.def gives them events. */
    public enum Op { LOAD, STORE, RMW, CMPXCHG, LOCK, UNLOCK, FENCE }

    /** Whether it asks for ordering of its own (what {@code fences} can weaken), as the model called it. */
    public boolean ordered() {
        return switch (op) {
            case LOAD -> primitive.equals("smp_load_acquire");
            case STORE -> primitive.equals("smp_store_release");
            case RMW, CMPXCHG -> order != SimMemory.Order.RELAXED;
            case LOCK, UNLOCK, FENCE -> true;
        };
    }
}
