package dev.tlbrace.model.mem;

import dev.tlbrace.model.sync.Sched;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The CPU page table: one PTE word per virtual page. Lock-free like the real one: the mm
 * writes under the PTL, hardware walkers (the SMMU in SVA mode) read with no lock at all.
 * Virtual addresses are page indexes.
 */
public final class PageTable {
    private static final VarHandle PTES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] ptes; // via PTES
    private final Sched sched;

    public PageTable(int pages, Sched sched) {
        this.ptes = new long[pages];
        this.sched = sched;
    }

    public int size() {
        return ptes.length;
    }

    /** ptep_get(): READ_ONCE of the word, as software and hardware walkers read it. */
    public long ptepGet(int va) {
        long pte = (long) PTES.getOpaque(ptes, va);
        sched.observe("pte", pte);
        return pte;
    }

    /** set_pte_at(): WRITE_ONCE; the caller holds the PTL. */
    public void setPteAt(int va, long pte) {
        sched.observe("pte", pte);
        PTES.setOpaque(ptes, va, pte);
    }

    /** ptep_get_and_clear(): xchg, fully ordered, so a racing hardware A/D update is not lost. */
    public long ptepGetAndClear(int va) {
        long old = (long) PTES.getAndSet(ptes, va, Pte.NONE);
        sched.observe("old pte", old);
        return old;
    }

    /**
     * arm64 __ptep_set_access_flags(): a cmpxchg_relaxed loop that only adds permission bits.
     * Returns whether the entry changed (the caller then flushes).
     */
    public boolean ptepSetAccessFlags(int va, long entry) {
        for (;;) {
            long old = (long) PTES.getOpaque(ptes, va);
            long want = old | (entry & (Pte.WRITE | Pte.DIRTY | Pte.ACCESSED));
            if (want == old) {
                return false;
            }
            if (PTES.weakCompareAndSetPlain(ptes, va, old, want)) {
                sched.observe("pte", want);
                return true;
            }
        }
    }

    /** A setup write before any thread runs (not a kernel path). */
    public void init(int va, long pte) {
        PTES.setVolatile(ptes, va, pte);
    }
}
