package dev.tlbrace.model.hmm;

import dev.tlbrace.model.ProtocolChoice;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mm.Hmm;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.MmuIntervalNotifier;
import dev.tlbrace.model.mm.MmuNotifierRange;
import dev.tlbrace.model.mm.VmaTree;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * struct dmirror (lib/test_hmm.c): the HMM test driver's device mirror, the shape
 * Documentation/mm/hmm.rst prescribes for every HMM driver. A device page table (an XArray
 * {@code dmirror->pt} of page pointers, no page references: the notifier must clear them), the
 * driver lock {@code dmirror->mutex} that the fault and the invalidate callback both take, and
 * one interval notifier over the mirrored range.
 */
public final class Dmirror implements MmuIntervalNotifier.Ops {

    /** How the driver's fault path ties its page-table read to the interval notifier. */
    public enum Protocol implements ProtocolChoice {
        /**
         * Installs what hmm_range_fault() returned without mmu_interval_read_retry() under the
         * driver lock: the mistake hmm.rst's "take_lock(driver->update); if
         * (mmu_interval_read_retry(...)) goto again" is there to prevent. Known bug.
         */
        NO_READ_RETRY("no-read-retry", "hmm.rst without mmu_interval_read_retry()"),
        /**
         * The documented protocol (99cb252f5e68, v5.5; lib/test_hmm.c dmirror_range_fault()):
         * read_begin, mmap_read_lock, hmm_range_fault, mmap_read_unlock, then under the driver
         * lock read_retry before programming the device.
         */
        READ_RETRY("read-retry", "99cb252f5e68"),
        /**
         * The documented protocol with the wait in mmu_interval_read_begin() reading the mm seq
         * with smp_load_acquire() instead of READ_ONCE() (not in any kernel: the smallest change
         * that closes the weak-memory window of {@link #READ_RETRY}).
         */
        READ_BEGIN_ACQUIRE("read-begin-acquire", "proposed: smp_load_acquire() in read_begin's wait_event()");

        private final String id;
        private final String commit;

        Protocol(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        @Override public String id() { return id; }

        @Override public String commit() { return commit; }
    }

    /** xa_tag_pointer(entry, DPT_XA_TAG_WRITE): the device may write through the entry. */
    public static final long DPT_XA_TAG_WRITE = Hmm.HMM_PFN_WRITE;

    private final MmStruct mm;
    private final VmaTree vmas;
    private final Sched sched;
    private final Memory mem;
    private final SpinLock mutex;  // dmirror->mutex (a mutex: acquire/release like a spinlock)
    private final Cell[] pt;       // dmirror->pt: frame ref | DPT_XA_TAG_WRITE, 0 = no entry
    private final MmuIntervalNotifier notifier;

    /** A mirror of pages [start, end) of {@code mm}; {@code vmas} null where no VMA goes away. */
    public Dmirror(MmStruct mm, VmaTree vmas, int start, int end) {
        this.mm = mm;
        this.vmas = vmas;
        this.sched = mm.sched;
        this.mem = mm.mem;
        this.mutex = new SpinLock("dmirror->mutex", mem);
        this.pt = mem.cells("dmirror->pt", mm.pgtable.size(), FrameRef.NONE, Dmirror::describe);
        this.notifier = mm.notifiers.insert(start, end, this); // mmu_interval_notifier_insert()
    }

    /** A device page-table entry as a timeline shows it. */
    public static String describe(long entry) {
        return entry == FrameRef.NONE ? "none"
                : FrameRef.describe(entry & ~DPT_XA_TAG_WRITE) + ((entry & DPT_XA_TAG_WRITE) != 0 ? " write" : " read");
    }

    /**
     * dmirror_interval_invalidate(): the blockable path (every path modelled is): take the
     * driver lock, mmu_interval_set_seq(), dmirror_do_update() erases the entries, unlock.
     */
    @Override
    public boolean invalidate(MmuIntervalNotifier sub, MmuNotifierRange range, long curSeq) {
        sched.point("dmirror_interval_invalidate");
        mutex.lock();
        sub.setSeq(curSeq);
        sched.point("dmirror_do_update: xa_erase");
        for (int va = range.start(); va < range.end(); va++) {
            mem.WRITE_ONCE(pt[va], FrameRef.NONE);
        }
        mutex.unlock();
        return true;
    }

    /**
     * dmirror_range_fault() for one page: loops until the page table read and the device entry
     * agree. Returns the number of retries, or a negative errno (-EFAULT: no VMA any more).
     */
    public int dmirrorRangeFault(int va, Protocol protocol) {
        long[] hmmPfn = new long[1];
        for (int retries = 0; ; retries++) {
            if (retries > 0) {
                sched.spin("dmirror_range_fault: again");
            }
            long seq = mm.notifiers.readBegin(notifier, protocol == Protocol.READ_BEGIN_ACQUIRE);
            mm.mmapLock.downRead(); // mmap_read_lock()
            int ret;
            try {
                ret = Hmm.hmmRangeFault(mm, notifier, seq, vmas, va, hmmPfn);
            } finally {
                mm.mmapLock.upRead();
            }
            // the driver's own work between the walk and its lock (dma mapping the pages, building
            // the update): a documented widening for free-running threads, 0 in the explorer
            mm.faultReturnDelay();
            if (ret == Hmm.EBUSY) {
                continue;
            }
            if (ret != 0) {
                return ret;
            }
            sched.point("dmirror_range_fault: mutex_lock");
            mutex.lock();
            if (protocol != Protocol.NO_READ_RETRY && notifier.readRetry(seq)) {
                mutex.unlock();
                continue;
            }
            sched.point("dmirror_do_fault: xa_store");
            mem.WRITE_ONCE(pt[va], hmmPfn[0]);
            mutex.unlock();
            return retries;
        }
    }

    /** The device entry for {@code va}: READ_ONCE, as a device walk would see it (for oracles). */
    public long entry(int va) {
        return mem.READ_ONCE(pt[va]);
    }

    /** The device entry now, for a judge at quiescence. */
    public long entryNow(int va) {
        return mem.peek(pt[va]);
    }

    public MmuIntervalNotifier notifier() {
        return notifier;
    }
}
