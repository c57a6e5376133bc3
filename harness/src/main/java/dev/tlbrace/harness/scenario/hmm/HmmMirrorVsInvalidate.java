package dev.tlbrace.harness.scenario.hmm;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.model.ProtocolChoice;
import dev.tlbrace.model.check.Oracles;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.hmm.Dmirror;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.InvalidationPath;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.Munmap;
import dev.tlbrace.model.mm.VmaTree;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An HMM device mirror against an invalidation (99cb252f5e68 "mm/mmu_notifier: add an interval
 * tree notifier", v5.5; Documentation/mm/hmm.rst; lib/test_hmm.c). The mirror holds no page
 * reference, so an entry programmed from a PTE that an overlapping invalidation has since cleared
 * keeps a frame the mm frees. With {@code no-read-retry}:
 * <pre>
 * 1. (Device)      dmirror_range_fault: mmu_interval_read_begin() (idle), mmap_read_lock()
 * 2. (Device)      hmm_range_fault: hmm_vma_handle_pte: ptep_get()        pfn P
 * 3. (Invalidator) madvise(MADV_DONTNEED): invalidate_range_start
 * 4. (Invalidator) dmirror_interval_invalidate: mutex, set_seq, xa_erase (nothing yet)
 * 5. (Invalidator) zap_pte_range clears the PTE; range_end; put_page(P): freed, reused
 * 6. (Device)      mutex_lock; dmirror_do_fault: xa_store(P)                no read_retry
 * 7. (Device)      device access through dmirror->pt: another owner's frame   STALE_DEVICE_PTE
 * </pre>
 * {@code read-retry}, the documented protocol, catches that in mmu_interval_read_retry() under
 * the driver lock. Under LKMM (and arm64) it has a second window, on the paths whose invalidation
 * does not hold mmap_lock for write (MADV_DONTNEED, migration, reclaim):
 * <pre>
 * 1. (Invalidator) invalidate_range_start: mn_itree_inv_start_range(): mm seq odd
 * 2. (Invalidator) dmirror_interval_invalidate: mmu_interval_set_seq(sub, odd seq)
 * 3. (Device)      mmu_interval_read_begin: spin_lock(subscriptions->lock), seq = sub seq (odd),
 *                  is_invalidating (mm seq equal); spin_unlock
 * 4. (Invalidator) zap: ptep_get_and_clear(); range_end: mn_itree_inv_end(): mm seq even
 * 5. (Device)      wait_event(): READ_ONCE(mm seq) != seq at once: the fast path, no barrier
 * 6. (Device)      mmap_read_lock() (acquire: orders only what follows it); check_retry passes;
 *                  ptep_get() reads the PTE from before step 4 (nothing orders it after step 5)
 * 7. (Device)      mutex_lock; mmu_interval_read_retry(seq) false: the sub seq is still step 2's
 * 8. (Invalidator) put_page(P): freed, reused; the device maps it           STALE_DEVICE_PTE
 * </pre>
 * Where the invalidation holds mmap_lock for write (mprotect: change_protection(); munmap, which
 * detaches the VMA before it downgrades to read and zaps), the device's mmap_read_lock() orders
 * the walk after the whole invalidation or before all of it, and the window is closed: those
 * forms grade {@code read-retry} as fixed. {@code read-begin-acquire} reads the wait's condition
 * with smp_load_acquire(), the smallest change that closes it on every path. Invariants I1 (an
 * entry installed after a passing read_retry reflects a PTE no overlapping invalidation changed)
 * and N3 (no device entry names a freed frame), checked at the device's access with
 * {@link Oracles#secondaryUse} and at quiescence.
 */
public final class HmmMirrorVsInvalidate implements Scenario {
    public static final String ID = "hmm-mirror-vs-invalidate";
    public static final String INVALIDATOR = "Invalidator";
    public static final String DEVICE = "Device";

    public static final String FRESH = "FRESH";
    public static final String RETRIED = "RETRIED";
    public static final String STALE_DEVICE_PTE = "STALE_DEVICE_PTE";

    static final int VA = 1;
    static final int PAGES = 2;
    /** The spin that stands for the driver's work after mmap_read_unlock() on the write-locked paths (jcstress only). */
    static final int WRITE_LOCKED_STRESS_SPINS = 1024;

    /** The invalidation paths that reach an interval notifier, each holding what the kernel holds. */
    enum Path {
        /** madvise(MADV_DONTNEED): mmap_lock for read. */
        ZAP("zap", "MADV_DONTNEED: mmap_lock for read, zap_pte_range, the frame freed and reused"),
        /** munmap(): mmap_lock for write, VMA detached, downgrade, zap under read. */
        MUNMAP("munmap", "munmap: mmap_lock for write, the VMA detached, downgraded to read, zap, the frame reused"),
        /** migrate_pages() / reclaim's try_to_unmap(): no mmap_lock at all. */
        MIGRATE("migrate", "migrate_pages: no mmap_lock; migration entry, new frame, old frame freed and reused"),
        /** mprotect(): mmap_lock for write. */
        CHANGE_PROTECTION("change-protection", "mprotect RW -> RO: mmap_lock for write, the PTE write-protected in place");

        final String id;
        final String label;

        Path(String id, String label) {
            this.id = id;
            this.label = label;
        }
    }

    private static final List<Variant> VARIANTS = List.of(
            Variant.of(Dmirror.Protocol.NO_READ_RETRY, Expectation.KNOWN_BUG,
                    "programs the device from hmm_range_fault() without mmu_interval_read_retry() under the driver lock"),
            new Variant(Dmirror.Protocol.READ_RETRY.id(), Dmirror.Protocol.READ_RETRY.commit(), Expectation.KNOWN_BUG,
                    "hmm.rst: read_begin, hmm_range_fault under mmap_read_lock, read_retry under the driver lock; "
                            + "weak memory only, where the invalidation does not hold mmap_lock for write",
                    MemoryModel.LKMM),
            Variant.of(Dmirror.Protocol.READ_BEGIN_ACQUIRE, Expectation.FIXED,
                    "the documented protocol with read_begin's wait reading the mm seq with smp_load_acquire()"));

    @Override public String id() { return ID; }

    @Override public String title() {
        return "HMM device mirror vs. invalidation: mmu_interval_read_begin / read_retry (99cb252f5e68)";
    }

    @Override public String invariant() {
        return "I1/N3: a device entry installed after a passing read_retry reflects the current PTE; none names a freed frame";
    }

    @Override public String badOutcome() { return STALE_DEVICE_PTE; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(FRESH, false, "the device maps the PTE's frame, or nothing (munmap first: -EFAULT)"),
                new Outcome(RETRIED, false, "read_retry or hmm_range_fault's -EBUSY sent the fault round again; then fresh"),
                new Outcome(STALE_DEVICE_PTE, true,
                        "the device maps a frame the mm freed or no longer maps (N3, I1), or writable over a read-only PTE"));
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public String baseForm() { return Path.ZAP.id; }

    @Override public List<String> roles() { return List.of(INVALIDATOR, DEVICE); }

    @Override public MemoryModel defaultMemoryModel() { return MemoryModel.SC; }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        return new Run(protocol(variant), mem, Path.ZAP, 0);
    }

    /** For free-running threads the zap's page walk and the fault's return take the documented spin. */
    @Override
    public ScenarioRun stressRun(Variant variant, Memory mem) {
        return new Run(protocol(variant), mem, Path.ZAP, ApicAccessReload.STRESS_PAGE_WALK_SPINS);
    }

    private static Dmirror.Protocol protocol(Variant v) {
        return ProtocolChoice.byId(Dmirror.Protocol.class, v.id());
    }

    /** The paths beside MADV_DONTNEED; where mmap_lock is held for write, read-retry is graded fixed. */
    @Override
    public List<Form> extraForms() {
        List<String> all = VARIANTS.stream().map(Variant::id).toList();
        String writeLocked = "the invalidation holds mmap_lock for write, so the device's mmap_read_lock() orders its "
                + "page-table read after all of it or before all of it";
        return List.of(
                form(Path.MUNMAP, all, writeLocked),
                form(Path.MIGRATE, all, null),
                form(Path.CHANGE_PROTECTION, all, writeLocked));
    }

    private static Form form(Path p, List<String> all, String fixedWhy) {
        // where the invalidation waits for the device's mmap_read_unlock() before its callback can run,
        // the driver's work after the unlock is the whole window: widened more for free-running threads
        int spins = fixedWhy == null ? ApicAccessReload.STRESS_PAGE_WALK_SPINS : WRITE_LOCKED_STRESS_SPINS;
        return new Form(p.id, p.label, all, (v, mem) -> new Run(protocol(v), mem, p, spins),
                fixedWhy, fixedWhy == null ? null : List.of(Dmirror.Protocol.READ_RETRY.id()));
    }

    /** The missing read_retry: the PTE read before the invalidation, the install after its callback. */
    @Override
    public Script commitScript() {
        return Script.of()
                .until(DEVICE, "dmirror_range_fault: mutex_lock")
                .toEnd(INVALIDATOR)
                .toEnd(DEVICE);
    }

    /** One world: one anonymous page mirrored by one device, one invalidation on one path. */
    public static final class Run implements ScenarioRun {
        public final MmStruct mm;
        public final Dmirror dmirror;
        private final Sched sched;
        private final Dmirror.Protocol protocol;
        private final Path path;
        private final VmaTree vmas;
        private final int oldPfn;
        private Violation atAccess; // Device-confined; the judge reads after the join
        private int result;         // Device-confined

        Run(Dmirror.Protocol protocol, Memory mem, Path path, int spins) {
            this.sched = mem.sched;
            this.protocol = protocol;
            this.path = path;
            Frames frames = new Frames(8, mem);
            this.mm = new MmStruct(mem, MmConfig.V6_6, PAGES, frames, spins);
            this.oldPfn = InvalidationPath.ZAP.populate(mm, VA);
            this.vmas = path == Path.MUNMAP ? new VmaTree(mem, PAGES) : null;
            this.dmirror = new Dmirror(mm, vmas, VA, VA + 1);
        }

        @Override
        public List<Role> roles() {
            return List.of(new Role(INVALIDATOR, this::invalidator), new Role(DEVICE, this::device));
        }

        /** The path's change to the mirrored page. */
        public void invalidator() {
            switch (path) {
                case ZAP -> InvalidationPath.ZAP.run(mm, VA, oldPfn);
                case MUNMAP -> Munmap.munmapThenReuse(mm, vmas, VA);
                case MIGRATE -> InvalidationPath.MIGRATE.run(mm, VA, oldPfn);
                case CHANGE_PROTECTION -> InvalidationPath.CHANGE_PROTECTION.run(mm, VA, oldPfn);
                default -> throw new IllegalStateException(path.id);
            }
        }

        /** The device faults on the page (dmirror_fault() for a read), then accesses it. */
        public void device() {
            sched.point("dmirror_fault");
            result = dmirror.dmirrorRangeFault(VA, protocol);
            sched.point("device: access through dmirror->pt");
            atAccess = Oracles.secondaryUse("device access through dmirror->pt[" + VA + "]", () -> dmirror.entry(VA),
                    e -> e & ~Dmirror.DPT_XA_TAG_WRITE, mm.frames).orElse(null);
            if (atAccess != null) {
                sched.broken(atAccess.toString());
            }
        }

        @Override
        public Verdict judge() {
            Set<Violation> violations = new LinkedHashSet<>();
            if (atAccess != null) {
                violations.add(atAccess);
            }
            long entry = dmirror.entryNow(VA);
            long ref = entry & ~Dmirror.DPT_XA_TAG_WRITE;
            long pte = mm.pgtable.peek(VA);
            if (entry != FrameRef.NONE) {
                Oracles.frameLiveAtQuiescence("dmirror->pt[" + VA + "] names", ref, mm.frames).ifPresent(violations::add);
                if (!Pte.present(pte) || Pte.pfn(pte) != FrameRef.pfn(ref)) {
                    violations.add(new Violation("I1", "at quiescence dmirror->pt[" + VA + "] " + Dmirror.describe(entry)
                            + " but the PTE is " + Pte.describe(pte)));
                } else if ((entry & Dmirror.DPT_XA_TAG_WRITE) != 0 && !Pte.write(pte)) {
                    violations.add(new Violation("I1", "at quiescence dmirror->pt[" + VA + "] " + Dmirror.describe(entry)
                            + " writable but the PTE is " + Pte.describe(pte)));
                }
            }
            Oracles.countersQuiescent(mm, null).ifPresent(violations::add);
            Oracles.framesAccountedFor(mm).ifPresent(violations::add);
            String detail = "old pfn 0x" + Integer.toHexString(oldPfn) + ", device " + Dmirror.describe(entry)
                    + ", pte " + Pte.describe(pte) + ", fault " + (result < 0 ? "errno " + result : "retries " + result);
            if (!violations.isEmpty()) {
                return new Verdict(Oracles.outcomeOf(violations, STALE_DEVICE_PTE), true, List.copyOf(violations), detail);
            }
            return new Verdict(result > 0 ? RETRIED : FRESH, false, List.of(), detail);
        }
    }
}
