package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exhaustive search gives one answer however it is divided: one worker, two workers taking
 * each other's hand-offs, or four shards merged give the same executions, pruned, blocked and
 * verdict (and a known bug the same counterexample), under {@code sc} and {@code lkmm}. The
 * default split, and a fine one (a split after 3 executions, a hand-off every 7) that cuts even
 * these small trees into dozens of parts.
 */
class ParallelSearchTest {
    private static final int STEPS = 400;

    static Stream<Arguments> searches() {
        List<Arguments> out = new ArrayList<>();
        String[][] sv = {{"gpc-refresh-vs-invalidate", "refresh-retry"}, {"apic-access-reload", "invalidate-range-request"},
            {"smmu-stale-readonly", "btm"}, {"kvm-fault-vs-invalidate", "seq-only"}, {"publish-canary", "no-rmb"}};
        for (String[] x : sv) {
            for (String m : new String[] {"sc", "lkmm"}) {
                out.add(Arguments.of(x[0], x[1], m));
            }
        }
        return out.stream();
    }

    private static Explorer explorer(String scenario, String variant, String model, boolean fine) {
        Scenario s = Scenarios.byId(scenario);
        Explorer e = new Explorer(mem -> s.newRun(s.variant(variant), mem), Explorer.UNBOUNDED, STEPS,
                MemoryModel.byId(model), null);
        return fine ? e.splitting(3, 7) : e;
    }

    private static String summary(Explorer.Result r) {
        return (r.violated() ? "counterexample " + Schedule.format(r.counterexample().choices()) : "clean")
                + ", exhaustive " + r.exhaustive() + ", " + r.schedules() + " executions, " + r.pruned() + " pruned, "
                + r.blocked() + " blocked, " + r.stepBoundHits() + " step-bound, " + r.errors() + " errors";
    }

    @ParameterizedTest(name = "{0} / {1} / {2}")
    @MethodSource("searches")
    void jobsAndShardsGiveTheCountsAndVerdictOfOneRun(String scenario, String variant, String model) {
        for (boolean fine : new boolean[] {false, true}) {
            String one = summary(explorer(scenario, variant, model, fine).jobs(1).explore());
            String two = summary(explorer(scenario, variant, model, fine).jobs(2).explore());
            List<Explorer.Shard> shards = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                shards.add(explorer(scenario, variant, model, fine).jobs(i % 2 + 1).shard(i, 4));
            }
            String merged = summary(explorer(scenario, variant, model, fine).jobs(1).merge(shards));
            assertThat(two).as("--jobs 2 (fine split: %s)", fine).isEqualTo(one);
            assertThat(merged).as("4 shards merged (fine split: %s)", fine).isEqualTo(one);
        }
    }
}
