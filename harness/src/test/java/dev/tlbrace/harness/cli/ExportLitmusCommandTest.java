package dev.tlbrace.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explore ... --litmus FILE} and {@code fences ... --litmus DIR}: the counterexample as a litmus test. */
class ExportLitmusCommandTest {

    @Test
    void exploreWritesTheCounterexampleAsATestLitmusAnswersSometimesFor(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("out/publish.litmus"); // a folder that does not exist yet is made
        CliTest.Result r = CliTest.run("explore", "publish-canary", "--variant", "no-wmb", "--litmus", f.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(Main.FOUND);
        assertThat(r.out()).contains("litmus:   " + f, "answers Sometimes");
        String text = Files.readString(f);
        assertThat(text).startsWith("C publish-canary+no-wmb").contains("Result: Sometimes", "exists (");
        CliTest.Result check = CliTest.run("litmus", f.toString());
        assertThat(check.out()).as(check.out() + check.err()).contains("Sometimes").contains("1 agree, 0 disagree");
        assertThat(check.code()).isZero();
    }

    @Test
    void aDashPrintsTheTestAfterTheTimeline() {
        CliTest.Result r = CliTest.run("explore", "publish-canary", "--variant", "no-wmb", "--litmus", "-");
        assertThat(r.code()).isEqualTo(Main.FOUND);
        assertThat(r.out()).contains("litmus:   below").contains("\nC publish-canary+no-wmb\n")
                .contains("r0 = READ_ONCE(*flag);\n\tsmp_rmb();").endsWith("exists (1:r0=1 /\\ 1:r1=0)\n");
        assertThat(r.out().indexOf("replay:")).isLessThan(r.out().indexOf("C publish-canary"));
    }

    @Test
    void anLkmmCounterexampleSaysHowToExportIt() {
        CliTest.Result r = CliTest.run("explore", "publish-canary", "--variant", "no-rmb");
        assertThat(r.code()).isEqualTo(Main.FOUND);
        assertThat(r.out()).contains("litmus:   add --litmus FILE");
        CliTest.Result sc = CliTest.run("explore", "apic-access-reload", "--variant", "range-start-request");
        assertThat(sc.out()).as("under sc the line is not offered").doesNotContain("--litmus FILE");
    }

    @Test
    void aSearchWithoutCounterexampleWritesNothingAndSaysSo(@TempDir Path tmp) {
        Path f = tmp.resolve("none.litmus");
        CliTest.Result r = CliTest.run("explore", "publish-canary", "--variant", "wmb-rmb", "--litmus", f.toString());
        assertThat(r.code()).isEqualTo(Main.OK);
        assertThat(r.out()).contains("litmus:   not written: no counterexample");
        assertThat(f).doesNotExist();
    }

    @Test
    void aPathThatCannotBeWrittenIsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        CliTest.Result r = CliTest.run("explore", "publish-canary", "--variant", "no-wmb", "--litmus",
                file.resolve("under-a-file.litmus").toString());
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("--litmus").contains("is not a directory");
        assertThat(r.out()).doesNotContain("counterexample");
        CliTest.Result dir = CliTest.run("explore", "publish-canary", "--variant", "no-wmb", "--litmus", tmp.toString());
        assertThat(dir.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(dir.err().strip().lines()).hasSize(1);
    }

    @Test
    void fencesWritesEachNeededRowAndItsPutBackTwin(@TempDir Path tmp) throws Exception {
        CliTest.Result r = CliTest.run("fences", "publish-canary", "--variant", "wmb-rmb", "--litmus", tmp.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("litmus: ", "Sometimes; with the point put back: Never");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).hasSize(4)
                    .anyMatch(n -> n.endsWith("-restored.litmus") && n.contains("smp_wmb"));
        }
    }
}
