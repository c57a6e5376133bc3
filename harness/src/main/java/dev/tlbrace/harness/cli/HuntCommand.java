package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.gate.GateInputException;
import dev.tlbrace.harness.gate.GateReport;
import dev.tlbrace.harness.gate.Grader;
import dev.tlbrace.harness.gate.HuntMode;
import dev.tlbrace.harness.gate.JcstressLauncher;
import dev.tlbrace.harness.gate.JcstressResults;
import dev.tlbrace.harness.gate.RunManifest;
import dev.tlbrace.harness.gate.StressCatalog;
import dev.tlbrace.harness.gate.StressTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tlbrace hunt}: run jcstress over the selected races in forked JVMs, then grade. */
@Command(name = "hunt", mixinStandardHelpOptions = true,
        description = {"Run the jcstress suite over every race (or a selection) and print the gate's verdict.",
            "Exit 0: every fixed variant PASS, every known bug DETECTED; 1: the gate failed; 2: bad input."})
final class HuntCommand implements Callable<Integer> {
    private static final Pattern PROGRESS = Pattern.compile("\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed.*");
    private static final Pattern ETA = Pattern.compile("\\(ETA: *(.*?)(;.*)?\\)");

    @Spec
    CommandSpec spec;

    @Option(names = "--race", paramLabel = "REGEX",
            description = "select tests whose id (scenario/variant) or jcstress name matches")
    String race;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "run the I-th of N shards of the selection (tests dealt round-robin in catalog order); "
                    + "'tlbrace gate' over all N result directories grades the whole suite")
    String shard;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "ci",
            description = "ci (default), quick, default or tough; see README for the cost of each")
    String mode;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results/hunt",
            description = "where jcstress results, its log and report go (default: ${DEFAULT-VALUE})")
    Path results;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write the verdict as JUnit XML")
    Path junitXml;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        HuntMode m = HuntMode.parse(mode);
        List<StressTest> selected = shard(select(race), shard);
        int cpus = Runtime.getRuntime().availableProcessors();
        List<StressTest> runnable = selected.stream().filter(t -> t.actors() <= cpus).toList();
        Path dir = results.toAbsolutePath();
        prepare(dir);
        new RunManifest(cpus, m.id(), race == null ? "" : race,
                selected.stream().map(StressTest::name).toList()).write(dir);

        out.printf("hunt: %d tests (%d runnable on %d CPUs), mode %s, results in %s%n",
                selected.size(), runnable.size(), cpus, m.id(), dir);
        if (!runnable.isEmpty() && m != HuntMode.CI) {
            out.println("  (jcstress runs each test once per JVM configuration: its progress counts test runs, not tests)");
        }
        int jcstressExit = -1;
        if (!runnable.isEmpty()) {
            jcstressExit = runJcstress(runnable, m, dir, out);
        }
        JcstressResults res;
        try {
            res = runnable.isEmpty() ? null : JcstressResults.read(List.of(dir));
        } catch (GateInputException e) {
            out.println("hunt: jcstress (exit " + jcstressExit + ") left no readable results: " + e.getMessage()
                    + "; see " + dir.resolve("jcstress.log"));
            return Main.FOUND;
        }
        Grader.Verdict v = Grader.grade(selected, res == null ? java.util.Map.of() : res.byTest(), cpus);
        out.println();
        GateReport.printTable(v, out);
        if (junitXml != null) {
            GateReport.writeJunitXml(v, junitXml);
        }
        return v.green() ? Main.OK : Main.FOUND;
    }

    static List<StressTest> select(String race) {
        List<StressTest> selected;
        try {
            selected = StressCatalog.select(race);
        } catch (PatternSyntaxException e) {
            throw new GateInputException("bad --race regex: " + e.getDescription());
        }
        if (selected.isEmpty()) {
            throw new GateInputException("--race '" + race + "' matches no test; ids look like "
                    + StressCatalog.all().get(0).id() + " (see: tlbrace list)");
        }
        return selected;
    }

    /**
     * The I-th of N shards ("I/N", 1-based) of {@code tests}: every N-th test from the I-th, so
     * shards of the catalog order stay balanced across scenarios. Null: all of them.
     */
    static List<StressTest> shard(List<StressTest> tests, String spec) {
        if (spec == null) {
            return tests;
        }
        java.util.regex.Matcher m = Pattern.compile("(\\d{1,4})/(\\d{1,4})").matcher(spec);
        if (!m.matches()) {
            throw new GateInputException("--shard takes I/N, e.g. 2/4; got '" + spec + "'");
        }
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1 || i < 1 || i > n) {
            throw new GateInputException("--shard " + spec + ": need 1 <= I <= N");
        }
        if (n > tests.size()) {
            throw new GateInputException("--shard " + spec + ": " + tests.size() + " tests selected, fewer than " + n
                    + " shards, so some would run nothing");
        }
        List<StressTest> out = new java.util.ArrayList<>();
        for (int k = i - 1; k < tests.size(); k += n) {
            out.add(tests.get(k));
        }
        return out;
    }

    private static void prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("jcstress-results-") || n.equals(RunManifest.FILE) || n.equals("jcstress.log")) {
                    Files.delete(p);
                }
            }
        }
        Path report = dir.resolve("report");
        if (Files.isDirectory(report)) {
            try (Stream<Path> s = Files.walk(report)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> Paths.get(p).toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    private static int runJcstress(List<StressTest> tests, HuntMode mode, Path dir, PrintWriter out)
            throws IOException, InterruptedException {
        String regex = tests.stream().map(t -> Pattern.quote(t.name())).collect(Collectors.joining("|", "^(", ")$"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(absoluteClassPath()); // jcstress runs in the results directory
        cmd.add(JcstressLauncher.class.getName()); // jcstress's Main, one JVM configuration where -jvmArgs says so
        cmd.addAll(mode.jcstressArgs(mode == HuntMode.CI ? HuntMode.CI_TIME_MS : 0));
        cmd.addAll(List.of("-t", regex, "-r", dir.resolve("report").toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String last = "";
        String eta = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(dir.resolve("jcstress.log"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                log.write(line);
                log.write('\n');
                Matcher e = ETA.matcher(line.trim());
                if (e.matches()) {
                    eta = e.group(1);
                }
                Matcher pr = PROGRESS.matcher(line.trim());
                if (pr.matches()) {
                    String now = String.format("  jcstress: %s of %s test runs done, %s failed (ETA %s)",
                            Integer.parseInt(pr.group(2)) + Integer.parseInt(pr.group(3)), pr.group(1), pr.group(3), eta);
                    if (!now.equals(last)) {
                        out.println(now);
                        last = now;
                    }
                } else if (line.contains("[FAILED]") || line.contains("[ERROR]") || line.startsWith("FATAL")) {
                    out.println("  jcstress: " + line.trim());
                }
            }
        }
        int code = p.waitFor();
        out.println("  jcstress exited " + code + "; full log: " + dir.resolve("jcstress.log"));
        return code;
    }
}
