package dev.tlbrace.model.mem;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;

/**
 * The CPU page table: one PTE word per virtual page. Lock-free like the real one: the mm
 * writes under the PTL, hardware walkers (the SMMU in SVA mode) read with no lock at all.
 * Virtual addresses are page indexes.
 */
public final class PageTable {
    private final Cell[] ptes; // pte[va]
    private final Memory mem;
    private final Sched sched;

    public PageTable(int pages, Memory mem) {
        this.ptes = mem.cells("pte", pages, Pte.NONE);
        this.mem = mem;
        this.sched = mem.sched;
    }

    public int size() {
        return ptes.length;
    }

    /** ptep_get(): READ_ONCE of the word, as software and hardware walkers read it. */
    public long ptepGet(int va) {
        long pte = mem.READ_ONCE(ptes[va]);
        sched.observe("pte", pte);
        return pte;
    }

    /**
     * ptep_get_lockless() (include/linux/pgtable.h): the read of a walker that holds no lock,
     * GUP-fast's. A PTE is one word here, as on 64-bit, so it is ptep_get()'s READ_ONCE; only
     * 32-bit PAE needs the low/high retry loop. Named apart so that the timeline says which
     * walker read the word.
     */
    public long ptepGetLockless(int va) {
        long pte = mem.READ_ONCE(ptes[va]);
        sched.observe("pte", pte);
        return pte;
    }

    /** set_pte_at(): WRITE_ONCE; the caller holds the PTL. */
    public void setPteAt(int va, long pte) {
        sched.observe("pte", pte);
        mem.WRITE_ONCE(ptes[va], pte);
    }

    /** ptep_get_and_clear(): xchg, fully ordered, so a racing hardware A/D update is not lost. */
    public long ptepGetAndClear(int va) {
        long old = mem.xchg(ptes[va], Pte.NONE);
        sched.observe("old pte", old);
        return old;
    }

    /**
     * arm64 __ptep_set_access_flags(): a cmpxchg_relaxed loop that only adds permission bits.
     * Returns whether the entry changed (the caller then flushes).
     */
    public boolean ptepSetAccessFlags(int va, long entry) {
        for (;;) {
            long old = mem.READ_ONCE(ptes[va]);
            long want = old | (entry & (Pte.WRITE | Pte.DIRTY | Pte.ACCESSED));
            if (want == old) {
                return false;
            }
            if (mem.cmpxchg_relaxed(ptes[va], old, want) == old) {
                sched.observe("pte", want);
                return true;
            }
        }
    }

    /** A setup write before any thread runs (not a kernel path). */
    public void init(int va, long pte) {
        mem.init(ptes[va], pte);
    }

    /** The latest PTE, for a judge at quiescence (never a stale read, never a trace point). */
    public long peek(int va) {
        return mem.peek(ptes[va]);
    }
}
