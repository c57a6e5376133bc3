package dev.tlbrace.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.gate.StressSources;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.toy.ToyLostUpdate;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding a race costs one scenario file and one registry line: {@link ToyLostUpdate} is
 * registered through a ServiceLoader file alone, its jcstress classes are generated and
 * compiled the way the build does it, and then every user command sees it, in a fresh JVM as
 * a user would run them: list, timeline, explore, soak, hunt and the JUnit XML.
 */
class AddARaceTest {
    @TempDir
    static Path tmp;
    static String classPath;

    record Result(int code, String out) { }

    @BeforeAll
    static void addTheToyRaceThroughTheRegistryAlone() throws IOException {
        String testCp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path src = tmp.resolve("src");
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        // the registry line: what a lab's own jar would carry
        Path services = classes.resolve("META-INF/services/" + Scenario.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, ToyLostUpdate.class.getName() + "\n");
        // what stress-tests' generate-sources and compile do for every registered race
        List<Path> sources = StressSources.write(List.of(new ToyLostUpdate()), src);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-s", tmp.resolve("gen").toString(),
                "-cp", testCp, "-processorpath", testCp));
        Files.createDirectories(tmp.resolve("gen"));
        sources.forEach(p -> args.add(p.toString()));
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac of the generated classes").isZero();
        assertThat(classes.resolve("META-INF/TestList")).exists();
        classPath = classes + File.pathSeparator + testCp;
    }

    static Result tlbrace(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "dev.tlbrace.harness.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void listTimelineExploreAndSoakSeeTheToyRace() throws Exception {
        Result list = tlbrace("list");
        assertThat(list.code()).as(list.out()).isZero();
        assertThat(list.out()).contains(ToyLostUpdate.ID, "read-then-write", "atomic-inc", "apic-access-reload");

        Result bug = tlbrace("timeline", ToyLostUpdate.ID, "--variant", "read-then-write");
        assertThat(bug.out()).as(bug.out()).contains("LOST_REFERENCE", "get_page: write back");
        Result fix = tlbrace("timeline", ToyLostUpdate.ID, "--variant", "atomic-inc");
        assertThat(fix.out()).as(fix.out()).contains("BOTH_COUNTED").doesNotContain("LOST_REFERENCE");

        Result found = tlbrace("explore", ToyLostUpdate.ID, "--variant", "read-then-write");
        assertThat(found.code()).as(found.out()).isEqualTo(1);
        assertThat(found.out()).contains("LOST_REFERENCE", "CPU0", "CPU1");
        Result proved = tlbrace("explore", ToyLostUpdate.ID, "--variant", "atomic-inc");
        assertThat(proved.code()).as(proved.out()).isZero();
        assertThat(proved.out()).contains("exhaustive");

        Result soak = tlbrace("soak", "--scenario", ToyLostUpdate.ID, "--variant", "read-then-write", "--duration", "20s");
        assertThat(soak.code()).as(soak.out()).isEqualTo(1);
        assertThat(soak.out()).contains("VIOLATION", "LOST_REFERENCE", "CPU0", "CPU1");
        Result clean = tlbrace("soak", "--scenario", ToyLostUpdate.ID, "--duration", "1s");
        assertThat(clean.code()).as(clean.out()).isZero();
    }

    @Test
    void huntGradesTheToyRaceAndWritesItToTheJunitXml() throws Exception {
        Path xml = tmp.resolve("toy.xml");
        Result hunt = tlbrace("hunt", "--race", ToyLostUpdate.ID, "--results", tmp.resolve("hunt").toString(),
                "--junit-xml", xml.toString());
        assertThat(hunt.code()).as(hunt.out()).isZero();
        // both engines: the explorer beside jcstress, a column each
        assertThat(hunt.out()).containsPattern("toy-lost-update +read-then-write .* DETECTED +DETECTED \\(sc\\) +DETECTED")
                .containsPattern("toy-lost-update +atomic-inc .* PASS +PASS +PASS").contains("2 passed, 0 failed")
                .contains("  explorer: 2 tests in ");
        assertThat(Files.readString(xml)).contains("toy-lost-update", "read-then-write", "atomic-inc",
                "<property name=\"explorer\" value=\"DETECTED (sc): LOST_REFERENCE under sc");
    }
}
