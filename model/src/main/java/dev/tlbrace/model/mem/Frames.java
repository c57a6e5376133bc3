package dev.tlbrace.model.mem;

import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Physical memory: each frame has an owner, a reference count and a generation. free bumps
 * the generation, so a secondary translation that recorded (pfn, generation) at fill time can
 * tell that its frame was freed and perhaps reused: that is oracle 1 (no use after free).
 *
 * <p>The allocator is LIFO, as the per-cpu page lists are: a freed frame is the next one handed
 * out, which is exactly the reuse that makes a stale translation dangerous.
 */
public final class Frames {
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    public static final int FREE = 0;
    public static final int OWNER_ANON = 1;   // an anonymous page of the mm under test
    public static final int OWNER_OTHER = 2;  // whoever reuses a freed frame

    private final int[] owner;     // via INTS, release/acquire
    private final int[] refcount;  // page_ref_*: atomics
    private final int[] generation;
    private final int[] freeList;  // under zone lock
    private int freeTop;           // under zone lock
    private final SpinLock zoneLock;
    private final Sched sched;

    public Frames(int count, Sched sched) {
        this.owner = new int[count];
        this.refcount = new int[count];
        this.generation = new int[count];
        this.freeList = new int[count];
        this.sched = sched;
        this.zoneLock = new SpinLock("zone->lock", sched);
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
                return -1;
            }
            int pfn = freeList[--freeTop];
            INTS.setOpaque(refcount, pfn, 1);
            INTS.setRelease(owner, pfn, newOwner);
            sched.observe("alloc pfn", pfn);
            return pfn;
        } finally {
            zoneLock.unlock();
        }
    }

    /** get_page(): the caller already holds a reference or the PTL over a mapping of it. */
    public void getPage(int pfn) {
        INTS.getAndAdd(refcount, pfn, 1);
    }

    /** put_page(): frees the frame when the last reference goes. */
    public void putPage(int pfn) {
        int left = (int) INTS.getAndAdd(refcount, pfn, -1) - 1;
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
            INTS.setOpaque(generation, pfn, (int) INTS.getOpaque(generation, pfn) + 1);
            INTS.setRelease(owner, pfn, FREE);
            freeList[freeTop++] = pfn;
            sched.observe("freed pfn", pfn);
        } finally {
            zoneLock.unlock();
        }
    }

    public int refcount(int pfn) {
        return (int) INTS.getOpaque(refcount, pfn);
    }

    public int owner(int pfn) {
        return (int) INTS.getAcquire(owner, pfn);
    }

    public int generation(int pfn) {
        return (int) INTS.getAcquire(generation, pfn);
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

    public int count() {
        return owner.length;
    }
}
