package dev.tlbrace.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tlbrace.bench.report.Report;
import dev.tlbrace.bench.report.Rows;
import dev.tlbrace.bench.report.Stats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's statistics and its refusals, on JMH-shaped JSON with known answers. */
class ReportTest {
    @TempDir
    Path tmp;

    /** forks x iterations of mean * (1 + noise), noise uniform in +-spread. */
    private static JsonArray raw(double mean, double spread, int forks, int iters, long seed) {
        Random rnd = new Random(seed);
        JsonArray a = new JsonArray();
        for (int f = 0; f < forks; f++) {
            JsonArray it = new JsonArray();
            for (int i = 0; i < iters; i++) {
                it.add(mean * (1 + spread * (2 * rnd.nextDouble() - 1)));
            }
            a.add(it);
        }
        return a;
    }

    private static JsonObject metric(JsonArray raw) {
        JsonObject m = new JsonObject();
        m.addProperty("score", 0);
        m.addProperty("scoreUnit", "ops/us");
        m.add("rawData", raw);
        return m;
    }

    /** One read_vs_write row: reads and writer rates. */
    private static JsonObject readRow(String peer, double reads, double writes, double spread, long seed) {
        JsonObject o = new JsonObject();
        o.addProperty("benchmark", "dev.tlbrace.bench.kvm.RetryReadBenchmark.read_vs_write");
        o.addProperty("threads", 2);
        JsonObject p = new JsonObject();
        p.addProperty("peer", peer);
        p.addProperty("writePeriodNs", "1000");
        o.add("params", p);
        o.add("primaryMetric", metric(raw(reads + writes, spread, 3, 5, seed)));
        JsonObject s = new JsonObject();
        s.add("reads", metric(raw(reads, spread, 3, 5, seed + 1)));
        s.add("retries", metric(raw(reads / 10, spread, 3, 5, seed + 2)));
        s.add("writer", metric(raw(writes, 0.01, 3, 5, seed + 3)));
        o.add("secondaryMetrics", s);
        return o;
    }

    private Path write(String name, JsonArray rows) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("jmh.json"), rows.toString());
        return dir;
    }

    @Test
    void aRealDifferenceIsAWinAndNoiseIsNoDifference() throws Exception {
        JsonArray rows = new JsonArray();
        rows.add(readRow("SEQ_RETRY", 20, 1, 0.05, 1));
        rows.add(readRow("STAMPED_OPTIMISTIC", 10, 1, 0.05, 2));
        rows.add(readRow("RW_LOCK", 10.1, 1, 0.3, 3)); // same as StampedLock within its noise
        Report r = new Report(Rows.read(write("a", rows).resolve("jmh.json")));
        Report.Quoted seq = quoted(r, "read.1000.SEQ_RETRY.vsStamped");
        assertThat(seq.interval().estimate()).isBetween(1.9, 2.1);
        assertThat(seq.interval().lo()).isGreaterThan(1.0);
        assertThat(seq.interval().lo()).isLessThan(seq.interval().estimate());
        assertThat(quoted(r, "read.1000.RW_LOCK.vsStamped").interval().spansOne()).isTrue();
        assertThat(r.markdown()).contains("no difference measured").contains("equal within 10%");
        assertThat(r.unequalLoads()).isEmpty();
    }

    @Test
    void peersFacingDifferentWriteRatesAreFlagged() throws Exception {
        JsonArray rows = new JsonArray();
        rows.add(readRow("SEQ_RETRY", 20, 0.5, 0.05, 1));
        rows.add(readRow("STAMPED_OPTIMISTIC", 10, 1, 0.05, 2));
        Report r = new Report(Rows.read(write("b", rows).resolve("jmh.json")));
        assertThat(r.unequalLoads()).hasSize(1);
        assertThat(r.markdown()).contains("not an equal-load comparison");
    }

    @Test
    void theIntervalWidensWithForkToForkNoise() {
        Rows.Samples steady = new Rows.Samples("x", new double[][] {{10, 10.1, 9.9}, {10, 10.1, 9.9}, {10, 10.1, 9.9}});
        Rows.Samples forky = new Rows.Samples("x", new double[][] {{5, 5.1, 4.9}, {10, 10.1, 9.9}, {15, 15.1, 14.9}});
        Stats.Interval a = Stats.mean(steady);
        Stats.Interval b = Stats.mean(forky);
        assertThat(a.hi() - a.lo()).isLessThan(0.3);
        assertThat(b.hi() - b.lo()).isGreaterThan(5); // iterations alone would claim +-0.1
        assertThat(Stats.ratio(forky, steady).spansOne()).isTrue();
        assertThat(Stats.mean(new Rows.Samples("x", new double[][] {{3}})).hi()).isInfinite();
    }

    @Test
    void stabilityAgreesOnOverlappingRunsAndFailsOnDisjointOnes() throws Exception {
        Path[] dirs = new Path[3];
        for (int i = 0; i < 3; i++) {
            JsonArray rows = new JsonArray();
            rows.add(readRow("SEQ_RETRY", i == 2 ? 40 : 20, 1, 0.05, 10 * i + 1));
            rows.add(readRow("STAMPED_OPTIMISTIC", 10, 1, 0.05, 10 * i + 2));
            dirs[i] = write("run" + i, rows);
            BenchMain.report(dirs[i], new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(dirs[i].resolve("summary.md")).exists();
            assertThat(dirs[i].resolve("ratios-read.png")).exists();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(BenchMain.stability(List.of(dirs[0], dirs[1]), ps)).isTrue();
        assertThat(BenchMain.stability(List.of(dirs[0], dirs[1], dirs[2]), ps)).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("SOME DISAGREE").contains("**no**");

        Path doc = Files.writeString(tmp.resolve("doc.md"), "prose\n<!-- bench:stability -->\nold\n<!-- /bench:stability -->\n"
                + "more prose\n<!-- bench:tables -->\nold\n<!-- /bench:tables -->\nend\n");
        assertThat(BenchMain.doc(doc, List.of(dirs[0], dirs[1]), ps)).isTrue();
        assertThat(Files.readString(doc)).startsWith("prose\n").contains("more prose").endsWith("end\n").doesNotContain("old")
                .contains("| headline ratio | run 1 | run 2 | agree |").contains("### 2. Reader side");
        Path bare = Files.writeString(tmp.resolve("bare.md"), "no blocks here\n");
        assertThatThrownBy(() -> BenchMain.doc(bare, List.of(dirs[0], dirs[1]), ps)).hasMessageContaining("bench:stability");
    }

    @Test
    void badResultsAreRefusedInOneLine() throws Exception {
        assertThatThrownBy(() -> Rows.read(tmp.resolve("missing.json"))).isInstanceOf(Rows.BadResultsException.class)
                .hasMessageContaining("no JMH results");
        Path corrupt = Files.writeString(tmp.resolve("corrupt.json"), "[{\"benchmark\": \"x\", ");
        assertThatThrownBy(() -> Rows.read(corrupt)).isInstanceOf(Rows.BadResultsException.class)
                .hasMessageContaining("corrupt or truncated");
        Path empty = Files.writeString(tmp.resolve("empty.json"), "[]");
        assertThatThrownBy(() -> Rows.read(empty)).hasMessageContaining("hold no benchmark");
        Path alien = Files.writeString(tmp.resolve("alien.json"), "[{\"name\": 1}]");
        assertThatThrownBy(() -> Rows.read(alien)).hasMessageContaining("not in JMH's format");
        assertThatThrownBy(() -> BenchMain.stability(List.of(tmp, tmp), System.out)).hasMessageContaining("no ratios.json");
        assertThat(BenchMain.run(new String[] {"fastest"})).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"stability", "one"})).isEqualTo(2);
    }

    private static Report.Quoted quoted(Report r, String key) {
        return r.quoted().stream().filter(q -> q.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no ratio " + key + " in " + r.quoted().stream().map(Report.Quoted::key).toList()));
    }

}
