package dev.tlbrace.harness.explore;

import java.util.BitSet;

/**
 * What one step touched: the shared resources it read and wrote. Resources are the memory
 * API's cells, the LKMM global view that smp_mb() exchanges through, and each role's TSO store
 * buffer. Two steps of different roles are dependent when one writes what the other reads or
 * writes: the relation partial-order reduction commutes by ({@link Dpor}). A lock is its cell:
 * {@code spin_lock}'s cmpxchg writes it, so lock operations on one lock are dependent.
 */
public final class Footprint {
    static final int GLOBAL_VIEW = 0;
    private static final int BUFFER0 = 1;
    private static final int MAX_BUFFERS = 31;
    private static final int CELL0 = BUFFER0 + MAX_BUFFERS;

    private final BitSet reads = new BitSet(256); // sized for a world's cells: no regrowth per step
    private final BitSet writes = new BitSet(256);

    static int cell(int id) {
        return CELL0 + id;
    }

    static int buffer(int role) {
        if (role < 0 || role >= MAX_BUFFERS) {
            throw new IllegalStateException("more than " + MAX_BUFFERS + " roles");
        }
        return BUFFER0 + role;
    }

    void read(int resource) {
        reads.set(resource);
    }

    void write(int resource) {
        writes.set(resource);
    }

    void merge(Footprint o) {
        reads.or(o.reads);
        writes.or(o.writes);
    }

    boolean conflicts(Footprint o) {
        return writes.intersects(o.reads) || writes.intersects(o.writes) || reads.intersects(o.writes);
    }

    BitSet reads() {
        return reads;
    }

    BitSet writes() {
        return writes;
    }

    @Override
    public String toString() {
        return "R" + reads + " W" + writes;
    }
}
