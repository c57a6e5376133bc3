package dev.tlbrace.model.kvm;

import dev.tlbrace.model.ProtocolChoice;

import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * struct gfn_to_pfn_cache (virt/kvm/pfncache.c): a guest page KVM maps for its own use (steal
 * time, Xen shared info), valid until an invalidation of its hva. The refresh drops
 * {@code gpc->lock} to fault the page in (hva_to_pfn may sleep), so it must not mark the pfn
 * valid if an invalidation ran meanwhile: 58cd407ca4c6 ("KVM: Fix multiple races in gfn=>pfn
 * cache refresh") made it retry on mmu_notifier_retry_cache().
 *
 * <p>{@code gpc->lock} is an rwlock in the kernel; one spinlock here (readers are one role).
 */
public final class GfnToPfnCache {

    /** How the refresh guards against an invalidation while gpc->lock is dropped (R4). */
    public enum Refresh implements ProtocolChoice {
        /** Before 58cd407ca4c6: retake the lock and mark the pfn valid. Known bug. */
        NO_RETRY("refresh-no-retry", "before 58cd407ca4c6"),
        /**
         * hva_to_pfn_retry(): snapshot mmu_invalidate_seq, fault in, retake the lock and retry
         * while mmu_notifier_retry_cache() (mn_active_invalidate_count, or the seq moved).
         */
        RETRY("refresh-retry", "58cd407ca4c6");

        private final String id;
        private final String commit;

        Refresh(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        @Override public String id() { return id; }

        @Override public String commit() { return commit; }
    }

    private final Kvm kvm;
    private final Memory mem;
    private final Sched sched;
    private final SpinLock lock;  // gpc->lock
    private final Cell valid;     // gpc->valid, under lock
    private final Cell pfn;       // gpc->pfn as a FrameRef, under lock
    private final int hva;
    private final Refresh refresh;

    public GfnToPfnCache(Kvm kvm, int hva, Refresh refresh) {
        this.kvm = kvm;
        this.mem = kvm.mem;
        this.sched = kvm.sched;
        this.hva = hva;
        this.refresh = refresh;
        this.lock = new SpinLock("gpc->lock", mem);
        this.valid = mem.cell("gpc->valid", 0);
        this.pfn = mem.cell("gpc->pfn", FrameRef.NONE);
    }

    /** kvm_gpc_refresh() / hva_to_pfn_retry(): returns the retry rounds, or -1 on OOM. */
    public int kvmGpcRefresh() {
        sched.point("kvm_gpc_refresh");
        lock.lock();
        for (int retries = 0; ; retries++) {
            if (mem.READ_ONCE(valid) != 0) {
                lock.unlock();
                return retries;
            }
            long mmuSeq = kvm.mmuInvalidateSeq();
            mem.smp_rmb();
            lock.unlock(); // hva_to_pfn() may sleep: drop gpc->lock
            HvaToPfn.Result page = HvaToPfn.hvaToPfn(kvm.mm, hva, true, false); // kfp.flags = FOLL_WRITE
            if (page.failed()) {
                return -1;
            }
            int p = page.pfn();
            kvm.mm.faultReturnDelay();
            sched.point("hva_to_pfn_retry: retake gpc->lock");
            lock.lock();
            if (refresh == Refresh.RETRY && mmuNotifierRetryCache(mmuSeq)) {
                sched.point("hva_to_pfn_retry: retry");
                kvm.mm.frames.putPage(p);
                lock.unlock();
                // wait for a running invalidation to end before faulting in again, as
                // kvm_gpc_refresh() does on mn_active_invalidate_count
                while (kvm.mnActiveInvalidateCountLockless() != 0) {
                    sched.spin("hva_to_pfn_retry: wait for invalidate_range_end");
                }
                lock.lock();
                continue;
            }
            sched.point("hva_to_pfn_retry: gpc->valid = true");
            mem.WRITE_ONCE(pfn, kvm.mm.frames.ref(p));
            mem.WRITE_ONCE(valid, 1);
            kvm.mm.frames.putPage(p); // the cache keeps no reference: the notifier invalidates it
            lock.unlock();
            return retries;
        }
    }

    /**
     * mmu_notifier_retry_cache(): an invalidation is running (mn_active_invalidate_count, which
     * start raises before it takes gpc->lock and end drops after seq++), or one ended since the
     * snapshot. The smp_rmb() orders the two reads.
     */
    private boolean mmuNotifierRetryCache(long mmuSeq) {
        sched.point("mmu_notifier_retry_cache");
        if (kvm.mnActiveInvalidateCountLockless() != 0) {
            return true;
        }
        mem.smp_rmb();
        return kvm.mmuInvalidateSeq() != mmuSeq;
    }

    /** gfn_to_pfn_cache_invalidate_start(): under gpc->lock, an overlapping cache goes invalid. */
    void invalidateStart(int start, int end) {
        if (hva < start || hva >= end) {
            return;
        }
        sched.point("gfn_to_pfn_cache_invalidate_start");
        lock.lock();
        mem.WRITE_ONCE(valid, 0);
        lock.unlock();
    }

    /**
     * A guest-visible use of the cache (kvm_gpc_check() then the access), run while other roles
     * run: under gpc->lock, read the pfn, check its frame, confirm the cache is still valid.
     * Returns the stale frame ref used, or {@link FrameRef#NONE} if the use was sound.
     */
    public long useStale() {
        sched.point("kvm_gpc_check: use the cached pfn");
        lock.lock();
        try {
            if (mem.READ_ONCE(valid) == 0) {
                return FrameRef.NONE; // the caller refreshes instead
            }
            long ref = mem.READ_ONCE(pfn);
            return kvm.mm.frames.isLive(ref) ? FrameRef.NONE : ref;
        } finally {
            lock.unlock();
        }
    }

    /** The cache now, for a judge at quiescence: its pfn if valid, else NONE. */
    public long validPfnNow() {
        return mem.peek(valid) != 0 ? mem.peek(pfn) : FrameRef.NONE;
    }
}
