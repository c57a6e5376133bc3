package dev.tlbrace.harness.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tlbrace gate} on results recorded from real hunt runs on a 2-CPU machine
 * (src/test/resources/fixtures), and on damaged copies of them.
 */
class GateCommandTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) { }

    static Result gate(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = Stream.concat(Stream.of("gate"), Arrays.stream(args).map(Object::toString)).toArray(String[]::new);
        int code = Main.execute(a, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Path fixture(String name) throws URISyntaxException {
        return Paths.get(GateCommandTest.class.getResource("/fixtures/" + name).toURI());
    }

    static Path resultsFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".bin.gz")).findFirst().orElseThrow();
        }
    }

    @Test
    void recordedFullRunIsGreen() throws Exception {
        Path junit = tmp.resolve("gate.xml");
        Result r = gate(fixture("ci-all"), "--junit-xml", junit);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        // the recording's manifest selected 14 tests (12 two-actor, 2 three-actor extras)
        assertThat(r.out()).contains("DETECTED", "12 passed, 0 failed, 2 skipped");
        assertThat(r.out().strip().lines().reduce((a, b) -> b)).contains("12 passed, 0 failed, 2 skipped");
        assertThat(Files.readString(junit)).contains("<testsuite name=\"tlbrace.gate\" tests=\"14\" failures=\"0\"",
                "<skipped message=");
    }

    @Test
    void aShardAloneIsGradedForWhatItSelectedAndNamesTheRest() throws Exception {
        Result r = gate(fixture("ci-smmu-canary"));
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("were selected by none of them", "apic-access-reload/range-start-request");
        Result all = gate(fixture("ci-smmu-canary"), "--race", ".");
        assertThat(all.code()).isEqualTo(1);
        assertThat(all.out()).contains("FAIL_MISSING apic-access-reload/range-start-request");
    }

    @Test
    void aShardGradedForItsOwnSelectionIsGreenAndShardsMerge() throws Exception {
        // the base forms only: the recording predates the mark-dirty form
        assertThat(gate(fixture("ci-smmu-canary"), "--race", "smmu-stale-readonly/[a-z-]+$|seqcount|entry-barrier").code()).isZero();
        Result merged = gate(fixture("ci-smmu-canary"), fixture("ci-all"));
        assertThat(merged.code()).as(merged.out()).isZero();
    }

    @Test
    void aTruncatedResultsFileIsBadInput() throws Exception {
        byte[] whole = Files.readAllBytes(resultsFile(fixture("ci-all")));
        Path cut = tmp.resolve("cut.bin.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        Result r = gate(cut);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("corrupt or truncated");
    }

    @Test
    void aCorruptOrEmptyResultsFileIsBadInput() throws Exception {
        Path junk = tmp.resolve("junk.bin.gz");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(gate(junk).code()).isEqualTo(2);
        Path empty = tmp.resolve("empty.bin.gz");
        Files.write(empty, new byte[0]);
        Result r = gate(empty);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("empty results file");
    }

    @Test
    void aMissingPathOrADirectoryWithoutResultsIsBadInput() {
        assertThat(gate(tmp.resolve("nope")).code()).isEqualTo(2);
        Result r = gate(tmp);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no jcstress results (*.bin.gz) in");
        assertThat(gate().code()).isEqualTo(2);
    }

    @Test
    void aRaceRegexThatMatchesNothingIsBadInput() throws Exception {
        Result r = gate(fixture("ci-all"), "--race", "nomatch");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("matches no test");
        assertThat(gate(fixture("ci-all"), "--race", "(").code()).isEqualTo(2);
    }

    @Test
    void huntRejectsBadModesAndSelectionsBeforeRunningAnything() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"hunt", "--race", "nomatch", "--results", tmp.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        code = Main.execute(new String[] {"hunt", "--mode", "fast", "--results", tmp.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown mode 'fast'; valid: ci, quick, default, tough");
    }
}
