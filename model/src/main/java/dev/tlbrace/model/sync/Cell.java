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
    /** How a value of this word reads in a timeline, as the model that made it declared; null: a number. */
    private final java.util.function.LongFunction<String> format;

    Cell(String base, int index, int id, long init, Object sim, java.util.function.LongFunction<String> format) {
        this.base = base;
        this.index = index;
        this.id = id;
        this.value = init;
        this.sim = sim;
        this.format = format;
    }

    /**
     * {@code v} as this word's owner reads it ({@code pfn 0x3 gen 0}, {@code present|write pfn 0x3}),
     * or null if the model declared no format when it made the cell.
     */
    public String describe(long v) {
        return format == null ? null : format.apply(v);
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
