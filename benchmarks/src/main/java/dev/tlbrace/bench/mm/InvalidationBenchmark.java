package dev.tlbrace.bench.mm;

import dev.tlbrace.model.iommu.Translation;
import dev.tlbrace.model.kvm.KvmFault;
import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.Migrate;
import dev.tlbrace.model.mm.Mprotect;
import dev.tlbrace.model.mm.Zap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Family 1, invalidation throughput: one invalidation of {@code pages} pages through
 * invalidate_range_start/end with 0, 1 or 3 subscribers, as a cycle that restores the state
 * (unmap then refault; write-protect then write-fault back; migrate). Alone
 * ({@code invalidate}), and in an asymmetric group with a vCPU fault thread and an SMMU walker
 * ({@code invalidate_vs_readers}: 3 threads, oversubscribed on 2 CPUs, as stated in results).
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar InvalidationBenchmark -f 1 -wi 1 -i 2 -w 1s -r 1s}</pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InvalidationBenchmark {

    /** The primary change being invalidated. */
    public enum Op { UNMAP, CHANGE_PROTECTION, MIGRATE }

    @Param({"UNMAP", "CHANGE_PROTECTION", "MIGRATE"})
    Op op;

    @Param({"1", "16", "512"})
    int pages;

    @Param({"0", "1", "3"})
    int subscribers;

    Subscribers w;
    int worldPages;

    @Setup(Level.Trial)
    public void setUp() {
        worldPages = pages + 2;
        w = new Subscribers(worldPages, subscribers);
    }

    /** Reader outcomes, so a fast rate cannot hide failed reads. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reads {
        public long faultRetries;
        public long translations;
        public long translationFaults;
    }

    private int cycle() {
        int start = 1;
        int end = start + pages;
        switch (op) {
            case UNMAP -> {
                Zap.zapPageRange(w.mm, start, end);
                for (int va = start; va < end; va++) {
                    Fault.userFault(w.mm, va, true);
                }
            }
            case CHANGE_PROTECTION -> {
                Mprotect.changeProtection(w.mm, start, end);
                for (int va = start; va < end; va++) {
                    Fault.userFault(w.mm, va, true);
                }
            }
            case MIGRATE -> {
                for (int va = start; va < end; va++) {
                    Migrate.migratePage(w.mm, va);
                }
            }
        }
        return end;
    }

    @Benchmark
    @Group("invalidate")
    public int invalidate() {
        return cycle();
    }

    @Benchmark
    @Group("invalidate_vs_readers")
    @GroupThreads(1)
    public int invalidator() {
        return cycle();
    }

    @Benchmark
    @Group("invalidate_vs_readers")
    @GroupThreads(1)
    public int vcpuFault(Reads r) {
        long gfn = ThreadLocalRandom.current().nextInt(worldPages - 1);
        int retries = KvmFault.kvmTdpPageFault(w.kvm, gfn, false, KvmFault.Protocol.SEQ_RETRY);
        r.faultRetries += Math.max(0, retries);
        return retries;
    }

    @Benchmark
    @Group("invalidate_vs_readers")
    @GroupThreads(1)
    public Translation smmuWalker(Reads r) {
        int va = 1 + ThreadLocalRandom.current().nextInt(pages);
        Translation t = w.smmu.translate(0, va, false);
        if (t.ok()) {
            r.translations++;
        } else {
            r.translationFaults++;
        }
        return t;
    }
}
