package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.gate.Engine;
import dev.tlbrace.harness.gate.ExplorerEngine;
import dev.tlbrace.harness.gate.GateInputException;
import dev.tlbrace.harness.gate.GateReport;
import dev.tlbrace.harness.gate.Grader;
import dev.tlbrace.harness.gate.HuntMode;
import dev.tlbrace.harness.gate.JcstressLauncher;
import dev.tlbrace.harness.gate.JcstressResults;
import dev.tlbrace.harness.gate.RunManifest;
import dev.tlbrace.harness.gate.StressCatalog;
import dev.tlbrace.harness.gate.StressTest;
import dev.tlbrace.harness.gate.TestOutcomes;
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
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Set;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tlbrace hunt}: grade the selected races with every engine asked for: the explorer over
 * the model (deterministic, seconds; beside jcstress at nice 19 when both run) and jcstress on
 * this machine's CPUs in forked JVMs, one invocation per {@code -time} its tests get.
 */
@Command(name = "hunt", mixinStandardHelpOptions = true,
        description = {"Run the explorer and jcstress over every race (or a selection) and print the gate's verdict:",
            "a column per engine, and the row's verdict.",
            "Exit 0: every fixed variant PASS, every known bug DETECTED; 1: the gate failed; 2: bad input."})
final class HuntCommand implements Callable<Integer> {
    private static final Pattern PROGRESS = Pattern.compile(
            "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");
    /** A jcstress test run's fixed cost on 2 idle CPUs (JVM start, probe of the test, compilation): for the ETA. */
    private static final long FORK_MS = 2_000;

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
            description = "ci (default), quick, default or tough: how long jcstress runs; see README for the cost of each")
    String mode;

    @Option(names = "--engines", paramLabel = "LIST", defaultValue = "jcstress,explorer",
            description = "the engines that grade, comma-separated: jcstress (this machine's CPUs), explorer (the model); "
                    + "default: ${DEFAULT-VALUE}")
    String engines;

    @Option(names = "--progress", paramLabel = "STYLE", defaultValue = "auto",
            description = "bar (one line redrawn in place), log (a line every 10%% or 30 s) or auto: bar on a terminal")
    String progress;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results/hunt",
            description = "where jcstress results, its log and report, and the explorer's verdicts go (default: ${DEFAULT-VALUE})")
    Path results;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write the verdict as JUnit XML")
    Path junitXml;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        HuntMode m = HuntMode.parse(mode);
        Set<Engine> using = Engine.parse(engines);
        boolean tty = progressStyle(progress);
        List<StressTest> selected = shard(select(race), shard);
        int cpus = Runtime.getRuntime().availableProcessors();
        List<StressTest> runnable = selected.stream().filter(t -> t.actors() <= cpus).toList();
        Path dir = results.toAbsolutePath();
        prepare(dir);
        new RunManifest(cpus, m.id(), race == null ? "" : race,
                selected.stream().map(StressTest::name).toList(), using).write(dir);

        out.printf("hunt: %d tests, engines %s, mode %s, %d CPUs, results in %s%n", selected.size(), Engine.format(using),
                m.id(), cpus, dir);
        Map<String, Grader.Cell> model = null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tlbrace-progress");
            t.setDaemon(true);
            return t;
        });
        Beside beside = null;
        try {
            if (using.contains(Engine.EXPLORER)) {
                // beside jcstress, at the lowest priority, it takes the CPU jcstress leaves idle (its start, each
                // fork's single-threaded start); alone, or where no such process can start, it runs here first
                // one thread: a second one took a core from jcstress's forks (idle 2-core hunt 2:28 -> 2:19)
                beside = using.contains(Engine.JCSTRESS) && !runnable.isEmpty() ? Beside.start(selected, 1, dir) : null;
                if (beside == null) {
                    model = explore(selected, cpus, dir, out, tty, ticker);
                } else {
                    out.printf("  explorer: %d tests, beside jcstress at the lowest CPU priority (nice 19)%n", selected.size());
                }
            }
            Map<String, TestOutcomes> hw = null;
            if (using.contains(Engine.JCSTRESS)) {
                hw = hunt(runnable, selected.size() - runnable.size(), m, cpus, dir, out, tty, ticker);
            }
            if (beside != null) {
                model = beside.await(out, tty, ticker, cpus);
                beside = null;
            }
            if (using.contains(Engine.JCSTRESS) && hw == null) {
                return Main.FOUND;
            }
            Grader.Verdict v = Grader.grade(selected, hw, model, cpus, Grader.hostIsTso());
            out.println();
            GateReport.printTable(v, out);
            if (junitXml != null) {
                GateReport.writeJunitXml(v, junitXml);
            }
            return v.green() ? Main.OK : Main.FOUND;
        } finally {
            ticker.shutdownNow();
            if (beside != null) {
                beside.process.destroyForcibly();
            }
        }
    }

    /**
     * The explorer in a process of its own beside jcstress, at nice 19 ({@link ExplorerEngine#main}),
     * its verdicts read as they come. Under load nice 19 gets almost no CPU, so whatever it has
     * not graded when jcstress is done is graded here, at the priority jcstress had.
     */
    private static final class Beside {
        final Process process;
        final List<StressTest> tests;
        final Path dir;
        final long start = nowMillis();
        final Map<String, Grader.Cell> cells = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
        final Thread reader;

        private Beside(Process process, List<StressTest> tests, Path dir) {
            this.process = process;
            this.tests = tests;
            this.dir = dir;
            this.reader = new Thread(this::read, "tlbrace-explorer-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The process, or null if {@code nice} cannot start one here (then the explorer runs in-process). */
        static Beside start(List<StressTest> tests, int cpus, Path dir) {
            List<String> cmd = new ArrayList<>(List.of("nice", "-n", "19",
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp", absoluteClassPath(),
                    ExplorerEngine.class.getName(), Integer.toString(cpus)));
            tests.forEach(t -> cmd.add(t.name()));
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                return new Beside(p, tests, dir);
            } catch (IOException e) {
                return null;
            }
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer log = Files.newBufferedWriter(dir.resolve(EXPLORER_LOG), StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.write(line);
                    log.write('\n');
                    Map.Entry<String, Grader.Cell> e = ExplorerEngine.parseLine(line);
                    if (e != null) {
                        cells.put(e.getKey(), e.getValue());
                    }
                }
            } catch (IOException e) {
                // what was read counts; the rest is graded in-process
            }
            ended.set(nowMillis());
        }

        /**
         * The verdicts: the process's, once it exits if jcstress ran long enough for it, else what
         * it had so far and the rest graded here; saved beside jcstress's results.
         */
        Map<String, Grader.Cell> await(PrintWriter out, boolean tty, ScheduledExecutorService ticker, int cpus)
                throws InterruptedException, IOException {
            boolean finished = process.waitFor(0, TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor();
            }
            reader.join(5_000);
            int beside = cells.size();
            List<StressTest> rest = tests.stream().filter(t -> !cells.containsKey(t.name())).toList();
            String took = Progress.clockText((ended.get() == 0 ? nowMillis() : ended.get()) - start);
            if (rest.isEmpty()) {
                out.printf("  explorer: %d tests in %s beside jcstress%s%n", tests.size(), took, red());
            } else {
                long here = nowMillis();
                Progress p = new Progress(out, "explorer", rest.size(), tty, HuntCommand::nowMillis);
                ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(p::tick, 1, 1, TimeUnit.SECONDS);
                try {
                    ExplorerEngine.checkAll(rest, cpus, (t, r) -> {
                        cells.put(t.name(), r.toCell());
                        p.update(cells.size() - beside, 0, -1);
                    });
                } finally {
                    tick.cancel(false);
                }
                p.finish(String.format("%d tests beside jcstress (%s), the other %d here in %s%s", beside, took, rest.size(),
                        Progress.clockText(nowMillis() - here), red()));
            }
            Map<String, Grader.Cell> ordered = new LinkedHashMap<>();
            tests.forEach(t -> ordered.put(t.name(), cells.get(t.name())));
            ExplorerEngine.save(dir, ordered);
            return ordered;
        }

        private String red() {
            long red = cells.values().stream().filter(c -> c.grade().failed()).count();
            return red == 0 ? "" : ", " + red + " red";
        }
    }

    /** The explorer's own output when it runs beside jcstress. */
    static final String EXPLORER_LOG = "explorer.log";

    /** {@code --progress}: true for a bar redrawn in place. */
    static boolean progressStyle(String style) {
        switch (style) {
            case "bar":
                return true;
            case "log":
                return false;
            case "auto":
                return Progress.terminal();
            default:
                throw new BadInputException("--progress takes bar, log or auto; got '" + style + "'");
        }
    }

    /** The explorer over every selected test, CPUs at a time; its verdicts are saved beside jcstress's. */
    private static Map<String, Grader.Cell> explore(List<StressTest> tests, int cpus, Path dir, PrintWriter out, boolean tty,
                                                    ScheduledExecutorService ticker) throws IOException {
        long start = System.nanoTime();
        Progress p = new Progress(out, "explorer", tests.size(), tty, HuntCommand::nowMillis);
        ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(p::tick, 1, 1, TimeUnit.SECONDS);
        Map<String, ExplorerEngine.Result> res;
        try {
            res = ExplorerEngine.checkAll(tests, cpus, n -> p.update(n, 0, -1));
        } finally {
            tick.cancel(false);
        }
        long red = res.values().stream().filter(r -> r.grade().failed()).count();
        p.finish(String.format("%d tests in %s%s", tests.size(), Progress.clockText((System.nanoTime() - start) / 1_000_000),
                red == 0 ? "" : ", " + red + " red"));
        Map<String, Grader.Cell> cells = new LinkedHashMap<>();
        res.forEach((k, r) -> cells.put(k, r.toCell()));
        ExplorerEngine.save(dir, cells);
        return cells;
    }

    /**
     * jcstress over the runnable tests in one invocation, each at the {@code -time} the mode gives
     * it; null if it left no readable results, or ran a test for another time than asked.
     */
    private static Map<String, TestOutcomes> hunt(List<StressTest> runnable, int tooBig, HuntMode m, int cpus, Path dir,
                                                  PrintWriter out, boolean tty, ScheduledExecutorService ticker)
            throws IOException, InterruptedException {
        if (runnable.isEmpty()) {
            out.printf("  jcstress: no selected test fits %d CPUs%n", cpus);
            return Map.of();
        }
        if (tooBig > 0) {
            out.printf("  jcstress: %d of the tests need more than %d CPUs: SKIPPED here%n", tooBig, cpus);
        }
        Run run = new Run(new Progress(out, "jcstress", runnable.size(), tty, HuntCommand::nowMillis),
                runnable.stream().mapToLong(t -> m.timeMs(t) + FORK_MS).sum());
        ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(run.progress::tick, 1, 1, TimeUnit.SECONDS);
        int code;
        try {
            code = runJcstress(runnable, m, dir, run);
        } finally {
            tick.cancel(false);
        }
        run.progress.finish(String.format("%d tests in %s, %d JVM%s, exit %d; log: %s", run.done, Progress.clockText(run.elapsed()),
                run.planned, run.planned == 1 ? "" : "s", code, dir.resolve(LOG)));
        JcstressResults res;
        try {
            res = JcstressResults.read(List.of(dir));
        } catch (GateInputException e) {
            out.println("hunt: jcstress (exit " + code + ") left no readable results: " + e.getMessage()
                    + "; see " + dir.resolve(LOG));
            return null;
        }
        for (StressTest t : runnable) {
            Integer ran = res.timesMs().get(t.name());
            if (m.timeMs(t) > 0 && ran != null && ran != m.timeMs(t)) {
                out.println("hunt: jcstress ran " + t.id() + " for " + ran + " ms, not the " + m.timeMs(t)
                        + " ms asked; see " + dir.resolve(LOG));
                return null;
            }
        }
        return res.byTest();
    }

    /** jcstress's log, every invocation's output in turn. */
    static final String LOG = "jcstress.log";

    /** What the jcstress invocation of one hunt has done so far, for its progress line. */
    private static final class Run {
        final Progress progress;
        final long start = nowMillis();
        /** The tests' times and forks, in ms: the ETA's yardstick. */
        final long totalWeight;
        int planned;
        int done;

        Run(Progress progress, long totalWeight) {
            this.progress = progress;
            this.totalWeight = totalWeight;
        }

        long elapsed() {
            return nowMillis() - start;
        }

        /** jcstress reported {@code done} of {@code tests} test runs, {@code failed} of them failed. */
        void report(int done, int failed, int tests) {
            this.done = done;
            long w = totalWeight * done / tests;
            long eta = w == 0 ? -1 : elapsed() * (totalWeight - w) / w;
            progress.update(done, failed, eta);
        }
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
        ShardSpec sh = ShardSpec.parse(spec);
        int i = sh.index();
        int n = sh.count();
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
                if (n.startsWith("jcstress-results-") || n.equals(RunManifest.FILE) || n.equals(LOG)
                        || n.equals(ExplorerEngine.FILE) || n.equals(EXPLORER_LOG)) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path report : s.filter(p -> p.getFileName().toString().startsWith("report") && Files.isDirectory(p)).toList()) {
                try (Stream<Path> w = Files.walk(report)) {
                    for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> Paths.get(p).toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * One jcstress invocation over {@code tests}, each at the mode's {@code -time} for it (the
     * launcher's {@code --times} for those off the mode's base): jcstress probes the JVM at every
     * start (~7 s here), so one start for all. Its output goes to the log, and to {@code out} only
     * as the progress line and failures.
     */
    private static int runJcstress(List<StressTest> tests, HuntMode mode, Path dir, Run run) throws IOException, InterruptedException {
        String regex = tests.stream().map(t -> Pattern.quote(t.name())).collect(Collectors.joining("|", "^(", ")$"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(absoluteClassPath()); // jcstress runs in the results directory
        cmd.add(JcstressLauncher.class.getName());
        String times = tests.stream().filter(t -> mode.timeMs(t) != mode.baseTimeMs())
                .map(t -> t.name() + "=" + mode.timeMs(t)).collect(Collectors.joining(","));
        if (!times.isEmpty()) {
            cmd.addAll(List.of(JcstressLauncher.TIMES, times));
        }
        cmd.addAll(mode.jcstressArgs(mode.baseTimeMs()));
        cmd.addAll(List.of("-t", regex, "-r", dir.resolve("report").toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(dir.resolve(LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            log.write("==== tlbrace: " + String.join(" ", cmd.subList(3, cmd.size())) + "\n");
            String line;
            while ((line = r.readLine()) != null) {
                log.write(line);
                log.write('\n');
                String l = line.trim();
                Matcher pr = PROGRESS.matcher(l);
                if (pr.matches()) {
                    int planned = Integer.parseInt(pr.group(1));
                    int failed = Integer.parseInt(pr.group(3)) + Integer.parseInt(pr.group(4)) + Integer.parseInt(pr.group(5));
                    int done = Integer.parseInt(pr.group(2)) + failed;
                    run.planned = planned;
                    // jcstress counts JVM runs: with one per test (ci) they are the tests
                    run.report(planned == tests.size() ? done : (int) ((long) done * tests.size() / planned), failed,
                            tests.size());
                } else if (l.contains("[FAILED]") || l.contains("[ERROR]") || l.contains("[CRASH]")
                        || l.contains("[TIMEOUT]") || l.startsWith("FATAL")) {
                    run.progress.println("  jcstress: " + l);
                } else {
                    run.progress.tick();
                }
            }
        }
        return p.waitFor();
    }

    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }
}
