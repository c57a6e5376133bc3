package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The soak of any race without a world of its own: round after round of its two-actor form
 * ({@link Scenario#stressRun}) on real threads, each round a fresh world whose trace points
 * go to the rings, the judge applied at each round's quiescence. jcstress does the same with
 * more rounds per second; this keeps what every role did in the rounds before a violation.
 */
final class RoundsSoakWorld extends SoakWorld {
    private final Scenario scenario;
    private final Variant variant;
    private final List<String> roleNames;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    // Set by the barrier action before any role is released, so every role reads the same world.
    private volatile ScenarioRun current;
    private long rounds; // the barrier actions run one at a time, ordered by the barriers
    private final Map<String, Long> outcomes = new TreeMap<>();

    RoundsSoakWorld(Scenario scenario, Variant variant, TracingSched sched, Soak.Stop stop) {
        super(scenario.id() + "/" + variant.id(), sched, stop);
        this.scenario = scenario;
        this.variant = variant;
        this.roleNames = scenario.stressRun(variant, Memory.hardware()).roles().stream().map(Role::name).toList();
        this.start = new CyclicBarrier(roleNames.size(), this::nextRound);
        this.end = new CyclicBarrier(roleNames.size(), this::judge);
    }

    private void nextRound() {
        current = running() ? scenario.stressRun(variant, Memory.hardware(sched)) : null;
        rounds++;
    }

    private void judge() {
        Verdict v = current.judge();
        outcomes.merge(v.outcome(), 1L, Long::sum);
        if (v.bad()) {
            Violation first = v.violations().isEmpty() ? new Violation(v.outcome(), "") : v.violations().get(0);
            violated(new Violation(first.invariant(), "round " + rounds + ": " + v.outcome() + ": " + first.detail()
                    + " (" + v.detail() + ")"));
        }
    }

    @Override
    List<Role> roles(long seed) {
        List<Role> roles = new ArrayList<>();
        for (int i = 0; i < roleNames.size(); i++) {
            final int index = i;
            String full = prefixed(roleNames.get(i));
            roles.add(new Role(full, () -> {
                sched.register(full);
                try {
                    for (;;) {
                        start.await();
                        ScenarioRun run = current;
                        if (run == null) {
                            return;
                        }
                        sched.point("round " + rounds + " begins");
                        run.roles().get(index).body().run();
                        count(full);
                        end.await();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (BrokenBarrierException e) {
                    // another role ended: nothing left to pair with
                }
            }));
        }
        return roles;
    }

    @Override
    String state() {
        return "rounds of the two-actor form " + rounds + ", outcomes " + outcomes;
    }
}
