package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout is the design: the memory model ({@code graph}) and what a run of a program
 * is ({@code program}) sit below both the explorer ({@code explore}) and the scenarios
 * ({@code scenario}); the explorer runs any program and knows no scenario.
 */
class LayoutTest {
    /** The harness module's sources, from the module directory maven runs the tests in. */
    private static final Path MAIN = Path.of("src/main/java/dev/tlbrace/harness");

    @Test
    void exploreDoesNotImportScenario() {
        assertNoReference("explore", "dev.tlbrace.harness.scenario.");
    }

    @Test
    void graphAndProgramImportNeitherExploreNorScenario() {
        for (String pkg : List.of("graph", "program")) {
            assertNoReference(pkg, "dev.tlbrace.harness.explore.");
            assertNoReference(pkg, "dev.tlbrace.harness.scenario.");
        }
    }

    /** No .java file under {@code pkg} imports or names anything in the package {@code prefix} begins. */
    private static void assertNoReference(String pkg, String prefix) {
        List<Path> files = javaFiles(MAIN.resolve(pkg));
        assertThat(files).as("java files under %s", MAIN.resolve(pkg).toAbsolutePath()).isNotEmpty();
        for (Path f : files) {
            assertThat(read(f)).as("%s: an import of, or a qualified name in, %s*", f, prefix).doesNotContain(prefix);
        }
    }

    private static List<Path> javaFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
