package dev.tlbrace.model.mm;

import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;

/**
 * struct mmu_interval_notifier (99cb252f5e68): a subscription to [start, end) with its own
 * invalidate_seq. Drivers read under {@link MmuNotifierSubscriptions#readBegin} /
 * {@link #readRetry} and tear down in {@link Ops#invalidate}.
 */
public final class MmuIntervalNotifier {
    /** struct mmu_interval_notifier_ops. */
    public interface Ops {
        /**
         * invalidate: called with the odd mm seq; the driver must take its lock, call
         * {@link MmuIntervalNotifier#setSeq} and tear down, and return true (blockable).
         */
        boolean invalidate(MmuIntervalNotifier sub, MmuNotifierRange range, long curSeq);
    }

    final int start;
    final int end;
    final Ops ops;
    private final Memory mem;
    private final Sched sched;
    private final Cell invalidateSeq; // WRITE_ONCE in set_seq, READ_ONCE in read_retry

    MmuIntervalNotifier(int start, int end, long seq, Ops ops, Memory mem) {
        this.start = start;
        this.end = end;
        this.ops = ops;
        this.mem = mem;
        this.sched = mem.sched;
        this.invalidateSeq = mem.cell("interval_sub->invalidate_seq", seq);
    }

    /** mmu_interval_set_seq(): WRITE_ONCE; pairs with the READ_ONCE in {@link #readRetry}. */
    public void setSeq(long curSeq) {
        sched.point("mmu_interval_set_seq");
        sched.observe("seq", curSeq);
        mem.WRITE_ONCE(invalidateSeq, curSeq);
    }

    /**
     * mmu_interval_read_retry(): called under the driver lock that {@link Ops#invalidate} also
     * takes; true if an invalidation overlapped since {@code seq} was sampled.
     */
    public boolean readRetry(long seq) {
        sched.point("mmu_interval_read_retry");
        long cur = mem.READ_ONCE(invalidateSeq);
        sched.observe("sub seq", cur);
        return cur != seq;
    }

    /**
     * mmu_interval_check_retry(): the same test as {@link #readRetry} without the driver lock, a
     * hint only (hmm_range_fault() gives up early with -EBUSY); a READ_ONCE, no ordering.
     */
    public boolean checkRetry(long seq) {
        sched.point("mmu_interval_check_retry");
        return mem.READ_ONCE(invalidateSeq) != seq;
    }

    long seqOpaque() {
        return mem.READ_ONCE(invalidateSeq);
    }

    public int start() { return start; }

    public int end() { return end; }
}
