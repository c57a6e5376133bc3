package dev.tlbrace.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line: in place on a terminal, a line per tenth (or per 30 s of silence) in a log. */
class ProgressTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final StringWriter sw = new StringWriter();

    private Progress progress(int total, boolean tty) {
        return new Progress(new PrintWriter(sw, true), "jcstress", total, tty, now::get);
    }

    @Test
    void aLogGetsALinePerTenthNotOnePerTest() {
        Progress p = progress(52, false);
        for (int done = 1; done <= 52; done++) {
            now.addAndGet(2_500); // a test every 2.5 s: no 30 s silence
            p.tick();
            p.update(done, 0, -1);
            p.tick();
        }
        p.finish("52 tests in 2:10");
        String[] lines = sw.toString().split("\n");
        assertThat(lines).hasSize(10); // 10%, 20% ... 90%, then the finish line
        assertThat(lines[0]).isEqualTo("  jcstress: 6/52 tests (11%), 0:15 elapsed, ETA 1:55");
        assertThat(lines[8]).startsWith("  jcstress: 47/52 tests (90%)");
        assertThat(lines[9]).isEqualTo("  jcstress: 52 tests in 2:10");
        assertThat(sw.toString()).doesNotContain("\r");
    }

    @Test
    void aShortPhaseInALogIsNotALinePerTest() {
        Progress p = progress(6, false);
        for (int done = 1; done <= 6; done++) {
            now.addAndGet(150);
            p.update(done, 0, -1);
        }
        p.finish("6 tests in 0:01");
        assertThat(sw.toString()).isEqualTo("  jcstress: 6 tests in 0:01\n");
    }

    @Test
    void aSilentLogStillHearsFromItEvery30Seconds() {
        Progress p = progress(52, false);
        p.update(1, 0, -1);
        assertThat(sw.toString()).isEmpty();
        now.addAndGet(29_000);
        p.tick();
        assertThat(sw.toString()).isEmpty();
        now.addAndGet(1_000);
        p.tick();
        assertThat(sw.toString()).isEqualTo("  jcstress: 1/52 tests (1%), 0:30 elapsed, ETA 25:30\n");
        now.addAndGet(10_000);
        p.tick();
        assertThat(sw.toString().split("\n")).hasSize(1);
    }

    @Test
    void failuresAndTheCallersEtaAreShown() {
        Progress p = progress(10, false);
        now.addAndGet(6_000);
        p.update(5, 2, 65_000);
        assertThat(sw.toString()).isEqualTo("  jcstress: 5/10 tests (50%), 2 failed, 0:06 elapsed, ETA 1:05\n");
    }

    @Test
    void aTerminalGetsOneLineRedrawnInPlace() {
        Progress p = progress(52, true);
        for (int done = 1; done <= 52; done++) {
            now.addAndGet(2_000);
            p.update(done, 0, -1);
        }
        String mid = sw.toString();
        assertThat(mid).doesNotContain("\n").startsWith("\r  jcstress [------------------------] 1/52 tests, ETA 1:42\033[K")
                .contains("\r  jcstress [############------------] 26/52 tests, ETA 0:52\033[K");
        p.println("  jcstress: [FAILED] some.Test");
        p.finish("52 tests in 1:44");
        assertThat(sw.toString()).endsWith("\r\033[K  jcstress: [FAILED] some.Test\n"
                + "\r  jcstress [########################] 52/52 tests, ETA 0:00\033[K"
                + "\r  jcstress: 52 tests in 1:44\033[K\n");
    }

    @Test
    void clockTextIsMinutesAndSeconds() {
        assertThat(Progress.clockText(0)).isEqualTo("0:00");
        assertThat(Progress.clockText(61_499)).isEqualTo("1:01");
        assertThat(Progress.clockText(3_600_000)).isEqualTo("1:00:00");
    }
}
