package dev.tlbrace.harness.litmus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tlbrace litmus} on the project's own litmus suite (src/test/resources/litmus, written
 * for tlbrace; the shapes and their LKMM results are the documented facts), and on broken files.
 */
class LitmusCommandTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) { }

    static Result litmus(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = Stream.concat(Stream.of("litmus"), Stream.of(args).map(Object::toString)).toArray(String[]::new);
        int code = Main.execute(a, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Path suite() throws URISyntaxException {
        return Paths.get(LitmusCommandTest.class.getResource("/litmus").toURI());
    }

    static Object[] suiteFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(suite())) {
            return s.filter(p -> p.toString().endsWith(".litmus")).sorted().map(Path::toString).toArray();
        }
    }

    @Test
    void theOwnSuiteAgreesWithLkmmEverywhereLoadBufferingIncluded() throws Exception {
        Object[] files = suiteFiles();
        assertThat(files.length).isGreaterThanOrEqualTo(40);
        Result r = litmus(files);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).doesNotContain("DISAGREE");
        // the view semantics called these three "known departures"; the graph model gets them right
        assertThat(r.out()).containsPattern("LB\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).containsPattern("S\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).containsPattern("2\\+2W\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).containsPattern("MP\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).containsPattern("SB\\+fencembonceonces\\s+observed Never .* agree");
        assertThat(r.out()).contains(files.length + " agree, 0 disagree, 0 without Result, 0 errors");
    }

    @Test
    void underTsoMessagePassingIsSafeAndStoreBufferingIsNot() throws Exception {
        Path mp = suite().resolve("MP+poonceonces.litmus");
        Path sb = suite().resolve("SB+poonceonces.litmus");
        Result r = litmus("--memory-model", "tso", mp, sb);
        assertThat(r.out()).containsPattern("MP\\+poonceonces\\s+observed Never .* DISAGREE");
        assertThat(r.out()).containsPattern("SB\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void aWrongResultCommentIsADisagreementAndPrintsTheWitnessGraph() throws Exception {
        String text = Files.readString(suite().resolve("MP+poonceonces.litmus")).replace("Result: Sometimes", "Result: Never");
        Path f = tmp.resolve("MP-wrong.litmus");
        Files.writeString(f, text);
        Result r = litmus(f);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DISAGREE", "rf from P0", "fr to P0", "0 agree, 1 disagree");
    }

    @Test
    void herdOutputCountsEveryExecutionAsHerdDoes() throws Exception {
        Result r = litmus("--herd", suite().resolve("MP+poonceonces.litmus"), suite().resolve("SB+fencembonceonces.litmus"));
        assertThat(r.code()).isZero();
        // MP: four outcomes of the two reads, each one execution; only r0=1, r1=0 satisfies the exists
        assertThat(r.out()).contains("Observation MP+poonceonces Sometimes 1 3", "Positive: 1 Negative: 3");
        assertThat(r.out()).contains("Observation SB+fencembonceonces Never 0 3");
    }

    @Test
    void anUnknownPrimitiveIsBadInputNamingTheLineAndTheBatchGoesOn() throws Exception {
        String text = Files.readString(suite().resolve("MP+poonceonces.litmus")).replace("WRITE_ONCE(*y, 1);", "WRITE_TWICE(*y, 1);");
        Path f = tmp.resolve("typo.litmus");
        Files.writeString(f, text);
        Result r = litmus(f, suite().resolve("SB+poonceonces.litmus"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        int line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            if (l.contains("WRITE_TWICE")) {
                break;
            }
        }
        assertThat(r.err()).contains("typo.litmus:" + line + ": unknown primitive 'WRITE_TWICE'");
        assertThat(r.out()).containsPattern("SB\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).contains("1 agree, 0 disagree, 0 without Result, 1 errors");
    }

    @Test
    void aFileThatIsNotALitmusTestIsBadInput() throws Exception {
        Path f = tmp.resolve("junk.litmus");
        Files.writeString(f, "hello\n");
        Result r = litmus(f);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("junk.litmus:1:");
        assertThat(litmus(tmp.resolve("missing.litmus")).code()).isEqualTo(2);
        assertThat(litmus("--memory-model", "arm", f).code()).isEqualTo(2);
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThat(litmus(empty).code()).as("a folder with no litmus file").isEqualTo(2);
    }
}
