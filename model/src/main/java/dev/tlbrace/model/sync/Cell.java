package dev.tlbrace.model.sync;

/**
 * One shared word of the model, named as the kernel names it ({@code kvm->mmu_invalidate_seq},
 * {@code pte[3]}, {@code vcpu0->requests}). Cells are made by a {@link Memory} and touched only
 * through it, by calls named after the kernel primitive, so that the same model code runs on
 * real VarHandles (jcstress, JMH, soak) and on the explorer's simulated memory models.
 */
public final class Cell {
    private final String base;
    private final int index; // position in an array of cells, -1 for a single word
    private final int id;
    /** The word itself; accessed only through {@link HardwareMemory}'s VarHandle. */
    long value;
    /** The simulated memory's state for this cell (its store history), or null on hardware. */
    private final Object sim;

    Cell(String base, int index, int id, long init, Object sim) {
        this.base = base;
        this.index = index;
        this.id = id;
        this.value = init;
        this.sim = sim;
    }

    /** {@code kvm->mmu_invalidate_seq}, or {@code pte[3]} for one of an array; built on demand. */
    public String name() {
        return index < 0 ? base : base + "[" + index + "]";
    }

    /** Dense index within the memory that made it, in creation order. */
    public int id() {
        return id;
    }

    /** A simulated memory's per-cell state. */
    public Object sim() {
        return sim;
    }

    @Override
    public String toString() {
        return name();
    }
}
