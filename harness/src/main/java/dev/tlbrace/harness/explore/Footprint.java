package dev.tlbrace.harness.explore;

import java.util.BitSet;

/**
 * What one step touched: the shared resources it read, wrote and added to. Resources are the
 * memory API's cells (a reader-count word is two: its reader count and the bits above it),
 * and each role's TSO store buffer (under LKMM a store is an add: stores commute, their
 * coherence order being the explorer's choice). Two
 * steps of different roles are dependent when one writes what the other reads, writes or adds
 * to, or one adds to what the other reads: the relation partial-order reduction commutes by
 * ({@link Dpor}). Two adds to one resource commute: either order leaves the same value and
 * neither saw the other (an add that returns its result also reads). A lock is its cell:
 * {@code spin_lock}'s cmpxchg writes it, so lock operations on one lock are dependent.
 */
public final class Footprint {
    private static final int BUFFER0 = 0;
    private static final int MAX_BUFFERS = 31;
    private static final int CELL0 = BUFFER0 + MAX_BUFFERS;

    private final BitSet reads = new BitSet(256); // sized for a world's cells: no regrowth per step
    private final BitSet writes = new BitSet(256);
    private final BitSet adds = new BitSet(256);

    /** A cell as a whole word (for a reader-count word: its reader count). */
    static int cell(int id) {
        return CELL0 + 2 * id;
    }

    /** The bits of a reader-count word above its reader count ({@link dev.tlbrace.model.sync.Memory#readerCount}). */
    static int cellHigh(int id) {
        return CELL0 + 2 * id + 1;
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

    /** An update that commutes with other adds to {@code resource} (an atomic_add). */
    void add(int resource) {
        adds.set(resource);
    }

    void merge(Footprint o) {
        reads.or(o.reads);
        writes.or(o.writes);
        adds.or(o.adds);
    }

    boolean conflicts(Footprint o) {
        return writes.intersects(o.reads) || writes.intersects(o.writes) || writes.intersects(o.adds)
                || reads.intersects(o.writes) || reads.intersects(o.adds)
                || adds.intersects(o.reads) || adds.intersects(o.writes);
    }

    BitSet reads() {
        return reads;
    }

    BitSet writes() {
        return writes;
    }

    BitSet adds() {
        return adds;
    }

    @Override
    public String toString() {
        return "R" + reads + " W" + writes + (adds.isEmpty() ? "" : " A" + adds);
    }
}
