package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.model.sync.Sched;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControlledSchedulerTest {

    private static ScenarioRun run(List<Role> roles) {
        return new ScenarioRun() {
            @Override public List<Role> roles() { return roles; }
            @Override public Verdict judge() { return new Verdict("OK", false, List.of(), ""); }
        };
    }

    @Test
    void onlyOneRoleRunsAtATimeAndEveryStepIsRecorded() {
        ControlledScheduler s = new ControlledScheduler(100);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        Runnable body = () -> {
            for (int i = 0; i < 3; i++) {
                s.point("step " + i);
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                running.decrementAndGet();
            }
        };
        Execution e = s.run(run(List.of(new Role("A", body), new Role("B", body))), d -> d.enabled().get(d.enabled().size() - 1));
        assertThat(e.status()).isEqualTo(Execution.Status.COMPLETED);
        assertThat(e.steps()).hasSize(6);
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(e.choices()).containsExactly(1, 1, 1, 0, 0, 0);
    }

    @Test
    void aSpinnerIsBlockedUntilAnotherRoleMoves() {
        ControlledScheduler s = new ControlledScheduler(100);
        AtomicBoolean flag = new AtomicBoolean();
        Role waiter = new Role("waiter", () -> {
            while (!flag.get()) {
                s.spin("wait for flag");
            }
        });
        Role setter = new Role("setter", () -> {
            s.point("set flag");
            flag.set(true);
        });
        // always prefer the waiter: it must still terminate, because its spin blocks it
        Execution e = s.run(run(List.of(waiter, setter)), d -> d.enabled().get(0));
        assertThat(e.status()).isEqualTo(Execution.Status.COMPLETED);
        assertThat(e.steps().stream().filter(Step::spin).count()).isEqualTo(2);
    }

    @Test
    void spinnersWaitingOnNobodyAreADeadlockNotAPass() {
        ControlledScheduler s = new ControlledScheduler(100);
        Role a = new Role("a", () -> { for (;;) { s.spin("wait forever"); } });
        Execution e = s.run(run(List.of(a)), d -> d.enabled().get(0));
        assertThat(e.status()).isEqualTo(Execution.Status.DEADLOCK);
        assertThat(e.verdict()).isNull();
    }

    @Test
    void theStepBoundIsReportedAsSuch() {
        ControlledScheduler s = new ControlledScheduler(5);
        Role a = new Role("a", () -> { for (;;) { s.point("busy"); } });
        Execution e = s.run(run(List.of(a)), d -> d.enabled().get(0));
        assertThat(e.status()).isEqualTo(Execution.Status.STEP_BOUND);
        assertThat(e.steps()).hasSize(5);
    }

    @Test
    void aThrowingRoleEndsTheExecutionAsAnError() {
        ControlledScheduler s = new ControlledScheduler(100);
        Role a = new Role("a", () -> { s.point("x"); throw new IllegalStateException("boom"); });
        Role b = new Role("b", () -> { for (;;) { s.spin("wait"); } });
        Execution e = s.run(run(List.of(a, b)), d -> d.enabled().get(0));
        assertThat(e.status()).isEqualTo(Execution.Status.ERROR);
        assertThat(e.error()).hasMessage("boom");
    }

    @Test
    void nonRoleThreadsPassPointsWithoutStopping() {
        ControlledScheduler s = new ControlledScheduler(10);
        s.point("from the test thread");
        s.spin("from the test thread");
        s.observe("x", 1);
        Sched.NOOP.point("noop");
    }
}
