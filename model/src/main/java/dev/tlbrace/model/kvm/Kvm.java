package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import dev.tlbrace.model.sync.SpinLock;

/**
 * struct kvm and KVM's half of the invalidation retry protocol (virt/kvm/kvm_main.c,
 * include/linux/kvm_host.h). One memslot of ordinary guest memory ({@link #GUEST_MEMORY_MEMSLOT},
 * mapped by {@link #stage2}) and, for a VM with an in-kernel APIC, the APIC-access page's
 * private slot; each backed by pages of the {@link MmStruct}.
 *
 * <p>mmu_lock is an rwlock on x86 (TDP MMU) and arm64; here it is one {@link SpinLock}, which
 * is stronger for readers: the races modelled depend on the lock only between writers and
 * readers, never between two readers.
 */
public final class Kvm {
    /** APIC_ACCESS_PAGE_PRIVATE_MEMSLOT. */
    public static final int APIC_ACCESS_PAGE_PRIVATE_MEMSLOT = 0;
    /** The slot of ordinary guest memory (gfn 0 up). */
    public static final int GUEST_MEMORY_MEMSLOT = 1;
    /** APIC_DEFAULT_PHYS_BASE >> PAGE_SHIFT. */
    public static final long APIC_DEFAULT_GFN = 0xfee00L;
    public static final long INVALID_GPA = -1L;

    public final MmStruct mm;
    public final Memory mem;
    public final Sched sched;
    /** How the APIC-access page is reloaded; null for a VM without one. */
    public final ApicReload apicReload;
    public final SpinLock mmuLock;
    public final Memslot[] memslots;
    public final Stage2 stage2;       // for GUEST_MEMORY_MEMSLOT
    private final KvmVcpu[] vcpus;

    private final Cell mmuInvalidateSeq;        // written under mmu_lock, snapshot locklessly
    private final Cell mmuInvalidateInProgress; // written under mmu_lock
    private final Cell mmuInvalidateRangeStart; // gfns, under mmu_lock
    private final Cell mmuInvalidateRangeEnd;
    private final Cell mnActiveInvalidateCount; // under mn_invalidate_lock: atomic here

    /**
     * A VM with an APIC-access page.
     *
     * @param apicHva  host page backing the APIC-access page
     * @param memHva   first host page of ordinary guest memory (gfn 0..memPages)
     */
    public Kvm(MmStruct mm, ApicReload apicReload, int vcpuCount, int apicHva, int memHva, int memPages) {
        this(mm, apicReload, vcpuCount, apicHva, memHva, memPages, false);
    }

    /**
     * A VM with guest memory only: no APIC-access page, nothing of the APIC race in its paths.
     *
     * @param rmapLocks the stage-2 table has Book3S HV's per-page rmap locks
     */
    public Kvm(MmStruct mm, int vcpuCount, int memHva, int memPages, boolean rmapLocks) {
        this(mm, null, vcpuCount, -1, memHva, memPages, rmapLocks);
    }

    private Kvm(MmStruct mm, ApicReload apicReload, int vcpuCount, int apicHva, int memHva, int memPages,
               boolean rmapLocks) {
        this.mm = mm;
        this.mem = mm.mem;
        this.sched = mm.sched;
        this.apicReload = apicReload;
        this.mmuInvalidateSeq = mem.cell("kvm->mmu_invalidate_seq", 0);
        this.mmuInvalidateInProgress = mem.cell("kvm->mmu_invalidate_in_progress", 0);
        this.mmuInvalidateRangeStart = mem.cell("kvm->mmu_invalidate_range_start", INVALID_GPA);
        this.mmuInvalidateRangeEnd = mem.cell("kvm->mmu_invalidate_range_end", INVALID_GPA);
        this.mnActiveInvalidateCount = mem.cell("kvm->mn_active_invalidate_count", 0);
        this.mmuLock = new SpinLock("kvm->mmu_lock", mem);
        Memslot memory = new Memslot(GUEST_MEMORY_MEMSLOT, 0, memPages, memHva);
        this.memslots = apicReload == null ? new Memslot[] {memory}
                : new Memslot[] {new Memslot(APIC_ACCESS_PAGE_PRIVATE_MEMSLOT, APIC_DEFAULT_GFN, 1, apicHva), memory};
        this.stage2 = new Stage2(memPages, mem, rmapLocks);
        this.vcpus = new KvmVcpu[vcpuCount];
        for (int i = 0; i < vcpuCount; i++) {
            vcpus[i] = new KvmVcpu(this, i);
        }
    }

    public KvmVcpu vcpu(int i) { return vcpus[i]; }

    public int vcpuCount() { return vcpus.length; }

    /** id_to_memslot(). */
    public Memslot memslot(int id) {
        for (Memslot s : memslots) {
            if (s.id() == id) {
                return s;
            }
        }
        throw new IllegalStateException("this VM has no memslot " + id
                + (id == APIC_ACCESS_PAGE_PRIVATE_MEMSLOT ? " (no APIC-access page)" : ""));
    }

    /** gfn_to_memslot(): the slot holding {@code gfn}, or an error (the fault would exit to userspace). */
    public Memslot gfnToMemslot(long gfn) {
        for (Memslot s : memslots) {
            if (s.containsGfn(gfn)) {
                return s;
            }
        }
        throw new IllegalArgumentException("gfn 0x" + Long.toHexString(gfn) + " is in no memslot");
    }

    public Memslot apicSlot() { return memslot(APIC_ACCESS_PAGE_PRIVATE_MEMSLOT); }

    /** kvm_mmu_invalidate_begin(); caller holds mmu_lock for write. */
    void kvmMmuInvalidateBegin() {
        sched.point("kvm_mmu_invalidate_begin: mmu_invalidate_in_progress++");
        long n = inProgress() + 1;
        mem.WRITE_ONCE(mmuInvalidateInProgress, n);
        sched.observe("in_progress", n);
        if (n == 1) {
            mem.WRITE_ONCE(mmuInvalidateRangeStart, INVALID_GPA);
            mem.WRITE_ONCE(mmuInvalidateRangeEnd, INVALID_GPA);
        }
    }

    /** kvm_mmu_invalidate_range_add(); caller holds mmu_lock for write. */
    void kvmMmuInvalidateRangeAdd(long start, long end) {
        long s = mem.READ_ONCE(mmuInvalidateRangeStart);
        if (s == INVALID_GPA) {
            mem.WRITE_ONCE(mmuInvalidateRangeStart, start);
            mem.WRITE_ONCE(mmuInvalidateRangeEnd, end);
        } else {
            mem.WRITE_ONCE(mmuInvalidateRangeStart, Math.min(s, start));
            mem.WRITE_ONCE(mmuInvalidateRangeEnd, Math.max(mem.READ_ONCE(mmuInvalidateRangeEnd), end));
        }
    }

    /**
     * kvm_mmu_invalidate_end(); caller holds mmu_lock for write. The smp_wmb() orders seq++
     * before in_progress-- and pairs with the smp_rmb() in {@link #mmuInvalidateRetry}: a
     * lockless reader sees the old non-zero in_progress or the new seq.
     */
    void kvmMmuInvalidateEnd() {
        sched.point("kvm_mmu_invalidate_end: mmu_invalidate_seq++");
        long seq = mem.READ_ONCE(mmuInvalidateSeq) + 1;
        mem.WRITE_ONCE(mmuInvalidateSeq, seq);
        sched.observe("seq", seq);
        mem.smp_wmb(); // pairs with smp_rmb() in mmuInvalidateRetry()
        sched.point("kvm_mmu_invalidate_end: mmu_invalidate_in_progress--");
        long n = inProgress() - 1;
        mem.WRITE_ONCE(mmuInvalidateInProgress, n);
        sched.observe("in_progress", n);
        if (n < 0) {
            throw new IllegalStateException("KVM_BUG_ON(mmu_invalidate_in_progress < 0)");
        }
    }

    /** The snapshot a retry-protocol reader takes first: kvm->mmu_invalidate_seq. */
    public long mmuInvalidateSeq() {
        sched.point("mmu_seq = kvm->mmu_invalidate_seq");
        long seq = mem.READ_ONCE(mmuInvalidateSeq);
        sched.observe("seq", seq);
        return seq;
    }

    /**
     * mmu_invalidate_retry(): for callers without mmu_lock. Either the old non-zero
     * in_progress or the new seq is seen (smp_rmb pairs with the smp_wmb in
     * {@link #kvmMmuInvalidateEnd}).
     */
    public boolean mmuInvalidateRetry(long mmuSeq) {
        sched.point("mmu_invalidate_retry");
        long n = inProgress();
        sched.observe("in_progress", n);
        if (n != 0) {
            return true;
        }
        mem.smp_rmb(); // pairs with smp_wmb() in kvmMmuInvalidateEnd()
        long seq = mem.READ_ONCE(mmuInvalidateSeq);
        sched.observe("seq", seq);
        return seq != mmuSeq;
    }

    /** A fault that checks only the sequence count (SEQ_ONLY): did any invalidation end since? */
    public boolean mmuInvalidateSeqMoved(long mmuSeq) {
        sched.point("mmu_invalidate_seq != mmu_seq");
        long seq = mem.READ_ONCE(mmuInvalidateSeq);
        sched.observe("seq", seq);
        return seq != mmuSeq;
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
            long s = mem.READ_ONCE(mmuInvalidateRangeStart);
            if (s == INVALID_GPA) {
                return true; // WARN_ON_ONCE in the kernel
            }
            if (gfn >= s && gfn < mem.READ_ONCE(mmuInvalidateRangeEnd)) {
                return true;
            }
        }
        long seq = mem.READ_ONCE(mmuInvalidateSeq);
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
        sched.point(delta > 0 ? "kvm_mmu_notifier_invalidate_range_start: mn_active_invalidate_count++"
                : "kvm_mmu_notifier_invalidate_range_end: mn_active_invalidate_count--");
        mem.atomic_add_return(mnActiveInvalidateCount, delta);
    }

    /** READ_ONCE(kvm->mmu_invalidate_in_progress). */
    public long inProgress() {
        return mem.READ_ONCE(mmuInvalidateInProgress);
    }

    /** READ_ONCE(kvm->mn_active_invalidate_count), as mmu_notifier_retry_cache() reads it. */
    public long mnActiveInvalidateCountLockless() {
        return mem.READ_ONCE(mnActiveInvalidateCount);
    }

    /** gfn_to_pfn caches of this VM; registered before the race starts. */
    private final java.util.List<GfnToPfnCache> gpcs = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void addGpc(GfnToPfnCache gpc) {
        gpcs.add(gpc);
    }

    /** gfn_to_pfn_cache_invalidate_start() for every cache: from range_start, before mmu_lock. */
    void gpcInvalidateStart(int start, int end) {
        for (GfnToPfnCache g : gpcs) {
            g.invalidateStart(start, end);
        }
    }

    /** kvm->mn_active_invalidate_count now, for a judge at quiescence. */
    public long mnActiveInvalidateCount() {
        return mem.peek(mnActiveInvalidateCount);
    }

    /** kvm->mmu_invalidate_in_progress now, for a judge at quiescence. */
    public long inProgressNow() {
        return mem.peek(mmuInvalidateInProgress);
    }

    /** kvm->mmu_invalidate_seq now, for a judge at quiescence. */
    public long seqNow() {
        return mem.peek(mmuInvalidateSeq);
    }
}
