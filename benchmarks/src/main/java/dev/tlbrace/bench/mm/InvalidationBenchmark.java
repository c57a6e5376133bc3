package dev.tlbrace.bench.mm;

import dev.tlbrace.bench.Pacer;
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
 * invalidate_range_start/end with {@code subscribers} subscribers ({@link Subscribers}), as a
 * cycle that restores the state (unmap then refault; write-protect then write-fault back;
 * migrate). Alone ({@code invalidate}), and in a group with vCPUs faulting through KVM's
 * mmu_invalidate_seq retry ({@code invalidate_vs_readers}; {@code -tg 1,N} runs N of them; more
 * threads than CPUs is oversubscribed, and the results say so).
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

    @Param({"0", "1", "4"})
    int subscribers;

    /** In {@code invalidate_vs_readers}: one cycle per period (20 us), so the readers face the same
     *  invalidation rate whatever the subscribers cost; 0 runs the invalidator flat out. */
    @Param({"20000"})
    long invalidatePeriodNs;

    Subscribers w;
    int worldPages;

    /** The invalidator's pace, in its own object. */
    @State(Scope.Thread)
    public static class Invalidator {
        Pacer pace;

        @Setup
        public void setUp(InvalidationBenchmark b) {
            pace = new Pacer(b.invalidatePeriodNs);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        worldPages = pages + 2;
        w = new Subscribers(worldPages, subscribers);
    }

    /** Reader outcomes, so a fast rate cannot hide retried faults. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reads {
        public long faultRetries;
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
    public int invalidator(Invalidator me) {
        me.pace.await();
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

}
