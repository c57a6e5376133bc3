package dev.tlbrace.harness.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The grader on synthetic results: each way of going red, and the happy path. */
class GraderTest {
    /** The APIC race on its base path and with two vCPUs. */
    private static final List<StressTest> APIC = StressCatalog.select("^apic-access-reload/[a-z-]+(/two-vcpu)?$");

    private static StressTest test(String id) {
        return StressCatalog.all().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    private static TestOutcomes outcomes(StressTest t, Map<String, Long> counts) {
        return new TestOutcomes(t.name(), "NORMAL", counts, t.actors(), List.of());
    }

    /** What a healthy 2-CPU run of the APIC race reports. */
    private static Map<String, TestOutcomes> healthy() {
        Map<String, TestOutcomes> m = new HashMap<>();
        StressTest bug = test("apic-access-reload/range-start-request");
        m.put(bug.name(), outcomes(bug, Map.of("FRESH", 1000L, "STALE_APIC_ACCESS_ADDR", 3L)));
        StressTest fix1 = test("apic-access-reload/invalidate-range-request");
        m.put(fix1.name(), outcomes(fix1, Map.of("FRESH", 1000L, "NOT_ENTERED", 10L)));
        StressTest fix2 = test("apic-access-reload/retry-in-progress");
        m.put(fix2.name(), outcomes(fix2, Map.of("FRESH", 1000L, "RELOAD_RETRIED", 10L)));
        return m;
    }

    private static Grade gradeOf(Grader.Verdict v, String id) {
        return v.rows().stream().filter(r -> r.test().id().equals(id)).findFirst().orElseThrow().grade();
    }

    @Test
    void happyPathIsGreenAndExtrasAreSkippedNotPassed() {
        Grader.Verdict v = Grader.grade(APIC, healthy(), 2);
        assertThat(v.green()).isTrue();
        assertThat(v.passed()).isEqualTo(3);
        assertThat(v.skipped()).isEqualTo(2);
        assertThat(gradeOf(v, "apic-access-reload/range-start-request")).isEqualTo(Grade.DETECTED);
        assertThat(gradeOf(v, "apic-access-reload/retry-in-progress/two-vcpu")).isEqualTo(Grade.SKIPPED);
        assertThat(v.summary()).isEqualTo("3 passed, 0 failed, 2 skipped");
    }

    @Test
    void forbiddenOutcomeSeenIsRed() {
        Map<String, TestOutcomes> m = healthy();
        StressTest fix = test("apic-access-reload/retry-in-progress");
        m.put(fix.name(), outcomes(fix, Map.of("FRESH", 1000L, "STALE_APIC_ACCESS_ADDR", 1L)));
        Grader.Verdict v = Grader.grade(APIC, m, 2);
        assertThat(gradeOf(v, "apic-access-reload/retry-in-progress")).isEqualTo(Grade.FAIL_FORBIDDEN);
        assertThat(v.green()).isFalse();
    }

    @Test
    void knownBugNotSeenIsRed() {
        Map<String, TestOutcomes> m = healthy();
        StressTest bug = test("apic-access-reload/range-start-request");
        m.put(bug.name(), outcomes(bug, Map.of("FRESH", 1_000_000L)));
        Grader.Verdict v = Grader.grade(APIC, m, 2);
        assertThat(gradeOf(v, "apic-access-reload/range-start-request")).isEqualTo(Grade.FAIL_UNDETECTED);
        assertThat(v.green()).isFalse();
    }

    @Test
    void anOutcomeTheJudgeDoesNotListIsRedEvenForAKnownBug() {
        Map<String, TestOutcomes> m = healthy();
        StressTest bug = test("apic-access-reload/range-start-request");
        m.put(bug.name(), outcomes(bug, Map.of("STALE_APIC_ACCESS_ADDR", 5L, "COUNTERS_UNBALANCED", 1L)));
        assertThat(gradeOf(Grader.grade(APIC, m, 2), "apic-access-reload/range-start-request"))
                .isEqualTo(Grade.FAIL_FORBIDDEN);
    }

    @Test
    void anErroredTestIsRed() {
        Map<String, TestOutcomes> m = healthy();
        StressTest fix = test("apic-access-reload/invalidate-range-request");
        m.put(fix.name(), new TestOutcomes(fix.name(), "TIMEOUT_ERROR", Map.of(), 2, List.of("timed out")));
        Grader.Verdict v = Grader.grade(APIC, m, 2);
        assertThat(gradeOf(v, "apic-access-reload/invalidate-range-request")).isEqualTo(Grade.ERROR);
        assertThat(v.green()).isFalse();
    }

    @Test
    void aTestWithNoSamplesIsAnError() {
        Map<String, TestOutcomes> m = healthy();
        StressTest fix = test("apic-access-reload/invalidate-range-request");
        m.put(fix.name(), outcomes(fix, Map.of()));
        assertThat(gradeOf(Grader.grade(APIC, m, 2), "apic-access-reload/invalidate-range-request"))
                .isEqualTo(Grade.ERROR);
    }

    @Test
    void anExpectedTestMissingIsRed() {
        Map<String, TestOutcomes> m = healthy();
        m.remove(test("apic-access-reload/invalidate-range-request").name());
        Grader.Verdict v = Grader.grade(APIC, m, 2);
        assertThat(gradeOf(v, "apic-access-reload/invalidate-range-request")).isEqualTo(Grade.FAIL_MISSING);
        assertThat(v.green()).isFalse();
    }

    @Test
    void zeroTestsRunIsRedEvenWithNothingFailed() {
        Grader.Verdict v = Grader.grade(List.of(test("apic-access-reload/retry-in-progress/two-vcpu")), Map.of(), 2);
        assertThat(v.failed()).isZero();
        assertThat(v.skipped()).isEqualTo(1);
        assertThat(v.anyRan()).isFalse();
        assertThat(v.green()).isFalse();
    }

    @Test
    void aRequiredTwoActorFormOnOneCpuIsAFailureNotASkip() {
        Grader.Verdict v = Grader.grade(List.of(test("apic-access-reload/range-start-request")), Map.of(), 1);
        assertThat(v.rows().get(0).grade()).isEqualTo(Grade.FAIL_MISSING);
    }

    @Test
    void extrasRunOnBigMachinesAreGradedLikeAnyOther() {
        StressTest extra = test("apic-access-reload/range-start-request/two-vcpu");
        Grader.Verdict v = Grader.grade(List.of(extra),
                Map.of(extra.name(), outcomes(extra, Map.of("FRESH", 10L))), 4);
        assertThat(v.rows().get(0).grade()).isEqualTo(Grade.FAIL_UNDETECTED);
    }

    @Test
    void aWeakMemoryOnlyBugUnseenOnX86IsUnreachableThereButRedOnArm64() {
        StressTest noWmb = test("publish-canary/no-wmb");
        Map<String, TestOutcomes> m = Map.of(noWmb.name(), outcomes(noWmb, Map.of("PUBLISHED", 900L, "NOT_PUBLISHED", 100L)));
        Grader.Verdict onX86 = Grader.grade(List.of(noWmb), m, 2, true);
        assertThat(gradeOf(onX86, "publish-canary/no-wmb")).isEqualTo(Grade.UNREACHABLE_HERE);
        assertThat(onX86.passed()).as("never counted as passed").isZero();
        assertThat(gradeOf(Grader.grade(List.of(noWmb), m, 2, false), "publish-canary/no-wmb"))
                .isEqualTo(Grade.FAIL_UNDETECTED);
        // a store-buffer bug is visible on x86: not seeing it there is red
        StressTest sb = test("entry-barrier-canary/no-barrier");
        Map<String, TestOutcomes> m2 = Map.of(sb.name(), outcomes(sb, Map.of("KICKED", 1000L)));
        assertThat(gradeOf(Grader.grade(List.of(sb), m2, 2, true), "entry-barrier-canary/no-barrier"))
                .isEqualTo(Grade.FAIL_UNDETECTED);
    }
}
