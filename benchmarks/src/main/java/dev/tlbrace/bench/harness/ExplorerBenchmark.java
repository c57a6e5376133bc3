package dev.tlbrace.bench.harness;

import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The harness's own speed: executions per second of the explorer's reduced exhaustive search
 * (one job), per fixed variant, the search {@code tlbrace explore} runs by default. A fixed
 * variant is the expensive case: a known bug stops at its first counterexample. Each
 * operation is the first {@link #EXECUTIONS} executions of the search (deterministic, so every
 * operation repeats the same work); {@code executions} counts them.
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar ExplorerBenchmark -f 1 -wi 1 -i 3 -w 2s -r 2s}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExplorerBenchmark {
    static final int EXECUTIONS = 300;

    @Param({"apic-access-reload/retry-in-progress", "smmu-stale-readonly/notify-on-upgrade",
        "kvm-fault-vs-invalidate/seq-retry", "gpc-refresh-vs-invalidate/refresh-retry"})
    String target;

    @Param({"sc", "lkmm"})
    String model;

    Scenario scenario;
    Variant variant;
    MemoryModel memoryModel;

    @Setup
    public void setUp() {
        String[] sv = target.split("/");
        scenario = Scenarios.byId(sv[0]);
        variant = scenario.variant(sv[1]);
        memoryModel = MemoryModel.byId(model);
    }

    /** Executions the search ran. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Count {
        public long executions;
    }

    @Benchmark
    public Explorer.Reduced explore(Count c) {
        Explorer.Reduced r = new Explorer(mem -> scenario.newRun(variant, mem), Explorer.UNBOUNDED, 400, memoryModel, null)
                .maxExecutions(EXECUTIONS).jobs(1).reduced(e -> false);
        c.executions += r.executions();
        return r;
    }
}
