package dev.tlbrace.bench.iommu;

import dev.tlbrace.bench.Pacer;
import dev.tlbrace.model.iommu.ArmSmmuSva;
import dev.tlbrace.model.iommu.ArmSmmuV3;
import dev.tlbrace.model.iommu.IopfHandler;
import dev.tlbrace.model.iommu.PermissionUpgrade;
import dev.tlbrace.model.iommu.Translation;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.Mprotect;
import dev.tlbrace.model.sync.Memory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Family 3, what each SMMU fix costs, and where: a CPU thread write-protects a page and
 * write-faults it back (a permission upgrade per op) while a device thread does DMA writes
 * over the same pages, handling its own page requests. Each fix pays in a different place:
 * notify-on-upgrade and secondary-tlbs-in-flush on the upgrade, invalidate-before-response on
 * every page response, BTM in the broadcast. With no-upgrade-notify the device's successful
 * DMA rate collapses: its faults on stale read-only entries are counted in {@code dmaFaults}.
 * <p>The CPU thread is paced ({@link Pacer}): one upgrade per {@code upgradePeriodNs} for every
 * variant (its score is the rate achieved), so the device's rates compare at equal load; flat
 * out, a fix that slows the upgrade would also lighten the device's load. {@code upgradeAlone}
 * is each variant's uncontended cost of one write-protect plus write fault.
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar SmmuFixCostBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s}</pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SmmuFixCostBenchmark {
    private static final int PAGES = 8;

    @Param({"no-upgrade-notify", "notify-on-upgrade", "invalidate-before-response", "btm", "secondary-tlbs-in-flush"})
    String variant;

    /** One upgrade per period (10 us: 100,000 upgrades/s); 0 leaves the CPU thread flat out. */
    @Param({"10000"})
    long upgradePeriodNs;

    MmStruct mm;
    ArmSmmuV3 smmu;
    IopfHandler iopf;
    Pacer pace;

    @Setup
    public void setUp() {
        PermissionUpgrade p = PermissionUpgrade.byId(variant);
        Frames frames = new Frames(PAGES * 2 + 8, Memory.hardware());
        mm = new MmStruct(Memory.hardware(), p.mmConfig(), PAGES, frames);
        for (int va = 0; va < PAGES; va++) {
            mm.populate(va, Pte.WRITE | Pte.DIRTY | Pte.ACCESSED);
        }
        smmu = new ArmSmmuV3(Memory.hardware(), mm.pgtable, frames, 1, p.btm());
        mm.notifiers.register(new ArmSmmuSva(smmu));
        mm.tlb.addBroadcastParticipant(smmu);
        iopf = new IopfHandler(mm, smmu, p);
        pace = new Pacer(upgradePeriodNs);
    }

    /** The device's view: completed DMA and faults taken. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Dma {
        public long dmaDone;
        public long dmaFaults;
    }

    @Benchmark
    @Group("upgrade_vs_dma")
    @GroupThreads(1)
    public Fault.Result upgrade() {
        pace.await();
        return writeProtectAndUpgrade();
    }

    /** The upgrade path alone, no device: what the fix adds to each upgrade. */
    @Benchmark
    @Group("upgrade_alone")
    public Fault.Result upgradeAlone() {
        return writeProtectAndUpgrade();
    }

    private Fault.Result writeProtectAndUpgrade() {
        int va = ThreadLocalRandom.current().nextInt(PAGES);
        Mprotect.changeProtection(mm, va, va + 1);
        return Fault.userFault(mm, va, true);
    }

    @Benchmark
    @Group("upgrade_vs_dma")
    @GroupThreads(1)
    public Translation dma(Dma d) {
        int va = ThreadLocalRandom.current().nextInt(PAGES);
        Translation t = smmu.translate(0, va, true);
        if (t.ok()) {
            d.dmaDone++;
        } else {
            d.dmaFaults++;
            iopf.handle(va, true); // the page request and its response; the next op retries
        }
        return t;
    }
}
