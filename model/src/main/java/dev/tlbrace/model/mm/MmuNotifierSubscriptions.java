package dev.tlbrace.model.mm;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * struct mmu_notifier_subscriptions (mm/mmu_notifier.c): the hlist of {@link MmuNotifier}s and
 * the interval notifiers with the mm-wide invalidate_seq (even = idle, odd = an invalidation
 * overlapping some interval is running).
 *
 * <p>The hlist is walked under SRCU in the kernel: readers never block and see a consistent
 * list. A copy-on-write list gives the same, and registration happens before any race starts.
 * The interval tree is a list scanned for overlap, and inserting while an invalidation runs
 * (the deferred list) is not modelled: {@link #insert} refuses it.
 */
public final class MmuNotifierSubscriptions {
    private final List<MmuNotifier> list = new CopyOnWriteArrayList<>();
    private final List<MmuIntervalNotifier> itree = new CopyOnWriteArrayList<>();
    private final SpinLock lock;                // subscriptions->lock
    private final Memory mem;
    private final Sched sched;
    private final boolean secondaryTlbsInFlush; // v6.6: invalidate_range is gone
    private final Cell invalidateSeq;           // written under lock; READ_ONCE by waiters
    private long activeInvalidateRanges;        // confined to lock holders
    private final Cell starts;                  // N1 bookkeeping, not kernel state
    private final Cell ends;

    public MmuNotifierSubscriptions(Memory mem, boolean secondaryTlbsInFlush) {
        this.mem = mem;
        this.sched = mem.sched;
        this.secondaryTlbsInFlush = secondaryTlbsInFlush;
        this.lock = new SpinLock("subscriptions->lock", mem);
        this.invalidateSeq = mem.cell("subscriptions->invalidate_seq", 2);
        this.starts = mem.cell("N1 starts", 0);
        this.ends = mem.cell("N1 ends", 0);
    }

    /** mmu_notifier_register(); before the race starts. */
    public void register(MmuNotifier subscription) {
        list.add(subscription);
    }

    /** mmu_interval_notifier_insert(): the subscription starts out not invalidating. */
    public MmuIntervalNotifier insert(int start, int end, MmuIntervalNotifier.Ops ops) {
        lock.lock();
        try {
            if (activeInvalidateRanges != 0) {
                throw new IllegalStateException("insert during an invalidation (deferred list) is not modelled");
            }
            MmuIntervalNotifier sub = new MmuIntervalNotifier(start, end, seq() - 1, ops, mem);
            itree.add(sub);
            return sub;
        } finally {
            lock.unlock();
        }
    }

    /** __mmu_notifier_invalidate_range_start(): interval notifiers first, then the hlist. */
    public void invalidateRangeStart(MmuNotifierRange range) {
        sched.point("mmu_notifier_invalidate_range_start");
        mem.atomic_add(starts, 1);
        if (!itree.isEmpty()) {
            mnItreeInvalidate(range);
        }
        for (MmuNotifier sub : list) {
            sub.invalidateRangeStart(range);
        }
    }

    /**
     * __mmu_notifier_invalidate_range_end(). Before v6.6 mn_hlist_invalidate_end() also called
     * invalidate_range, so hardware secondaries heard of every change at the latest here.
     */
    public void invalidateRangeEnd(MmuNotifierRange range) {
        end(range, false);
    }

    /**
     * mmu_notifier_invalidate_range_only_end() (v4.17 .. v6.6, ec8832d007cb removed it): end
     * without calling invalidate_range again, for callers that just did it with
     * ptep_clear_flush_notify() (wp_page_copy).
     */
    public void invalidateRangeOnlyEnd(MmuNotifierRange range) {
        end(range, true);
    }

    private void end(MmuNotifierRange range, boolean onlyEnd) {
        sched.point("mmu_notifier_invalidate_range_end");
        if (!itree.isEmpty()) {
            mnItreeInvEnd();
        }
        for (MmuNotifier sub : list) {
            if (!secondaryTlbsInFlush && !onlyEnd) {
                sub.invalidateRange(range.start(), range.end());
            }
            sub.invalidateRangeEnd(range);
        }
        sched.point("mmu_notifier_invalidate_range_end: done");
        mem.atomic_add(ends, 1);
    }

    /** mmu_notifier_invalidate_range() (before v6.6): from the mmu_gather TLB flush. */
    public void invalidateRange(int start, int end) {
        if (secondaryTlbsInFlush) {
            return; // removed by 1af5a8109904; the arch flush calls arch_invalidate_secondary_tlbs
        }
        sched.point("mmu_notifier_invalidate_range");
        for (MmuNotifier sub : list) {
            sub.invalidateRange(start, end);
        }
    }

    /** mmu_notifier_arch_invalidate_secondary_tlbs() (v6.6): from the arch TLB flush. */
    public void archInvalidateSecondaryTlbs(int start, int end) {
        sched.point("mmu_notifier_arch_invalidate_secondary_tlbs");
        for (MmuNotifier sub : list) {
            sub.archInvalidateSecondaryTlbs(start, end);
        }
    }

    /** __mmu_notifier_release(). */
    public void release() {
        sched.point("mmu_notifier_release");
        for (MmuNotifier sub : list) {
            sub.release();
        }
    }

    private void mnItreeInvalidate(MmuNotifierRange range) {
        long curSeq;
        List<MmuIntervalNotifier> hit = new java.util.ArrayList<>();
        lock.lock(); // mn_itree_inv_start_range()
        try {
            activeInvalidateRanges++;
            for (MmuIntervalNotifier sub : itree) {
                if (range.overlaps(sub.start, sub.end)) {
                    hit.add(sub);
                }
            }
            if (!hit.isEmpty()) {
                mem.WRITE_ONCE(invalidateSeq, seq() | 1L);
            }
            curSeq = seq();
        } finally {
            lock.unlock();
        }
        for (MmuIntervalNotifier sub : hit) {
            sub.ops.invalidate(sub, range, curSeq);
        }
    }

    private void mnItreeInvEnd() {
        lock.lock();
        try {
            if (--activeInvalidateRanges != 0 || (seq() & 1L) == 0) {
                return;
            }
            mem.WRITE_ONCE(invalidateSeq, seq() + 1); // even again: wake_up_all(&subscriptions->wq)
            sched.observe("mm seq", seq());
        } finally {
            lock.unlock();
        }
    }

    /**
     * mmu_interval_read_begin() as the kernel has it (99cb252f5e68, v5.5, to today): returns the
     * subscription's seq, first waiting out an invalidation that is running over it (its seq
     * equals the odd mm seq).
     */
    public long readBegin(MmuIntervalNotifier sub) {
        return readBegin(sub, false);
    }

    /**
     * mmu_interval_read_begin(). The subscription's seq and the mm seq are read under
     * subscriptions->lock, the lock mn_itree_inv_start_range() and mn_itree_inv_end() write the
     * mm seq under: a read_begin whose critical section follows inv_end's reads-from its unlock,
     * and everything the invalidation did before inv_end (the PTE change) happens before what the
     * caller does next. A read_begin whose critical section came first saw the invalidation
     * running and waits: wait_event(wq, READ_ONCE(invalidate_seq) != seq). If the condition holds
     * at once, wait_event() returns with no barrier at all (its fast path), and that READ_ONCE
     * orders nothing after it; with {@code waitAcquire} the condition is read with
     * smp_load_acquire() instead, which orders the caller's later reads of the page table after
     * it: message passing whose writer side is already ordered (the PTE change is a fully
     * ordered ptep_get_and_clear() or sits before inv_end's spin_lock(), the seq++ after it).
     */
    public long readBegin(MmuIntervalNotifier sub, boolean waitAcquire) {
        sched.point("mmu_interval_read_begin");
        long seq;
        boolean invalidating;
        lock.lock();
        try {
            seq = sub.seqOpaque();
            invalidating = seq == seq();
        } finally {
            lock.unlock();
        }
        if (invalidating) {
            sched.point("mmu_interval_read_begin: wait_event(subscriptions->wq)");
            // wait_event(subscriptions->wq, READ_ONCE(subscriptions->invalidate_seq) != seq)
            while ((waitAcquire ? mem.smp_load_acquire(invalidateSeq) : mem.READ_ONCE(invalidateSeq)) == seq) {
                sched.spin("mmu_interval_read_begin: wait for invalidate_range_end");
            }
        }
        sched.observe("seq", seq);
        return seq;
    }

    private long seq() {
        return mem.READ_ONCE(invalidateSeq);
    }

    /** The mm-wide invalidate_seq, for oracles (I2: even at quiescence). */
    public long invalidateSeq() {
        return seq();
    }

    public long activeInvalidateRanges() {
        lock.lock();
        try {
            return activeInvalidateRanges;
        } finally {
            lock.unlock();
        }
    }

    public long starts() { return mem.peek(starts); }

    public long ends() { return mem.peek(ends); }
}
