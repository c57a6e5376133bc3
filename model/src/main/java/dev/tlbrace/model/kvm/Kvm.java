package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Ordering;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * struct kvm and KVM's half of the invalidation retry protocol (virt/kvm/kvm_main.c,
 * include/linux/kvm_host.h). Two memslots: the APIC-access page's private slot and one slot of
 * ordinary guest memory, each backed by pages of the {@link MmStruct}.
 *
 * <p>mmu_lock is an rwlock on x86 (TDP MMU) and arm64; here it is one {@link SpinLock}, which
 * is stronger for readers: the races modelled depend on the lock only between writers and
 * readers, never between two readers.
 */
public final class Kvm {
    private static final VarHandle SEQ;
    private static final VarHandle IN_PROGRESS;
    private static final VarHandle RANGE_START;
    private static final VarHandle RANGE_END;
    private static final VarHandle MN_ACTIVE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SEQ = l.findVarHandle(Kvm.class, "mmuInvalidateSeq", long.class);
            IN_PROGRESS = l.findVarHandle(Kvm.class, "mmuInvalidateInProgress", long.class);
            RANGE_START = l.findVarHandle(Kvm.class, "mmuInvalidateRangeStart", long.class);
            RANGE_END = l.findVarHandle(Kvm.class, "mmuInvalidateRangeEnd", long.class);
            MN_ACTIVE = l.findVarHandle(Kvm.class, "mnActiveInvalidateCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** APIC_ACCESS_PAGE_PRIVATE_MEMSLOT. */
    public static final int APIC_ACCESS_PAGE_PRIVATE_MEMSLOT = 0;
    /** APIC_DEFAULT_PHYS_BASE >> PAGE_SHIFT. */
    public static final long APIC_DEFAULT_GFN = 0xfee00L;
    public static final long INVALID_GPA = -1L;

    public final MmStruct mm;
    public final Sched sched;
    public final ApicReload apicReload;
    public final SpinLock mmuLock;
    public final Memslot[] memslots;
    public final Stage2 stage2;       // for the ordinary-memory slot (id 1)
    private final KvmVcpu[] vcpus;

    private long mmuInvalidateSeq;        // written under mmu_lock, snapshot locklessly
    private long mmuInvalidateInProgress; // written under mmu_lock
    private long mmuInvalidateRangeStart; // gfns, under mmu_lock
    private long mmuInvalidateRangeEnd;
    private long mnActiveInvalidateCount; // under mn_invalidate_lock: atomic here

    /**
     * @param apicHva  host page backing the APIC-access page
     * @param memHva   first host page of ordinary guest memory (gfn 0..memPages)
     */
    public Kvm(MmStruct mm, ApicReload apicReload, int vcpuCount, int apicHva, int memHva, int memPages) {
        this.mm = mm;
        this.sched = mm.sched;
        this.apicReload = apicReload;
        this.mmuLock = new SpinLock("kvm->mmu_lock", sched);
        this.memslots = new Memslot[] {
            new Memslot(APIC_ACCESS_PAGE_PRIVATE_MEMSLOT, APIC_DEFAULT_GFN, 1, apicHva),
            new Memslot(1, 0, memPages, memHva),
        };
        this.stage2 = new Stage2(memPages, sched);
        this.vcpus = new KvmVcpu[vcpuCount];
        for (int i = 0; i < vcpuCount; i++) {
            vcpus[i] = new KvmVcpu(this, i);
        }
        RANGE_START.setOpaque(this, INVALID_GPA);
        RANGE_END.setOpaque(this, INVALID_GPA);
        VarHandle.releaseFence(); // publish the initial state to the threads about to start
    }

    public KvmVcpu vcpu(int i) { return vcpus[i]; }

    public int vcpuCount() { return vcpus.length; }

    public Memslot apicSlot() { return memslots[APIC_ACCESS_PAGE_PRIVATE_MEMSLOT]; }

    /** kvm_mmu_invalidate_begin(); caller holds mmu_lock for write. */
    void kvmMmuInvalidateBegin() {
        sched.point("kvm_mmu_invalidate_begin: mmu_invalidate_in_progress++");
        long n = inProgress() + 1;
        IN_PROGRESS.setOpaque(this, n);
        sched.observe("in_progress", n);
        if (n == 1) {
            RANGE_START.setOpaque(this, INVALID_GPA);
            RANGE_END.setOpaque(this, INVALID_GPA);
        }
    }

    /** kvm_mmu_invalidate_range_add(); caller holds mmu_lock for write. */
    void kvmMmuInvalidateRangeAdd(long start, long end) {
        long s = (long) RANGE_START.getOpaque(this);
        if (s == INVALID_GPA) {
            RANGE_START.setOpaque(this, start);
            RANGE_END.setOpaque(this, end);
        } else {
            RANGE_START.setOpaque(this, Math.min(s, start));
            RANGE_END.setOpaque(this, Math.max((long) RANGE_END.getOpaque(this), end));
        }
    }

    /**
     * kvm_mmu_invalidate_end(); caller holds mmu_lock for write. The smp_wmb() orders seq++
     * before in_progress-- and pairs with the smp_rmb() in {@link #mmuInvalidateRetry}: a
     * lockless reader sees the old non-zero in_progress or the new seq.
     */
    void kvmMmuInvalidateEnd() {
        sched.point("kvm_mmu_invalidate_end: mmu_invalidate_seq++");
        long seq = (long) SEQ.getOpaque(this) + 1;
        SEQ.setOpaque(this, seq);
        sched.observe("seq", seq);
        Ordering.smpWmb(); // pairs with smpRmb() in mmuInvalidateRetry()
        sched.point("kvm_mmu_invalidate_end: mmu_invalidate_in_progress--");
        long n = inProgress() - 1;
        IN_PROGRESS.setOpaque(this, n);
        sched.observe("in_progress", n);
        if (n < 0) {
            throw new IllegalStateException("KVM_BUG_ON(mmu_invalidate_in_progress < 0)");
        }
    }

    /** The snapshot a retry-protocol reader takes first: kvm->mmu_invalidate_seq. */
    public long mmuInvalidateSeq() {
        sched.point("mmu_seq = kvm->mmu_invalidate_seq");
        long seq = (long) SEQ.getOpaque(this);
        sched.observe("seq", seq);
        return seq;
    }

    /**
     * mmu_invalidate_retry(): for callers without mmu_lock. Either the old non-zero
     * in_progress or the new seq is seen (smp_rmb pairs with the smp_wmb in
     * {@link #kvmMmuInvalidateEnd}).
     */
    public boolean mmuInvalidateRetry(long mmuSeq) {
        if (inProgress() != 0) {
            return true;
        }
        Ordering.smpRmb();
        return (long) SEQ.getOpaque(this) != mmuSeq;
    }

    /**
     * mmu_invalidate_retry_gfn(); caller holds mmu_lock. Retry if an invalidation covering
     * {@code gfn} is in progress, or any invalidation ended since {@code mmuSeq} was taken.
     */
    public boolean mmuInvalidateRetryGfn(long mmuSeq, long gfn) {
        sched.point("mmu_invalidate_retry_gfn");
        long n = inProgress();
        sched.observe("in_progress", n);
        if (n != 0) {
            long s = (long) RANGE_START.getOpaque(this);
            if (s == INVALID_GPA) {
                return true; // WARN_ON_ONCE in the kernel
            }
            if (gfn >= s && gfn < (long) RANGE_END.getOpaque(this)) {
                return true;
            }
        }
        long seq = (long) SEQ.getOpaque(this);
        sched.observe("seq", seq);
        return seq != mmuSeq;
    }

    /**
     * kvm_make_all_cpus_request(): set the bit on every vCPU, then kick those in guest mode.
     * With KVM_REQUEST_WAIT the requester waits for the IPI to be acknowledged, i.e. for the
     * vCPU to leave guest mode; the model takes the kick's IN_GUEST_MODE -> EXITING_GUEST_MODE
     * cmpxchg as that exit (guest code does not run in EXITING_GUEST_MODE).
     */
    public void kvmMakeAllCpusRequest(int req) {
        sched.point(req == KvmRequest.APIC_PAGE_RELOAD
                ? "kvm_make_all_cpus_request(KVM_REQ_APIC_PAGE_RELOAD)" : "kvm_make_all_cpus_request");
        for (KvmVcpu v : vcpus) {
            v.kvmMakeRequest(req);
            v.kvmVcpuExitingGuestMode();
        }
    }

    void mnActiveInvalidateCountAdd(long delta) {
        MN_ACTIVE.getAndAdd(this, delta);
    }

    public long inProgress() {
        return (long) IN_PROGRESS.getOpaque(this);
    }

    public long mnActiveInvalidateCount() {
        return (long) MN_ACTIVE.getVolatile(this);
    }

    public long seqNow() {
        return (long) SEQ.getOpaque(this);
    }
}
