package dev.tlbrace.model.mem;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * Physical memory: each frame has an owner, a reference count and a generation. free bumps
 * the generation, so a secondary translation that recorded (pfn, generation) at fill time can
 * tell that its frame was freed and perhaps reused: that is oracle 1 (no use after free).
 *
 * <p>The allocator is LIFO, as the per-cpu page lists are: a freed frame is the next one handed
 * out, which is exactly the reuse that makes a stale translation dangerous.
 */
public final class Frames {
    public static final int FREE = 0;
    public static final int OWNER_ANON = 1;   // an anonymous page of the mm under test
    public static final int OWNER_OTHER = 2;  // whoever reuses a freed frame

    private final Cell[] owner;      // page->owner: release / acquire
    private final Cell[] refcount;   // page_ref_*: atomics
    private final Cell[] generation; // written under zone lock, read by oracles
    private final int[] freeList;    // confined to zone lock holders
    private int freeTop;             // confined to zone lock holders
    private final SpinLock zoneLock;
    private final Memory mem;
    private final Sched sched;

    public Frames(int count, Memory mem) {
        this.owner = mem.cells("page->owner", count, FREE);
        this.refcount = mem.cells("page->_refcount", count, 0);
        this.generation = mem.cells("page->generation", count, 0);
        this.freeList = new int[count];
        this.mem = mem;
        this.sched = mem.sched;
        this.zoneLock = new SpinLock("zone->lock", mem);
        // pfn 0 is never handed out, so a zero pte or ref never names a real frame
        for (int pfn = count - 1; pfn >= 1; pfn--) {
            freeList[freeTop++] = pfn;
        }
    }

    /** alloc_page(): a frame with refcount 1, or -1 if none is left. */
    public int allocPage(int newOwner) {
        zoneLock.lock();
        try {
            if (freeTop == 0) {
                sched.point("alloc_page: no free frame (-ENOMEM)");
                return -1;
            }
            int pfn = freeList[--freeTop];
            mem.WRITE_ONCE(refcount[pfn], 1); // set_page_refcounted()
            mem.smp_store_release(owner[pfn], newOwner);
            sched.observe("alloc pfn", pfn);
            return pfn;
        } finally {
            zoneLock.unlock();
        }
    }

    /** get_page(): the caller already holds a reference or the PTL over a mapping of it. */
    public void getPage(int pfn) {
        mem.atomic_add(refcount[pfn], 1); // page_ref_inc(): unordered
    }

    /**
     * folio_ref_try_add(folio, 1), as try_grab_folio_fast() takes it: a reference unless the count
     * is 0, for a walker that holds no lock over the page and so may meet one being freed.
     * page_ref_add_unless() is atomic_add_unless(), whose generic form is a try_cmpxchg loop
     * (include/linux/atomic/atomic-arch-fallback.h): fully ordered when it adds (the barrier
     * GUP-fast's PTE re-check relies on), unordered when it finds 0. Returns whether it added.
     */
    public boolean folioRefTryAdd(int pfn) {
        long c = mem.READ_ONCE(refcount[pfn]); // atomic_read()
        while (c != 0) {
            long old = mem.cmpxchg(refcount[pfn], c, c + 1);
            if (old == c) {
                return true;
            }
            c = old; // try_cmpxchg() hands back what it found
        }
        return false;
    }

    /** put_page(): frees the frame when the last reference goes. */
    public void putPage(int pfn) {
        long left = mem.atomic_add_return(refcount[pfn], -1); // put_page_testzero(): fully ordered
        if (left < 0) {
            throw new IllegalStateException("put_page: refcount underflow on pfn 0x" + Long.toHexString(pfn));
        }
        if (left == 0) {
            freePage(pfn);
        }
    }

    private void freePage(int pfn) {
        sched.point("free_page");
        zoneLock.lock();
        try {
            mem.WRITE_ONCE(generation[pfn], mem.READ_ONCE(generation[pfn]) + 1);
            mem.smp_store_release(owner[pfn], FREE);
            freeList[freeTop++] = pfn;
            sched.observe("freed pfn", pfn);
        } finally {
            zoneLock.unlock();
        }
    }

    public int refcount(int pfn) {
        return (int) mem.READ_ONCE(refcount[pfn]);
    }

    public int owner(int pfn) {
        return (int) mem.smp_load_acquire(owner[pfn]);
    }

    public int generation(int pfn) {
        return (int) mem.smp_load_acquire(generation[pfn]);
    }

    /**
     * The generation of {@code pfn} for a secondary that holds no reference on it (an HMM mirror),
     * read right after the PTE that named it: the allocation that PTE mapped, unless the frame was
     * freed in between (then the generation read is the newer one, and the quiescent checks still
     * see the stale pfn). A READ_ONCE, not {@link #generation}'s acquire: an oracle's reading must
     * not order the walker's later accesses.
     */
    public int generationAtRead(int pfn) {
        return (int) mem.READ_ONCE(generation[pfn]);
    }

    /** What a secondary records at fill time: (pfn, generation) in one word. */
    public long ref(int pfn) {
        return FrameRef.of(pfn, generation(pfn));
    }

    /** Oracle 1: the frame the reference names is still the allocation it was taken from. */
    public boolean isLive(long ref) {
        int pfn = FrameRef.pfn(ref);
        return pfn > 0 && pfn < owner.length
                && generation(pfn) == FrameRef.generation(ref)
                && owner(pfn) != FREE;
    }

    /**
     * The latest state of a reference, for a judge at quiescence: no trace point, no stale read.
     * Oracles that run beside other roles use {@link #isLive}.
     */
    public boolean isLiveNow(long ref) {
        int pfn = FrameRef.pfn(ref);
        return pfn > 0 && pfn < owner.length
                && mem.peek(generation[pfn]) == FrameRef.generation(ref)
                && mem.peek(owner[pfn]) != FREE;
    }

    /** The reference count now, for a judge at quiescence. */
    public int refcountNow(int pfn) {
        return (int) mem.peek(refcount[pfn]);
    }

    /** The owner now, for reports at quiescence. */
    public int ownerNow(int pfn) {
        return (int) mem.peek(owner[pfn]);
    }

    /** The generation now, for reports at quiescence. */
    public int generationNow(int pfn) {
        return (int) mem.peek(generation[pfn]);
    }

    public int count() {
        return owner.length;
    }
}
