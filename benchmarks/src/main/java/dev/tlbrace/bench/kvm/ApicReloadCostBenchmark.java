package dev.tlbrace.bench.kvm;

import dev.tlbrace.bench.Pacer;
import dev.tlbrace.model.kvm.ApicReload;
import dev.tlbrace.model.kvm.Kvm;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.kvm.KvmRequest;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.MmConfig;
import dev.tlbrace.model.mm.MmStruct;
import dev.tlbrace.model.mm.Zap;
import dev.tlbrace.model.sync.Memory;
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
 * Family 4, what each APIC variant costs on the vCPU entry path (a pending
 * KVM_REQ_APIC_PAGE_RELOAD serviced, then guest entry and exit) and on the invalidation path
 * (unmap of the APIC-access page through the KVM notifier, then the refault), each alone; and
 * {@code unmap_vs_entry}, a vCPU entering and exiting flat out while an invalidator unmaps the
 * APIC-access page at a fixed pace ({@link Pacer}, one unmap per {@code unmapPeriodNs}, the same
 * for every variant: its score is the rate achieved).
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar ApicReloadCostBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s}</pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ApicReloadCostBenchmark {

    @Param({"range-start-request", "invalidate-range-request", "retry-in-progress"})
    String variant;

    /** One unmap of the APIC-access page per period (10 us); 0 leaves the invalidator flat out. */
    @Param({"10000"})
    long unmapPeriodNs;

    MmStruct mm;
    KvmVcpu vcpu;
    Pacer pace;

    @Setup
    public void setUp() {
        ApicReload r = ApicReload.byId(variant);
        mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 4, new Frames(16, Memory.hardware()));
        int pfn = mm.populate(0, Pte.WRITE | Pte.DIRTY | Pte.ACCESSED);
        Kvm kvm = new Kvm(mm, r, 1, 0, 1, 3);
        mm.notifiers.register(new KvmMmuNotifier(kvm));
        vcpu = kvm.vcpu(0);
        vcpu.initApicAccessAddr(mm.frames.ref(pfn));
        pace = new Pacer(unmapPeriodNs);
    }

    /** Entries the vCPU completed, and those kvm_vcpu_exit_request() cancelled. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entered;
        public long cancelled;
    }

    @Benchmark
    @Group("unmap_vs_entry")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int invalidator() {
        pace.await();
        Zap.zapPageRange(mm, 0, 1); // requests the reload, per variant; the vCPU's reload refaults it
        return 1;
    }

    @Benchmark
    @Group("unmap_vs_entry")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public KvmVcpu.EnterResult vcpu(Entries e) {
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest();
        if (r == KvmVcpu.EnterResult.ENTERED) {
            e.entered++;
        } else {
            e.cancelled++;
        }
        vcpu.vmExit();
        return r;
    }

    @Benchmark
    @Group("entry_with_reload")
    public KvmVcpu.EnterResult entryWithReload() {
        vcpu.kvmMakeRequest(KvmRequest.APIC_PAGE_RELOAD);
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest();
        vcpu.vmExit();
        return r;
    }

    @Benchmark
    @Group("unmap_apic_page_and_reload")
    public KvmVcpu.EnterResult unmapApicPageAndReload() {
        Zap.zapPageRange(mm, 0, 1);       // requests the reload, per variant
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest(); // reload faults the page back in
        vcpu.vmExit();
        return r;
    }

    @Benchmark
    @Group("entry_without_request")
    public KvmVcpu.EnterResult entryWithoutRequest() {
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest();
        vcpu.vmExit();
        return r;
    }
}
