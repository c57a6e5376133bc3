package dev.tlbrace.harness.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Role;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.ScenarioRun;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.Verdict;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.model.sync.Sched;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A second opinion from Lincheck's model checker, which interleaves at every shared access of
 * the instrumented code, not only at tlbrace's trace points: it must find each known bug and
 * pass each fix. If it ever finds what the explorer missed, a trace point is missing.
 */
class LincheckSecondOpinionTest {
    static final int INVOCATIONS = Integer.getInteger("lincheck.invocations", 1_000);

    static Stream<Arguments> variants() {
        return Scenarios.all().stream().flatMap(s -> s.variants().stream()
                .filter(v -> !(s.id().equals(ApicAccessReload.ID) && v.id().equals("range-start-request")))
                .map(v -> Arguments.of(s.id(), v.id())));
    }

    /** Runs the scenario's roles on real threads; the judge's bad outcome fails the invocation. */
    static void runOnce(Scenario s, Variant v) {
        ScenarioRun run = s.newRun(v, Sched.NOOP);
        List<Thread> threads = new ArrayList<>();
        for (Role r : run.roles()) {
            threads.add(new Thread(r.body()));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        Verdict verdict = run.judge();
        if (verdict.bad()) {
            throw new AssertionError(verdict.outcome() + ": " + verdict.violations());
        }
    }

    /**
     * A recorded gap, not a wish: in 1,000 (or 20,000) invocations Lincheck 3.7 does not reach
     * the interleaving the explorer finds in 36 schedules, although it does switch at VarHandle
     * accesses (it finds a lost update on them at once). The race needs one switch right after
     * the reload request and then none for the vCPU's whole reload; see README. If this starts
     * failing, Lincheck found the race: move the case into the test above.
     */
    @Test
    void lincheckDoesNotYetReachTheApicReloadRace() {
        Scenario s = Scenarios.byId(ApicAccessReload.ID);
        Variant v = s.variant("range-start-request");
        Lincheck.runConcurrentTest(INVOCATIONS, () -> runOnce(s, v));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("variants")
    void lincheckFindsEveryKnownBugAndPassesEveryFix(String scenarioId, String variantId) {
        Scenario s = Scenarios.byId(scenarioId);
        Variant v = s.variant(variantId);
        long start = System.nanoTime();
        if (v.expectation() == Expectation.KNOWN_BUG) {
            Throwable t = assertThrows(Throwable.class,
                    () -> Lincheck.runConcurrentTest(INVOCATIONS, () -> runOnce(s, v)));
            assertThat(t.toString()).contains(s.badOutcome());
        } else {
            Lincheck.runConcurrentTest(INVOCATIONS, () -> runOnce(s, v));
        }
        System.out.printf("lincheck %s/%s: %s in %d ms%n", scenarioId, variantId,
                v.expectation() == Expectation.KNOWN_BUG ? "counterexample" : "passed",
                (System.nanoTime() - start) / 1_000_000);
    }
}
