package dev.tlbrace.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * README.md's commands, run as a reader runs them, so that a line of the tour cannot go stale.
 *
 * <p>Every line that starts with {@code ./tlbrace} in a {@code sh} block is run from the repository
 * root through {@code bash -c} (globs expand as in a shell), with {@code ./tlbrace} standing for
 * {@code java -cp <this test's class path> dev.tlbrace.harness.cli.Main}: no jar and no Maven build
 * inside the test. README itself says what is expected, in markers a reader sees:
 * <ul>
 *   <li>{@code # exit N: why} after a command: it must exit N (without it, 0);</li>
 *   <li>{@code # not run by the tests: why} after a command, or {@code <!-- not run by the tests: why -->}
 *       on the line before a {@code sh} block: the line (the block) is skipped, and reported as skipped
 *       with its reason;</li>
 *   <li>on the line before a quoted output (a block without a language), either
 *       {@code <!-- output of: ./tlbrace ... -->}: every line of the block must appear, in order, in
 *       that command's output (blank lines and {@code ...} lines are gaps; a line ending in
 *       {@code ...} is cut short and matches a line it begins), or
 *       {@code <!-- measured at commit X: what -->}: not checked. A quoted output with neither fails.</li>
 * </ul>
 * Each README line is its own dynamic test, and every failure names README's line.
 */
class ReadmeCommandsTest {
    /** Per command; the slowest line of the tour (a {@code fences} of one variant) takes ~12 s. */
    private static final long TIMEOUT_S = 180;
    private static final String NOT_RUN = "not run by the tests:";
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([\\w-]*)\\s*$");
    private static final Pattern HTML_MARKER = Pattern.compile("^\\s*<!--\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern EXIT = Pattern.compile("exit (\\d+):\\s*\\S.*");
    private static final Pattern OUTPUT_OF = Pattern.compile("output of:\\s*(\\./tlbrace\\b.*)");
    private static final Pattern MEASURED = Pattern.compile("measured at commit [0-9a-f]{7,40}\\b.*");
    /** Block markers; a {@code measured at commit} note may also stand before a table. */
    private static final Pattern BLOCK_MARKER = Pattern.compile("(not run by the tests|output of)\\b.*");

    sealed interface Item permits Run, Skip, Quote, Measured, Broken {
        int line();
    }

    /** A command to run; {@code code} is the line without its comment. */
    record Run(int line, String code, int exit) implements Item { }

    record Skip(int line, String code, String why) implements Item { }

    /** A quoted output checked against {@code command}'s; {@code line} is the marker's. */
    record Quote(int line, Run command, List<QuotedLine> lines) implements Item { }

    record Measured(int line, String marker) implements Item { }

    /** A marker README gets wrong: the test for it fails. */
    record Broken(int line, String message) implements Item { }

    record QuotedLine(int line, String text) { }

    record Result(int exit, String output, boolean timedOut) { }

    private static final Map<String, Result> RESULTS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> readmeCommands() throws IOException {
        Path root = repositoryRoot();
        List<Item> items = parse(Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(items).as("README.md: the tour's commands").anyMatch(Run.class::isInstance);
        return items.stream().map(item -> dynamicTest(name(item), () -> check(root, item)));
    }

    private static String name(Item item) {
        String what;
        if (item instanceof Run r) {
            what = r.code();
        } else if (item instanceof Skip s) {
            what = s.code() + "  (not run: " + s.why() + ")";
        } else if (item instanceof Quote q) {
            what = "quoted output of " + q.command().code();
        } else if (item instanceof Measured m) {
            what = m.marker();
        } else {
            what = "bad marker";
        }
        return "README.md:" + item.line() + " " + what;
    }

    private static void check(Path root, Item item) {
        if (item instanceof Skip s) {
            Assumptions.abort("README.md:" + s.line() + " " + NOT_RUN + " " + s.why());
        } else if (item instanceof Measured m) {
            Assumptions.abort("README.md:" + m.line() + " " + m.marker());
        } else if (item instanceof Broken b) {
            fail("README.md:" + b.line() + ": " + b.message());
        } else if (item instanceof Run r) {
            checkExit(r, run(root, r.code()));
        } else if (item instanceof Quote q) {
            Result result = run(root, q.command().code());
            checkExit(q.command(), result);
            List<String> output = result.output().lines().toList();
            Optional<QuotedLine> missing = firstMissing(q.lines(), output);
            if (missing.isPresent()) {
                fail("README.md:" + missing.get().line() + ": this quoted line is not in the output of `"
                        + q.command().code() + "` (after the lines quoted before it):\n" + missing.get().text()
                        + "\n--- the output ---\n" + result.output());
            }
        }
    }

    private static void checkExit(Run r, Result result) {
        String where = "README.md:" + r.line() + ": `" + r.code() + "`";
        if (result.timedOut()) {
            fail(where + " ran past " + TIMEOUT_S + " s; mark it `# " + NOT_RUN + " why` if it is meant to be long"
                    + tail(result.output()));
        }
        if (result.output().contains("tlbrace: internal error")) {
            fail(where + " crashed" + tail(result.output()));
        }
        if (result.exit() != r.exit()) {
            String last = result.output().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            fail(where + " exited " + result.exit() + ", README expects " + r.exit()
                    + " (write `# exit N: why` beside a command that exits N); its last line: " + last.strip()
                    + tail(result.output()));
        }
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return "\n--- output" + (lines.size() > 40 ? ", last 40 lines" : "") + " ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** One run per distinct command: a quoted output reuses the tour line that printed it. */
    private static Result run(Path root, String code) {
        return RESULTS.computeIfAbsent(code.replaceAll("\\s+", " "), c -> {
            try {
                return exec(root, c);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private static Result exec(Path root, String code) throws IOException, InterruptedException {
        String script = "tlbrace() { \"$TLBRACE_JAVA\" -cp \"$TLBRACE_CP\" dev.tlbrace.harness.cli.Main \"$@\"; }\n"
                + code.replaceFirst("^\\./tlbrace\\b", "tlbrace") + "\n";
        Path out = Files.createTempFile("tlbrace-readme-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().put("TLBRACE_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("TLBRACE_CP", System.getProperty("java.class.path"));
            Process p = pb.start();
            boolean done = p.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            return new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8), !done);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The directory with README.md, pom.xml and the launcher, at or above the working directory. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isRegularFile(p.resolve("pom.xml"))
                    && Files.isRegularFile(p.resolve("tlbrace"))) {
                return p;
            }
        }
        throw new IllegalStateException("no README.md with pom.xml and tlbrace at or above " + Path.of("").toAbsolutePath());
    }

    /** README's commands, skips, quoted outputs and broken markers, in README's order. */
    static List<Item> parse(List<String> readme) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            Matcher fence = FENCE.matcher(readme.get(i));
            if (!fence.matches()) {
                Matcher stray = HTML_MARKER.matcher(readme.get(i));
                boolean beforeFence = i + 1 < readme.size() && FENCE.matcher(readme.get(i + 1)).matches();
                if (stray.matches() && BLOCK_MARKER.matcher(stray.group(1)).matches() && !beforeFence) {
                    items.add(new Broken(i + 1, "a block marker must be on the line right before a ``` fence: "
                            + readme.get(i).strip()));
                }
                continue;
            }
            int open = i + 1;
            String lang = fence.group(1);
            Matcher m = i > 0 ? HTML_MARKER.matcher(readme.get(i - 1)) : null;
            String marker = m != null && m.matches() ? m.group(1) : null;
            int close = i + 1;
            while (close < readme.size() && !readme.get(close).strip().startsWith("```")) {
                close++;
            }
            if (close == readme.size()) {
                items.add(new Broken(open, "a ``` block that never closes"));
                break;
            }
            List<QuotedLine> body = new ArrayList<>();
            for (int j = i + 1; j < close; j++) {
                body.add(new QuotedLine(j + 1, readme.get(j)));
            }
            i = close;
            if (lang.equals("sh") || lang.equals("bash")) {
                String blockSkip = null;
                if (marker != null) {
                    if (marker.startsWith(NOT_RUN) && !marker.substring(NOT_RUN.length()).isBlank()) {
                        blockSkip = marker.substring(NOT_RUN.length()).strip();
                    } else {
                        items.add(new Broken(open - 1, "a sh block takes only `<!-- " + NOT_RUN + " why -->`: " + marker));
                    }
                }
                for (QuotedLine l : body) {
                    if (l.text().equals("./tlbrace") || l.text().startsWith("./tlbrace ")) {
                        Item item = command(l.line(), l.text());
                        items.add(blockSkip != null && !(item instanceof Broken)
                                ? new Skip(l.line(), codeOf(l.text()), blockSkip) : item);
                    }
                }
            } else if (lang.isEmpty() || lang.equals("text")) {
                if (marker == null) {
                    items.add(new Broken(open, "a quoted output needs `<!-- output of: ./tlbrace ... -->` (its lines are"
                            + " checked against that command's) or `<!-- measured at commit X: what -->` on the line before it"));
                } else if (MEASURED.matcher(marker).matches()) {
                    items.add(new Measured(open - 1, marker));
                } else {
                    Matcher of = OUTPUT_OF.matcher(marker);
                    Item cmd = of.matches() ? command(open - 1, of.group(1)) : null;
                    if (cmd instanceof Run run) {
                        items.add(new Quote(open - 1, run, body));
                    } else {
                        items.add(cmd instanceof Broken b ? b : new Broken(open - 1, "a quoted output's marker is"
                                + " `output of: ./tlbrace ...` or `measured at commit X: what`, not: " + marker));
                    }
                }
            }
        }
        return items;
    }

    /** A command line with its trailing marker, if any. */
    static Item command(int line, String text) {
        String code = codeOf(text);
        int hash = commentStart(text);
        String comment = hash < 0 ? "" : text.substring(hash + 1).strip();
        if (comment.startsWith(NOT_RUN) && !comment.substring(NOT_RUN.length()).isBlank()) {
            return new Skip(line, code, comment.substring(NOT_RUN.length()).strip());
        }
        Matcher exit = EXIT.matcher(comment);
        if (exit.matches()) {
            return new Run(line, code, Integer.parseInt(exit.group(1)));
        }
        if (comment.startsWith("exit") || comment.startsWith("not run")) {
            return new Broken(line, "the markers are `# exit N: why` and `# " + NOT_RUN + " why`, not: # " + comment);
        }
        return new Run(line, code, 0);
    }

    private static String codeOf(String text) {
        int hash = commentStart(text);
        return (hash < 0 ? text : text.substring(0, hash)).strip();
    }

    /** Where a shell comment starts: a {@code #} at a word's start, outside quotes; -1 if none. */
    static int commentStart(String text) {
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"') {
                    i++;
                }
            } else if (c == '\\') {
                i++;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }

    /** The first quoted line not found in {@code output} after the lines quoted before it. */
    static Optional<QuotedLine> firstMissing(List<QuotedLine> quoted, List<String> output) {
        int at = 0;
        for (QuotedLine q : quoted) {
            String want = q.text().stripTrailing();
            if (want.isBlank() || want.strip().equals("...")) {
                continue;
            }
            boolean cut = want.endsWith("...");
            String w = cut ? want.substring(0, want.length() - 3) : want;
            int found = -1;
            for (int j = at; j < output.size() && found < 0; j++) {
                String got = output.get(j).stripTrailing();
                if (cut ? got.startsWith(w) : got.equals(w)) {
                    found = j;
                }
            }
            if (found < 0) {
                return Optional.of(q);
            }
            at = found + 1;
        }
        return Optional.empty();
    }

    // The markers themselves: a README that gets one wrong fails, never skips silently.

    @Test
    void trailingMarkersGiveTheExitCodeOrTheReasonToSkip() {
        assertThat(command(3, "./tlbrace list                 # scenarios x variants")).isEqualTo(new Run(3, "./tlbrace list", 0));
        assertThat(command(4, "./tlbrace explore x --memory-model lkmm  # exit 1: a stale read"))
                .isEqualTo(new Run(4, "./tlbrace explore x --memory-model lkmm", 1));
        assertThat(command(5, "./tlbrace hunt   # not run by the tests: minutes of jcstress"))
                .isEqualTo(new Skip(5, "./tlbrace hunt", "minutes of jcstress"));
        assertThat(command(6, "./tlbrace hunt --race '^a#b$'")).isEqualTo(new Run(6, "./tlbrace hunt --race '^a#b$'", 0));
        assertThat(command(7, "./tlbrace replay x  # exit one: typo")).isInstanceOf(Broken.class);
        assertThat(command(8, "./tlbrace hunt  # not run by the tests:")).isInstanceOf(Broken.class);
        assertThat(command(9, "./tlbrace hunt  # not run: slow")).isInstanceOf(Broken.class);
    }

    @Test
    void blocksAreRunSkippedCheckedOrBroken() {
        List<Item> items = parse(List.of(
                "```sh",
                "./tlbrace list",
                "mvn -B verify",
                "```",
                "<!-- not run by the tests: needs a kernel tree -->",
                "```sh",
                "./tlbrace litmus linux/*.litmus",
                "```",
                "<!-- output of: ./tlbrace explore x  # exit 1: the bug -->",
                "```",
                "outcome: BAD",
                "```",
                "<!-- measured at commit 0461f42: a hunt -->",
                "```",
                "44 passed",
                "```",
                "```",
                "unmarked",
                "```",
                "<!-- not run by the tests: not before a fence -->",
                "<!-- measured at commit 0461f42: the table below -->",
                "| a | b |",
                ""));
        assertThat(items).hasSize(6);
        assertThat(items.get(0)).isEqualTo(new Run(2, "./tlbrace list", 0));
        assertThat(items.get(1)).isEqualTo(new Skip(7, "./tlbrace litmus linux/*.litmus", "needs a kernel tree"));
        assertThat(items.get(2)).isEqualTo(new Quote(9, new Run(9, "./tlbrace explore x", 1), List.of(new QuotedLine(11, "outcome: BAD"))));
        assertThat(items.get(3)).isEqualTo(new Measured(13, "measured at commit 0461f42: a hunt"));
        assertThat(items.get(4)).isInstanceOf(Broken.class).extracting(Item::line).isEqualTo(17);
        assertThat(items.get(5)).isInstanceOf(Broken.class).extracting(Item::line).isEqualTo(20);
    }

    @Test
    void quotedLinesMustAppearInOrderAndACutLineMatchesItsBeginning() {
        List<String> output = List.of("header", "  1  step one", "  2  step two  <== breaks here: A1: long detail", "outcome: BAD  (why)");
        List<QuotedLine> good = List.of(new QuotedLine(10, "header"), new QuotedLine(11, ""), new QuotedLine(12, "  2  step two  <== breaks here: A1: ..."),
                new QuotedLine(13, "..."), new QuotedLine(14, "outcome: BAD  (why)   "));
        assertThat(firstMissing(good, output)).isEmpty();
        List<QuotedLine> outOfOrder = List.of(new QuotedLine(20, "  2  step two  <== breaks here: A1: ..."), new QuotedLine(21, "  1  step one"));
        assertThat(firstMissing(outOfOrder, output)).contains(new QuotedLine(21, "  1  step one"));
        List<QuotedLine> stale = List.of(new QuotedLine(30, "outcome: FRESH"));
        assertThat(firstMissing(stale, output)).contains(new QuotedLine(30, "outcome: FRESH"));
    }
}
