package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Spin-assume (README "Where lkmm departs"): a wait loop's turn that read exactly the stores the
 * turn before it read is cut, and only such a turn. The litmus programs have no wait loops (the
 * checker unrolls them), so the comparisons with the checker cannot see this reduction; here a
 * loop records every value its turns read, and the sequences the search reaches are the ones
 * coherence allows without a repeated turn: cutting a turn that read something new (a turn
 * that read as many stores as the last, say) loses every sequence longer than one.
 */
class SpinAssumeTest {

    private static ScenarioRun run(Memory mem) {
        Cell x = mem.cell("x", 0);
        List<Long> seen = new ArrayList<>();
        return new ScenarioRun() {
            @Override
            public List<Role> roles() {
                return List.of(new Role("Writer", () -> {
                    mem.WRITE_ONCE(x, 1);
                    mem.WRITE_ONCE(x, 2);
                }), new Role("Waiter", () -> {
                    while (true) {
                        long v = mem.READ_ONCE(x);
                        seen.add(v);
                        if (v == 2) {
                            return;
                        }
                        mem.sched.spin("wait for x == 2");
                    }
                }));
            }

            @Override
            public Verdict judge() {
                return new Verdict("SEEN", false, List.of(), seen.toString());
            }
        };
    }

    private static Set<String> sequences(MemoryModel m) {
        Set<String> out = new TreeSet<>();
        Explorer.Reduced r = new Explorer(SpinAssumeTest::run, Explorer.UNBOUNDED, 200, m, null).reduced(e -> {
            if (e.status() == Execution.Status.COMPLETED) {
                out.add(e.verdict().detail());
            }
            return false;
        });
        assertThat(r.exhaustive()).isTrue();
        return out;
    }

    @Test
    void aWaitLoopSeesEveryCoherentSequenceWithoutARepeatedTurn() {
        Set<String> all = Set.of("[2]", "[0, 2]", "[1, 2]", "[0, 1, 2]");
        assertThat(sequences(MemoryModel.LKMM)).isEqualTo(all);
        assertThat(sequences(MemoryModel.ARMV8)).isEqualTo(all);
        assertThat(sequences(MemoryModel.SC)).isEqualTo(all);
    }
}
