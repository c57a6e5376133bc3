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
    void theOwnSuiteAgreesWithLkmmEverywhereAndLabelsTheKnownDepartures() throws Exception {
        Object[] files = suiteFiles();
        assertThat(files.length).isGreaterThanOrEqualTo(25);
        Result r = litmus(files);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).doesNotContain("DISAGREE", "NOT exhaustive");
        assertThat(r.out()).containsPattern("LB\\+poonceonces\\s+observed Never .* known departure");
        assertThat(r.out()).containsPattern("S\\+poonceonces\\s+observed Never .* known departure");
        assertThat(r.out()).containsPattern("2\\+2W\\+poonceonces\\s+observed Never .* known departure");
        assertThat(r.out()).containsPattern("MP\\+poonceonces\\s+observed Sometimes .* agree");
        assertThat(r.out()).containsPattern("SB\\+fencembonceonces\\s+observed Never .* agree");
        assertThat(r.out()).contains((files.length - 3) + " agree, 0 disagree, 0 unsupported, 3 known departures");
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
    void aWrongResultCommentIsADisagreementAndPrintsTheWitness() throws Exception {
        String text = Files.readString(suite().resolve("MP+poonceonces.litmus")).replace("Result: Sometimes", "Result: Never");
        Path f = tmp.resolve("MP-wrong.litmus");
        Files.writeString(f, text);
        Result r = litmus(f);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DISAGREE", "stale:", "0 agree, 1 disagree");
    }

    @Test
    void anUnknownPrimitiveIsBadInputNamingTheLine() throws Exception {
        String text = Files.readString(suite().resolve("MP+poonceonces.litmus")).replace("WRITE_ONCE(*y, 1);", "WRITE_TWICE(*y, 1);");
        Path f = tmp.resolve("typo.litmus");
        Files.writeString(f, text);
        Result r = litmus(f);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("typo.litmus:", "unknown primitive 'WRITE_TWICE'");
        int line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            if (l.contains("WRITE_TWICE")) {
                break;
            }
        }
        assertThat(r.err()).contains("typo.litmus:" + line + ":");
    }

    @Test
    void rcuIsCountedUnsupportedNeverAnswered() throws Exception {
        Path f = tmp.resolve("RCU.litmus");
        Files.writeString(f, "C RCU+sync\n\n(* Result: Never *)\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n\n"
                + "\trcu_read_lock();\n\tr0 = READ_ONCE(*x);\n\trcu_read_unlock();\n}\n\nP1(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n"
                + "\tsynchronize_rcu();\n}\n\nexists (0:r0=1)\n");
        Result r = litmus(f);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("unsupported: rcu_read_lock at line 11", "0 agree, 0 disagree, 1 unsupported");
    }

    @Test
    void aFileThatIsNotALitmusTestIsBadInput() throws Exception {
        Path f = tmp.resolve("junk.litmus");
        Files.writeString(f, "hello\n");
        Result r = litmus(f);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("junk.litmus:1: expected 'C name'");
        assertThat(litmus(tmp.resolve("missing.litmus")).code()).isEqualTo(2);
    }
}
