package dev.tlbrace.bench.mm;

import dev.tlbrace.model.iommu.ArmSmmuSva;
import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.sync.Memory;

/**
 * A populated mm with {@code n} subscribers, taken in turn from KVM, an SVA-bound SMMU and an
 * interval notifier: 1 is KVM, 3 is one of each, 8 is three VMs, three devices and two
 * intervals. {@link #kvm} and {@link #smmu} are the first of their kind (the readers use them).
 */
public final class Subscribers {
    public final MmStruct mm;
    public final Kvm kvm;
    public final ArmSmmuV3 smmu;

    public Subscribers(int pages, int subscribers) {
        Frames frames = new Frames(pages * 2 + 16, Memory.hardware());
        mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, pages, frames);
        for (int va = 0; va < pages; va++) {
            mm.populate(va, Pte.WRITE | Pte.DIRTY | Pte.ACCESSED);
        }
        kvm = new Kvm(mm, ApicReload.RETRY_IN_PROGRESS, 1, 0, 1, pages - 1);
        smmu = new ArmSmmuV3(Memory.hardware(), mm.pgtable, frames, 2, false);
        for (int i = 0; i < subscribers; i++) {
            switch (i % 3) {
                case 0 -> mm.notifiers.register(new KvmMmuNotifier(i == 0 ? kvm
                        : new Kvm(mm, ApicReload.RETRY_IN_PROGRESS, 1, 0, 1, pages - 1)));
                case 1 -> mm.notifiers.register(new ArmSmmuSva(i == 1 ? smmu
                        : new ArmSmmuV3(Memory.hardware(), mm.pgtable, frames, 2, false)));
                default -> mm.notifiers.insert(0, pages, (sub, range, seq) -> {
                    sub.setSeq(seq); // a driver that tears down under its own lock
                    return true;
                });
            }
        }
    }
}
