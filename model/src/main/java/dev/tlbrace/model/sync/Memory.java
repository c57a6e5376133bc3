package dev.tlbrace.model.sync;

/**
 * Every shared access of the model, by the kernel primitive the real code uses. Model code
 * writes {@code mem.READ_ONCE(kvm.seq)} or {@code mem.smp_wmb()}, so {@code grep -r smp_wmb model/}
 * finds every barrier, and which implementation runs is the world's choice, as its
 * {@link Sched} is:
 * <ul>
 * <li>{@link HardwareMemory}: VarHandles in the mode that matches the primitive (jcstress, JMH,
 *     soak). The only subclass loaded in those JVMs, so every call site is monomorphic and the
 *     JIT inlines it to the bare VarHandle access.</li>
 * <li>the explorer's simulated memory (module harness): every access is a scheduling point,
 *     and under {@code tso} or {@code lkmm} a load may read any store the model allows.</li>
 * </ul>
 * The orderings, as include/asm-generic and tools/memory-model define them:
 * <pre>
 * READ_ONCE / WRITE_ONCE                 marked, unordered (coherence only)
 * smp_load_acquire / smp_store_release   acquire / release (release is A-cumulative)
 * xchg, cmpxchg, *_return, test_and_*    fully ordered: smp_mb() on both sides
 * atomic_add, set_bit, clear_bit,
 *   *_relaxed                            unordered RMW
 * cmpxchg_acquire                        acquire RMW (spin_lock)
 * smp_rmb / smp_wmb                      load-&gt;load / store-&gt;store
 * smp_mb, smp_mb__{before,after}_atomic,
 *   smp_mb__after_spinlock               full barrier
 * </pre>
 * Values are {@code long}; narrower kernel types are stored widened.
 */
public abstract class Memory {
    /** The trace-point scheduler this memory reports to. */
    public final Sched sched;
    private int nextId; // confined to the thread that builds the world

    protected Memory(Sched sched) {
        this.sched = sched;
    }

    /** Free-running hardware memory with no trace points: unit tests and benchmarks. */
    public static Memory hardware() {
        return new HardwareMemory(Sched.NOOP);
    }

    /** Hardware memory that reports trace points to {@code sched} (the soak's tracing). */
    public static Memory hardware(Sched sched) {
        return new HardwareMemory(sched);
    }

    /**
     * A new shared word, made while the world is built, before the roles start: whatever starts
     * them (jcstress's state publication, Thread.start) publishes its initial value.
     */
    public final Cell cell(String name, long init) {
        return make(name, -1, init, null);
    }

    /**
     * A new shared word whose values a timeline shows through {@code format} (a PTE as its flags
     * and pfn, a device entry as the frame it names): the model that owns the word declares how
     * it reads, so the explorer's timeline names no cell of its own.
     */
    public final Cell cell(String name, long init, java.util.function.LongFunction<String> format) {
        return make(name, -1, init, format);
    }

    /** {@code n} words named {@code name[i]}. */
    public final Cell[] cells(String name, int n, long init) {
        return cells(name, n, init, null);
    }

    /** {@code n} words named {@code name[i]}, each shown through {@code format}. */
    public final Cell[] cells(String name, int n, long init, java.util.function.LongFunction<String> format) {
        Cell[] out = new Cell[n];
        for (int i = 0; i < n; i++) {
            out[i] = make(name, i, init, format);
        }
        return out;
    }

    private Cell make(String base, int index, long init, java.util.function.LongFunction<String> format) {
        int id = nextId++;
        return new Cell(base, index, id, init, newSimState(base, index, init, format), format);
    }

    /** How many cells this memory has made. */
    public final int cellCount() {
        return nextId;
    }

    /** Per-cell state of a simulated memory; none on hardware (where it must stay cheap: jcstress builds a world per sample). */
    protected Object newSimState(String base, int index, long init, java.util.function.LongFunction<String> format) {
        return null;
    }

    // ---- marked accesses -------------------------------------------------------------

    public abstract long READ_ONCE(Cell c);

    public abstract void WRITE_ONCE(Cell c, long v);

    public abstract long smp_load_acquire(Cell c);

    public abstract void smp_store_release(Cell c, long v);

    // ---- fully ordered RMWs ----------------------------------------------------------

    /** xchg(): returns the old value. */
    public abstract long xchg(Cell c, long v);

    /** cmpxchg(): returns the old value; fully ordered when it succeeds (unordered when not). */
    public abstract long cmpxchg(Cell c, long expect, long v);

    /** atomic_add_return() (atomic_inc_return, atomic_dec_return with ±1): the new value. */
    public abstract long atomic_add_return(Cell c, long delta);

    /** test_and_set_bit() for the bits in {@code mask}: whether any was set before. */
    public abstract boolean test_and_set_bit(Cell c, long mask);

    /** test_and_clear_bit() for the bits in {@code mask}: whether any was set before. */
    public abstract boolean test_and_clear_bit(Cell c, long mask);

    // ---- unordered RMWs --------------------------------------------------------------

    /** atomic_add() / atomic_inc() / atomic_dec(): no ordering. */
    public abstract void atomic_add(Cell c, long delta);

    /** set_bit(): no ordering. */
    public abstract void set_bit(Cell c, long mask);

    /** clear_bit(): no ordering. */
    public abstract void clear_bit(Cell c, long mask);

    /** cmpxchg_relaxed(): returns the old value; no ordering. */
    public abstract long cmpxchg_relaxed(Cell c, long expect, long v);

    /** cmpxchg_acquire() (the fast path of spin_lock): returns the old value. */
    public abstract long cmpxchg_acquire(Cell c, long expect, long v);

    /** atomic_long_add_return_release() (up_read): release ordering only. */
    public abstract long atomic_add_return_release(Cell c, long delta);

    /** atomic_long_add_return_acquire() (down_read's fast path): acquire ordering only. */
    public abstract long atomic_add_return_acquire(Cell c, long delta);

    // ---- locks -----------------------------------------------------------------------

    /**
     * One attempt to take a spinlock word (0 free, 1 held): {@code cmpxchg_acquire(c, 0, 1)}.
     * A model may give it more than acquire: LKMM orders a CPU's accesses before an unlock
     * before its accesses after a later lock, for every observer (po-unlock-lock-po).
     */
    public boolean raw_spin_trylock(Cell c) {
        return cmpxchg_acquire(c, 0, 1) == 0;
    }

    /** Drop a spinlock word: {@code smp_store_release(c, 0)}. */
    public void raw_spin_unlock(Cell c) {
        smp_store_release(c, 0);
    }

    // ---- barriers --------------------------------------------------------------------

    public abstract void smp_rmb();

    public abstract void smp_wmb();

    public abstract void smp_mb();

    public void smp_mb__before_atomic() { smp_mb(); }

    public void smp_mb__after_atomic() { smp_mb(); }

    public void smp_mb__after_spinlock() { smp_mb(); }

    // ---- not kernel paths ------------------------------------------------------------

    /**
     * Declares that the bits of {@code c} below {@code firstHighBit} (a power of two) count
     * readers, as a rw_semaphore's count does: a reader adds its bias there and looks only at
     * the bits above. Hardware ignores it. The explorer's memory may then commute two readers'
     * adds (either order leaves the same word and shows each the same high bits) and shows an
     * add's caller only the bits from {@code firstHighBit} up.
     */
    public void readerCount(Cell c, long firstHighBit) { }

    /** A setup write before any role runs. */
    public abstract void init(Cell c, long v);

    /**
     * The latest value, for a judge at quiescence or a report: never a scheduling point, never
     * a stale read. Oracles that run beside other roles read with the primitives instead.
     */
    public abstract long peek(Cell c);

    /** Short name of the memory model, for reports. */
    public abstract String modelName();
}
