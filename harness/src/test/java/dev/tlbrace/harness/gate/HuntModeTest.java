package dev.tlbrace.harness.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What each mode asks jcstress for, and where ci spends its time. */
class HuntModeTest {
    @Test
    void ciPinsOneJvmConfigurationAndSkipsThePreTouch() {
        assertThat(HuntMode.CI.jcstressArgs(1000)).containsSubsequence("-jvmArgs").containsSubsequence("-pth", "false")
                .containsSubsequence("-f", "1").containsSubsequence("-time", "1000");
        assertThat(HuntMode.QUICK.jcstressArgs(0)).doesNotContain("-jvmArgs", "-time");
        assertThat(JcstressLauncher.pinnable()).as("jcstress " + "0.16's VMSupport." + JcstressLauncher.FIELD).isTrue();
    }

    @Test
    void oneJcstressRunGivesEachTestItsOwnTime() {
        assertThat(JcstressLauncher.perTestTimesSupported()).as("jcstress 0.16's JCStress.prepareRunProgram, TestConfig.time")
                .isTrue();
        assertThat(JcstressLauncher.parseTimes("a.B=500,c.D$E=4000")).containsExactly(
                java.util.Map.entry("a.B", 500), java.util.Map.entry("c.D$E", 4000));
        for (String bad : new String[] {"a.B", "a.B=", "=5", "a.B=0", "a.B=-1", "a.B=x", "a.B=500,"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> JcstressLauncher.parseTimes(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--times");
        }
        assertThat(HuntMode.CI.baseTimeMs()).isEqualTo(HuntMode.CI_TIME_MS);
        assertThat(HuntMode.QUICK.baseTimeMs()).isZero();
    }

    @Test
    void everyTimedTestIsAKnownBugAndNoFixGetsLessThanTheBase() {
        Set<String> ids = StressCatalog.all().stream().map(StressTest::id).collect(Collectors.toSet());
        assertThat(ids).containsAll(HuntMode.CI_TIMES.keySet());
        for (StressTest t : StressCatalog.all()) {
            if (t.expectation() != dev.tlbrace.harness.scenario.Expectation.KNOWN_BUG) {
                assertThat(HuntMode.CI.timeMs(t)).as(t.id()).isGreaterThanOrEqualTo(HuntMode.CI_TIME_MS);
            }
            assertThat(HuntMode.QUICK.timeMs(t)).isZero();
        }
        assertThat(HuntMode.CI_TIMES.values()).as("an entry changes the time").doesNotContain(HuntMode.CI_TIME_MS)
                .allSatisfy(ms -> assertThat(ms).isPositive());
        HuntMode.CI_TIMES.forEach((id, ms) -> assertThat(StressCatalog.select("^" + java.util.regex.Pattern.quote(id) + "$"))
                .allSatisfy(t -> assertThat(t.expectation()).as(id + ": time goes where a margin needs it")
                        .isEqualTo(dev.tlbrace.harness.scenario.Expectation.KNOWN_BUG)));
    }
}
