package dev.tlbrace.bench.kvm;

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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Family 4, what each APIC variant costs on the vCPU entry path (a pending
 * KVM_REQ_APIC_PAGE_RELOAD serviced, then guest entry and exit) and on the invalidation path
 * (unmap of the APIC-access page through the KVM notifier, then the refault).
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar ApicReloadCostBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ApicReloadCostBenchmark {

    @Param({"range-start-request", "invalidate-range-request", "retry-in-progress"})
    String variant;

    MmStruct mm;
    KvmVcpu vcpu;

    @Setup
    public void setUp() {
        ApicReload r = ApicReload.byId(variant);
        mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 4, new Frames(16, Memory.hardware()));
        int pfn = mm.populate(0, Pte.WRITE | Pte.DIRTY | Pte.ACCESSED);
        Kvm kvm = new Kvm(mm, r, 1, 0, 1, 3);
        mm.notifiers.register(new KvmMmuNotifier(kvm));
        vcpu = kvm.vcpu(0);
        vcpu.initApicAccessAddr(mm.frames.ref(pfn));
    }

    @Benchmark
    public KvmVcpu.EnterResult entryWithReload() {
        vcpu.kvmMakeRequest(KvmRequest.APIC_PAGE_RELOAD);
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest();
        vcpu.vmExit();
        return r;
    }

    @Benchmark
    public KvmVcpu.EnterResult unmapApicPageAndReload() {
        Zap.zapPageRange(mm, 0, 1);       // requests the reload, per variant
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest(); // reload faults the page back in
        vcpu.vmExit();
        return r;
    }

    @Benchmark
    public KvmVcpu.EnterResult entryWithoutRequest() {
        KvmVcpu.EnterResult r = vcpu.vcpuEnterGuest();
        vcpu.vmExit();
        return r;
    }
}
