package dev.tlbrace.model.check;

import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.iommu.IotlbEntry;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.MmStruct;
import java.util.Optional;

/**
 * The oracles of docs/kernel.md, shared by every engine. Each returns the first violation
 * found, or empty. "Quiescent" checks assume no invalidation is in flight and no request is
 * pending; the caller establishes that.
 */
public final class Oracles {
    private Oracles() { }

    /** A judge's outcome when F1 is the only invariant broken: a bug of the model, not the protocol. */
    public static final String FRAMES_LEAKED = "FRAMES_LEAKED";

    /** {@code protocolOutcome}, or {@link #FRAMES_LEAKED} when every violation is F1's. */
    public static String outcomeOf(java.util.Collection<Violation> violations, String protocolOutcome) {
        return !violations.isEmpty() && violations.stream().allMatch(v -> v.invariant().equals("F1"))
                ? FRAMES_LEAKED : protocolOutcome;
    }

    /** Oracle 1: a secondary's recorded (pfn, generation) still names a live allocation. */
    public static Optional<Violation> frameLive(String who, long ref, Frames frames) {
        if (ref == FrameRef.NONE || frames.isLive(ref)) {
            return Optional.empty();
        }
        int pfn = FrameRef.pfn(ref);
        return Optional.of(new Violation("USE_AFTER_FREE", who + " names " + FrameRef.describe(ref)
                + " but the frame is now gen " + frames.generation(pfn)
                + (frames.owner(pfn) == Frames.FREE ? " (free)" : " (reused by owner " + frames.owner(pfn) + ")")));
    }

    /**
     * N3 at quiescence: what a secondary names ({@code what}, e.g. "spte gfn 0 maps") is still a
     * live allocation, read with {@link Frames#isLiveNow}.
     */
    public static Optional<Violation> frameLiveAtQuiescence(String what, long ref, Frames frames) {
        if (ref == FrameRef.NONE || frames.isLiveNow(ref)) {
            return Optional.empty();
        }
        return Optional.of(new Violation("N3", "at quiescence " + what + " " + FrameRef.describe(ref) + ", a freed frame"));
    }

    /**
     * F1 at quiescence: every frame of the mm's own ({@link Frames#OWNER_ANON}) has exactly one
     * reference per PTE (or migration entry) that names it, and a frame is allocated exactly when
     * it has one; a frame another owner took after a free is that owner's. No secondary here holds
     * a reference, so a frame nothing maps but still allocated leaked: the soak's allocator then
     * runs dry, and a lookup that fails for want of a frame breaks other invariants for a reason the
     * kernel does not have (issue #11: the APIC reload keeps its old address when gfn_to_page() fails).
     */
    public static Optional<Violation> framesAccountedFor(MmStruct mm) {
        Frames frames = mm.frames;
        int[] mappings = new int[frames.count()];
        for (int va = 0; va < mm.pgtable.size(); va++) {
            long pte = mm.pgtable.peek(va);
            if (Pte.present(pte) || Pte.isMigrationEntry(pte)) {
                mappings[(int) Pte.pfn(pte)]++;
            }
        }
        for (int pfn = 1; pfn < frames.count(); pfn++) {
            int refs = frames.refcountNow(pfn);
            int owner = frames.ownerNow(pfn);
            if (owner != Frames.FREE && owner != Frames.OWNER_ANON) {
                continue;
            }
            boolean allocated = owner != Frames.FREE;
            if (refs != mappings[pfn] || allocated != (refs > 0)) {
                return Optional.of(new Violation("F1", "at quiescence pfn 0x" + Integer.toHexString(pfn)
                        + (allocated ? " allocated" : " free") + " with " + refs + " references and " + mappings[pfn]
                        + " mappings" + (allocated && mappings[pfn] == 0 ? ": leaked" : "")));
            }
        }
        return Optional.empty();
    }

    /**
     * A1 at a guest access: the vCPU is (still) in guest mode and its VMCS APIC-access address
     * names a freed or reused frame. The caller reads the address, checks it, then re-reads the
     * mode: only an access confirmed in guest mode counts, as a kick waits for the exit.
     */
    public static Optional<Violation> apicAccessInGuest(KvmVcpu vcpu, Frames frames) {
        long ref = vcpu.apicAccessAddr();
        boolean live = ref == FrameRef.NONE || frames.isLive(ref);
        if (vcpu.mode() != KvmVcpu.IN_GUEST_MODE || live) {
            return Optional.empty();
        }
        return frameLive("vcpu" + vcpu.id() + " in guest mode: VMCS APIC_ACCESS_ADDR", ref, frames)
                .map(v -> new Violation("A1", v.detail()));
    }

    /** A2 at quiescence: the VMCS APIC-access address is the page the PTE maps. */
    public static Optional<Violation> apicAccessQuiescent(Kvm kvm, KvmVcpu vcpu) {
        Optional<Violation> inGuest = apicAccessInGuest(vcpu, kvm.mm.frames);
        if (inGuest.isPresent()) {
            return inGuest;
        }
        int hva = kvm.apicSlot().gfnToHva(Kvm.APIC_DEFAULT_GFN);
        long pte = kvm.mm.pgtable.ptepGet(hva);
        long ref = vcpu.apicAccessAddr();
        if (Pte.present(pte) && FrameRef.pfn(ref) != Pte.pfn(pte)) {
            return Optional.of(new Violation("A2", "vcpu" + vcpu.id() + " VMCS APIC_ACCESS_ADDR "
                    + FrameRef.describe(ref) + " but the PTE maps " + Pte.describe(pte)));
        }
        return Optional.empty();
    }

    /**
     * N3 at a guest access through stage 2, run while other roles run: read the SPTE, check its
     * frame, then confirm the SPTE is still installed. Only a use the guest really made counts:
     * an SPTE zapped between the read and the check was never used after its frame went
     * (check-then-act would report a race the kernel does not have).
     */
    public static Optional<Violation> stage2Use(Kvm kvm, int index) {
        return secondaryUse("guest access through spte gfn " + index, () -> kvm.stage2.get(index), ref -> ref, kvm.mm.frames);
    }

    /**
     * N3 at a use of any secondary entry (an SPTE, a device page-table entry, a cached pfn), run
     * while other roles run: read the entry, check the frame it names is still the allocation it
     * was taken from, then read the entry again and report only if it is still installed. A
     * check-then-act oracle (read, check, report) would blame entries the invalidation already
     * removed, uses the kernel never makes (the device, like the guest, faults instead).
     *
     * @param who     the use, in words ("guest access through spte gfn 0")
     * @param entry   reads the entry with the primitive the hardware or driver uses
     * @param frameOf the (pfn, generation) {@link FrameRef} the entry names, tag bits removed
     */
    public static Optional<Violation> secondaryUse(String who, java.util.function.LongSupplier entry,
                                                   java.util.function.LongUnaryOperator frameOf, Frames frames) {
        long e = entry.getAsLong();
        long ref = e == FrameRef.NONE ? FrameRef.NONE : frameOf.applyAsLong(e);
        if (ref == FrameRef.NONE || frames.isLive(ref)) {
            return Optional.empty();
        }
        if (entry.getAsLong() != e) {
            return Optional.empty(); // removed meanwhile: the access faults instead
        }
        int pfn = FrameRef.pfn(ref);
        return Optional.of(new Violation("N3", who + " uses " + FrameRef.describe(ref) + " but the frame is now gen "
                + frames.generationNow(pfn)
                + (frames.ownerNow(pfn) == Frames.FREE ? " (free)" : " (reused by owner " + frames.ownerNow(pfn) + ")")));
    }

    /**
     * Oracle 2 for the stage-2 table: every SPTE maps the frame the PTE maps now, and is writable
     * only if the PTE is (a writable SPTE over a write-protected PTE lets the guest write behind
     * mprotect, COW and dirty tracking).
     */
    public static Optional<Violation> stage2Subset(Kvm kvm) {
        var slot = kvm.memslot(Kvm.GUEST_MEMORY_MEMSLOT);
        for (int i = 0; i < kvm.stage2.size(); i++) {
            long raw = kvm.stage2.getSpte(i);
            long spte = dev.tlbrace.model.kvm.Stage2.frame(raw);
            if (spte == FrameRef.NONE) {
                continue;
            }
            long pte = kvm.mm.pgtable.ptepGet(slot.gfnToHva(slot.baseGfn() + i));
            if (!Pte.present(pte) || Pte.pfn(pte) != FrameRef.pfn(spte) || !kvm.mm.frames.isLive(spte)) {
                return Optional.of(new Violation("N2", "spte gfn " + i + " maps " + FrameRef.describe(spte)
                        + " but the PTE is " + Pte.describe(pte)));
            }
            if (dev.tlbrace.model.kvm.Stage2.writable(raw) && !Pte.write(pte)) {
                return Optional.of(new Violation("N2", "spte gfn " + i + " maps " + FrameRef.describe(spte)
                        + " writable but the PTE is " + Pte.describe(pte)));
            }
        }
        return Optional.empty();
    }

    /**
     * B1 (safety, holds even in the known bug): a valid IOTLB entry maps the PTE's frame with
     * no more permission than the PTE.
     */
    public static Optional<Violation> iotlbSafe(ArmSmmuV3 smmu, MmStruct mm) {
        for (int va = 0; va < smmu.size(); va++) {
            long e = smmu.entry(va);
            if (!IotlbEntry.valid(e)) {
                continue;
            }
            long pte = mm.pgtable.ptepGet(va);
            if (!Pte.present(pte) || Pte.pfn(pte) != IotlbEntry.pfn(e)
                    || (IotlbEntry.write(e) && !Pte.hwWritable(pte))) {
                return Optional.of(new Violation("B1", "IOTLB va " + va + " " + IotlbEntry.describe(e)
                        + " over PTE " + Pte.describe(pte)));
            }
            Optional<Violation> live = frameLive("IOTLB va " + va, IotlbEntry.frameRef(e), mm.frames);
            if (live.isPresent()) {
                return live;
            }
        }
        return Optional.empty();
    }

    /** B3 at quiescence: no read-only IOTLB entry sits over a writable PTE. */
    public static Optional<Violation> noStaleReadOnly(ArmSmmuV3 smmu, MmStruct mm) {
        for (int va = 0; va < smmu.size(); va++) {
            long e = smmu.entry(va);
            long pte = mm.pgtable.ptepGet(va);
            if (IotlbEntry.valid(e) && !IotlbEntry.write(e) && Pte.present(pte) && Pte.hwWritable(pte)
                    && IotlbEntry.pfn(e) == Pte.pfn(pte)) {
                return Optional.of(new Violation("B3", "IOTLB va " + va + " " + IotlbEntry.describe(e)
                        + " over PTE " + Pte.describe(pte) + ": the device faults on every retry"));
            }
        }
        return Optional.empty();
    }

    /** B2: no-change faults per (device, VA) stay within {@code bound}. */
    public static Optional<Violation> faultLoopBounded(int noChangeFaults, int bound, int va) {
        if (noChangeFaults <= bound) {
            return Optional.empty();
        }
        return Optional.of(new Violation("B2", noChangeFaults + " no-change faults on va " + va
                + " (bound " + bound + "): the page response does not help"));
    }

    /** Oracle 3 at any time: mmu_invalidate_in_progress never goes negative. */
    public static Optional<Violation> inProgressNonNegative(Kvm kvm) {
        long n = kvm.inProgress();
        return n < 0 ? Optional.of(new Violation("N1", "mmu_invalidate_in_progress = " + n)) : Optional.empty();
    }

    /** Oracle 3 at quiescence: starts and ends balance, counters at rest, interval seq even. */
    public static Optional<Violation> countersQuiescent(MmStruct mm, Kvm kvm) {
        var n = mm.notifiers;
        if (n.starts() != n.ends()) {
            return Optional.of(new Violation("N1", n.starts() + " invalidate_range_start vs " + n.ends() + " end"));
        }
        if ((n.invalidateSeq() & 1) != 0 || n.activeInvalidateRanges() != 0) {
            return Optional.of(new Violation("I2", "interval invalidate_seq " + n.invalidateSeq()
                    + ", active ranges " + n.activeInvalidateRanges()));
        }
        if (kvm != null && (kvm.inProgress() != 0 || kvm.mnActiveInvalidateCount() != 0)) {
            return Optional.of(new Violation("N1", "mmu_invalidate_in_progress " + kvm.inProgress()
                    + ", mn_active_invalidate_count " + kvm.mnActiveInvalidateCount()));
        }
        return Optional.empty();
    }
}
