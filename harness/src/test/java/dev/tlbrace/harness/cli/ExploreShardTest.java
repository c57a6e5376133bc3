package dev.tlbrace.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explore --shard I/N --out FILE} on N machines, {@code explore --merge FILE...} once: one run's verdict and counts. */
class ExploreShardTest {
    private static final Pattern EXHAUSTIVE = Pattern.compile("exhaustive: (\\d+) executions \\((\\d+) pruned(, (\\d+) blocked)?\\)");

    @TempDir
    Path dir;

    private static String[] args(String scenario, String variant, String model, String... more) {
        String[] base = {"explore", scenario, "--variant", variant, "--memory-model", model, "--jobs", "1"};
        String[] out = new String[base.length + more.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    private String counts(String out) {
        Matcher m = EXHAUSTIVE.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group();
    }

    @Test
    void twoShardsMergedGiveTheCountsOfOneRun() {
        for (String model : new String[] {"sc", "lkmm"}) {
            CliTest.Result one = CliTest.run(args("gpc-refresh-vs-invalidate", "refresh-retry", model));
            assertThat(one.code()).as(one.out() + one.err()).isZero();
            Path a = dir.resolve(model + "-1.json");
            Path b = dir.resolve(model + "-2.json");
            assertThat(CliTest.run(args("gpc-refresh-vs-invalidate", "refresh-retry", model, "--shard", "1/2", "--out", a.toString()))
                    .code()).isZero();
            assertThat(CliTest.run(args("gpc-refresh-vs-invalidate", "refresh-retry", model, "--shard", "2/2", "--out", b.toString()))
                    .code()).isZero();
            CliTest.Result merged = CliTest.run(args("gpc-refresh-vs-invalidate", "refresh-retry", model, "--merge", b.toString(),
                    a.toString()));
            assertThat(merged.code()).as(merged.out() + merged.err()).isZero();
            assertThat(counts(merged.out())).isEqualTo(counts(one.out()));
        }
    }

    @Test
    void aKnownBugMergesToTheSameCounterexample() {
        String[] sel = {"kvm-fault-vs-invalidate", "seq-only", "sc"};
        CliTest.Result one = CliTest.run(args(sel[0], sel[1], sel[2]));
        assertThat(one.code()).isEqualTo(1);
        Path a = dir.resolve("1.json");
        Path b = dir.resolve("2.json");
        Path c = dir.resolve("3.json");
        for (int i = 1; i <= 3; i++) {
            CliTest.Result r = CliTest.run(args(sel[0], sel[1], sel[2], "--shard", i + "/3", "--out", new Path[] {a, b, c}[i - 1].toString()));
            assertThat(r.code()).as(r.err()).isZero();
        }
        CliTest.Result merged = CliTest.run(args(sel[0], sel[1], sel[2], "--merge", a.toString(), b.toString(), c.toString()));
        assertThat(merged.code()).isEqualTo(1);
        assertThat(merged.out().replaceAll("\\d+ ms", "")).isEqualTo(one.out().replaceAll("\\d+ ms", ""));
    }

    @Test
    void aMissingCorruptOrForeignShardIsBadInput() throws IOException {
        Path a = dir.resolve("1.json");
        assertThat(CliTest.run(args("publish-canary", "wmb-rmb", "lkmm", "--shard", "1/2", "--out", a.toString())).code()).isZero();
        CliTest.Result missing = CliTest.run(args("publish-canary", "wmb-rmb", "lkmm", "--merge", a.toString()));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("missing");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(a).substring(0, 40));
        CliTest.Result corrupt = CliTest.run(args("publish-canary", "wmb-rmb", "lkmm", "--merge", a.toString(), bad.toString()));
        assertThat(corrupt.code()).isEqualTo(2);
        assertThat(corrupt.err()).contains("corrupt or truncated");
        CliTest.Result foreign = CliTest.run(args("publish-canary", "kvm-request", "lkmm", "--merge", a.toString()));
        assertThat(foreign.code()).isEqualTo(2);
        assertThat(foreign.err()).contains("another search");
        assertThat(CliTest.run(args("publish-canary", "wmb-rmb", "lkmm", "--shard", "3/2", "--out", a.toString())).code())
                .isEqualTo(2);
        assertThat(CliTest.run(args("publish-canary", "wmb-rmb", "lkmm", "--shard", "1/2")).code()).isEqualTo(2);
    }
}
