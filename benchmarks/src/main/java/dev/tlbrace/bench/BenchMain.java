package dev.tlbrace.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tlbrace.bench.report.Figures;
import dev.tlbrace.bench.report.Report;
import dev.tlbrace.bench.report.Rows;
import dev.tlbrace.bench.report.Stats.Interval;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a benchmark profile with stated settings, writes JMH's JSON, and computes the report
 * from it: docs/benchmarks.md's tables with every ratio's interval ({@code summary.md},
 * {@code ratios.json}), one forest plot per family, and the scaling figures.
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.tlbrace.bench.BenchMain [smoke|standard|scaling|harness|long] [OUT_DIR]
 * java -cp benchmarks/target/benchmarks.jar dev.tlbrace.bench.BenchMain report OUT_DIR
 * java -cp benchmarks/target/benchmarks.jar dev.tlbrace.bench.BenchMain stability OUT_DIR OUT_DIR OUT_DIR...
 * java -cp benchmarks/target/benchmarks.jar dev.tlbrace.bench.BenchMain doc docs/benchmarks.md OUT_DIR OUT_DIR OUT_DIR...
 * }</pre>
 * {@code smoke} proves every benchmark starts and completes (CI); it says nothing about speed.
 * {@code stability} compares the headline ratios of several runs; exit 1 if any two disagree.
 */
public final class BenchMain {
    private BenchMain() { }

    /** One JMH invocation: which benchmarks, which parameter values, and the thread split. */
    record Spec(String include, Map<String, String[]> params, int... threadGroups) { }

    private static Map<String, String[]> p(String... kv) {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1].split(","));
        }
        return m;
    }

    private static final String INV = "dev\\.tlbrace\\.bench\\.mm\\.InvalidationBenchmark\\.";
    private static final String READ = "dev\\.tlbrace\\.bench\\.kvm\\.RetryReadBenchmark\\.";
    private static final String SMMU = "dev\\.tlbrace\\.bench\\.iommu\\.SmmuFixCostBenchmark\\.";
    private static final String APIC = "dev\\.tlbrace\\.bench\\.kvm\\.ApicReloadCostBenchmark\\.";

    /** What each profile runs (a holder class, so the profiles' constructors can name it). */
    static final class Runs {
        private Runs() { }

        /** The headline comparisons: the tables of docs/benchmarks.md. Paced threads pinned, idle params pinned. */
        static final List<Spec> STANDARD = List.of(
                new Spec(INV + "invalidate$", p("op", "UNMAP,CHANGE_PROTECTION,MIGRATE", "pages", "1,512",
                        "subscribers", "0,1,4", "invalidatePeriodNs", "0")),
                new Spec(READ + "read_vs_write$", p("writePeriodNs", "1000,10000"), 1, 1),
                new Spec(READ + "reader_alone$", p("writePeriodNs", "0")),
                new Spec(SMMU + "upgrade_vs_dma$", p("upgradePeriodNs", "10000"), 1, 1),
                new Spec(SMMU + "upgrade_alone$", p("upgradePeriodNs", "0")),
                new Spec(APIC + "(entry_without_request|entry_with_reload|unmap_apic_page_and_reload)$", p("unmapPeriodNs", "0")),
                new Spec(APIC + "unmap_vs_entry$", p("unmapPeriodNs", "10000"), 1, 1));

        /**
         * A paced invalidator against a faulting vCPU: not in {@code standard}, because the paced
         * invalidator cannot hold its rate there (the model's spinlocks are test-and-set and its
         * mmap_lock has no writer handoff, so a vCPU faulting flat out starves it for whole
         * iterations), and an unequal load is no comparison. In {@code long}, flagged as such.
         */
        static final List<Spec> PACED_READERS = List.of(new Spec(INV + "invalidate_vs_readers$", p("op", "UNMAP", "pages", "16",
                "subscribers", "0,1,4", "invalidatePeriodNs", "20000"), 1, 1));

        /** The scaling figures: subscribers, range size, concurrent vCPUs, readers. */
        static final List<Spec> SCALING = List.of(
                new Spec(INV + "invalidate$", p("op", "UNMAP,CHANGE_PROTECTION,MIGRATE", "pages", "1",
                        "subscribers", "0,1,2,4,8", "invalidatePeriodNs", "0")),
                new Spec(INV + "invalidate$", p("op", "UNMAP", "pages", "4,16,64,256,512", "subscribers", "0,1,4",
                        "invalidatePeriodNs", "0")),
                new Spec(INV + "invalidate_vs_readers$", p("op", "UNMAP", "pages", "16", "subscribers", "1", "invalidatePeriodNs", "0"), 1, 1),
                new Spec(INV + "invalidate_vs_readers$", p("op", "UNMAP", "pages", "16", "subscribers", "1", "invalidatePeriodNs", "0"), 1, 2),
                new Spec(INV + "invalidate_vs_readers$", p("op", "UNMAP", "pages", "16", "subscribers", "1", "invalidatePeriodNs", "0"), 1, 4),
                new Spec(READ + "read_vs_write$", p("writePeriodNs", "1000"), 1, 1),
                new Spec(READ + "read_vs_write$", p("writePeriodNs", "1000"), 2, 1),
                new Spec(READ + "read_vs_write$", p("writePeriodNs", "1000"), 4, 1));

        /** The harness's own speed. */
        static final List<Spec> HARNESS = List.of(new Spec("dev\\.tlbrace\\.bench\\.harness\\.ExplorerBenchmark\\.", p()));
    }

    /** Stated settings per profile. */
    enum Profile {
        SMOKE(1, 0, 1, "100ms", "100ms", concat(Runs.STANDARD, Runs.PACED_READERS, Runs.HARNESS, List.of(Runs.SCALING.get(6)))),
        STANDARD(4, 1, 4, "1s", "300ms", Runs.STANDARD),
        SCALING(3, 1, 3, "500ms", "300ms", Runs.SCALING),
        HARNESS(3, 1, 3, "2s", "1s", Runs.HARNESS),
        LONG(5, 3, 10, "2s", "1s", concat(Runs.STANDARD, Runs.PACED_READERS, Runs.SCALING, Runs.HARNESS));

        final int forks;
        final int warmups;
        final int iterations;
        final String warmupTime;
        final String measureTime;
        final List<Spec> specs;

        Profile(int forks, int warmups, int iterations, String warmupTime, String measureTime, List<Spec> specs) {
            this.forks = forks;
            this.warmups = warmups;
            this.iterations = iterations;
            this.warmupTime = warmupTime;
            this.measureTime = measureTime;
            this.specs = specs;
        }

        String describe() {
            return String.format("-f %d -wi %d -i %d -w %s -r %s", forks, warmups, iterations, warmupTime, measureTime);
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @SafeVarargs
    private static List<Spec> concat(List<Spec>... lists) {
        List<Spec> out = new ArrayList<>();
        for (List<Spec> l : lists) {
            out.addAll(l);
        }
        return out;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (Rows.BadResultsException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        } catch (IOException | RunnerException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] args) throws IOException, RunnerException {
        String first = args.length > 0 ? args[0] : "standard";
        if (first.equals("report")) {
            if (args.length != 2) {
                return usage("report takes one results directory");
            }
            report(Paths.get(args[1]), System.out);
            return 0;
        }
        if (first.equals("stability")) {
            if (args.length < 3) {
                return usage("stability takes two or more results directories");
            }
            return stability(paths(args, 1), System.out) ? 0 : 1;
        }
        if (first.equals("doc")) {
            if (args.length < 4) {
                return usage("doc takes the document and two or more results directories");
            }
            return doc(Paths.get(args[1]), paths(args, 2), System.out) ? 0 : 1;
        }
        Profile profile = null;
        for (Profile pr : Profile.values()) {
            if (pr.id().equals(first)) {
                profile = pr;
            }
        }
        if (profile == null || args.length > 2) {
            return usage(profile == null ? "unknown profile '" + first + "'" : "too many arguments");
        }
        Path out = Paths.get(args.length > 1 ? args[1] : "results/benchmarks/" + profile.id());
        Files.createDirectories(out);
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.println("bench: profile " + profile.id() + " (" + profile.describe() + ") on " + cpus + " CPUs, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        long start = System.nanoTime();
        List<RunResult> results = new ArrayList<>();
        Path log = out.resolve("jmh.log");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            // JMH's thousands of lines go to a file, except where a person watches a long run
            PrintStream shown = profile == Profile.SMOKE ? ps : new PrintStream(new TeeStream(System.out, ps), true, StandardCharsets.UTF_8);
            for (Spec s : profile.specs) {
                ChainedOptionsBuilder o = new OptionsBuilder().include(s.include())
                        .forks(profile.forks).warmupIterations(profile.warmups)
                        .warmupTime(TimeValue.fromString(profile.warmupTime))
                        .measurementIterations(profile.iterations)
                        .measurementTime(TimeValue.fromString(profile.measureTime))
                        .shouldFailOnError(true);
                s.params().forEach(o::param);
                if (s.threadGroups().length > 0) {
                    o.threadGroups(s.threadGroups());
                }
                Collection<RunResult> r = new Runner(o.build(), OutputFormatFactory.createFormatInstance(shown, VerboseMode.NORMAL)).run();
                if (r.isEmpty()) {
                    System.err.println("bench: " + s.include() + " matched no benchmark");
                    return 1;
                }
                results.addAll(r);
            }
        } catch (RunnerException | RuntimeException e) {
            List<String> lines = Files.readAllLines(log);
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
            System.err.println("bench: " + profile.id() + " failed: " + e.getMessage() + " (whole log: " + log + ")");
            return 1;
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        try (PrintStream ps = new PrintStream(Files.newOutputStream(out.resolve("jmh.json")), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        Properties meta = new Properties();
        meta.setProperty("profile", profile.id());
        meta.setProperty("settings", profile.describe());
        meta.setProperty("cpus", String.valueOf(cpus));
        meta.setProperty("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        meta.setProperty("date", java.time.LocalDate.now().toString());
        meta.setProperty("seconds", String.valueOf(seconds));
        try (var w = Files.newBufferedWriter(out.resolve("run.properties"), StandardCharsets.UTF_8)) {
            meta.store(w, "tlbrace benchmark run");
        }
        System.out.println("bench: " + results.size() + " results in " + out.resolve("jmh.json") + " (" + seconds + " s; JMH log: "
                + log + ")");
        if (profile == Profile.SMOKE) {
            Report rep = new Report(Rows.read(out.resolve("jmh.json"))); // the report must compute from any run
            System.out.println("bench: smoke: " + results.size() + " benchmark runs completed, " + rep.quoted().size()
                    + " ratios computed");
            return 0;
        }
        report(out, System.out);
        return 0;
    }

    /** Computes summary.md, ratios.json and the figures from a results directory's jmh.json. */
    static Report report(Path dir, PrintStream out) throws IOException {
        Rows rows = Rows.read(dir.resolve("jmh.json"));
        Properties meta = new Properties();
        Path props = dir.resolve("run.properties");
        if (Files.isRegularFile(props)) {
            try (var r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
                meta.load(r);
            }
        }
        int cpus = Integer.parseInt(meta.getProperty("cpus", String.valueOf(Runtime.getRuntime().availableProcessors())));
        Report rep = new Report(rows);
        String head = "Profile " + meta.getProperty("profile", "?") + " (" + meta.getProperty("settings", "?") + "), "
                + cpus + " CPUs, " + meta.getProperty("jvm", "?") + ", " + meta.getProperty("date", "?") + ", "
                + meta.getProperty("seconds", "?") + " s. Rates: mean ± half the 95% interval; ratios: estimate (95% interval); "
                + "the fork is the unit (t over fork means; Welch on log fork means for ratios).\n\n";
        Files.writeString(dir.resolve("summary.md"), head + rep.markdown(), StandardCharsets.UTF_8);
        JsonArray arr = new JsonArray();
        for (Report.Quoted q : rep.quoted()) {
            JsonObject o = new JsonObject();
            o.addProperty("key", q.key());
            o.addProperty("text", q.text());
            o.addProperty("estimate", q.interval().estimate());
            o.addProperty("lo", q.interval().lo());
            o.addProperty("hi", q.interval().hi());
            o.addProperty("verdict", q.interval().spansOne() ? "no difference measured" : "different");
            o.addProperty("headline", q.headline());
            arr.add(o);
        }
        Files.writeString(dir.resolve("ratios.json"), new GsonBuilder().setPrettyPrinting().create().toJson(arr), StandardCharsets.UTF_8);
        List<Path> figs = new ArrayList<>(Figures.write(rows, cpus, dir));
        Map<String, List<Report.Quoted>> byFamily = new LinkedHashMap<>();
        for (Report.Quoted q : rep.quoted()) {
            byFamily.computeIfAbsent(q.key().substring(0, q.key().indexOf('.')), k -> new ArrayList<>()).add(q);
        }
        Map<String, String> titles = Map.of("inv", "Invalidation: cost of subscribers (cycles/s ratio to none)",
                "invr", "vCPU faults at a paced invalidation rate, ratio to no subscribers",
                "read", "Readers at equal write load: successful reads, ratio to the peer named",
                "smmu", "SMMU fixes: ratio to no-upgrade-notify", "apic", "APIC variants: ratio to range-start-request");
        for (Map.Entry<String, List<Report.Quoted>> e : byFamily.entrySet()) {
            Path png = dir.resolve("ratios-" + e.getKey() + ".png");
            Figures.forest(titles.getOrDefault(e.getKey(), e.getKey()) + " (" + cpus + " CPUs)", e.getValue(), png);
            figs.add(png);
        }
        out.println("bench: report " + dir.resolve("summary.md") + ", " + rep.quoted().size() + " ratios in "
                + dir.resolve("ratios.json") + ", " + figs.size() + " figures");
        for (String u : rep.unequalLoads()) {
            out.println("bench: UNEQUAL LOAD: " + u);
        }
        return rep;
    }

    /**
     * The headline ratios of several runs side by side. Two runs agree on a ratio when their
     * intervals overlap; all runs agree when every pair does.
     */
    static boolean stability(List<Path> dirs, PrintStream out) throws IOException {
        List<Map<String, JsonObject>> runs = new ArrayList<>();
        for (Path d : dirs) {
            Path f = d.resolve("ratios.json");
            if (!Files.isRegularFile(f)) {
                throw new Rows.BadResultsException("no ratios.json in " + d + " (run the profile, or 'report', first)");
            }
            Map<String, JsonObject> m = new LinkedHashMap<>();
            try {
                for (var e : JsonParser.parseString(Files.readString(f)).getAsJsonArray()) {
                    JsonObject o = e.getAsJsonObject();
                    m.put(o.get("key").getAsString(), o);
                }
            } catch (RuntimeException e) {
                throw new Rows.BadResultsException("corrupt " + f + ": " + e.getMessage());
            }
            runs.add(m);
        }
        StringBuilder head = new StringBuilder("| headline ratio |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int i = 1; i <= dirs.size(); i++) {
            head.append(" run ").append(i).append(" |");
            rule.append("---|");
        }
        out.println(head.append(" agree |"));
        out.println(rule.append("---|"));
        boolean all = true;
        int n = 0;
        for (JsonObject q : runs.get(0).values()) {
            if (!q.get("headline").getAsBoolean()) {
                continue;
            }
            String key = q.get("key").getAsString();
            List<Interval> ivs = new ArrayList<>();
            StringBuilder row = new StringBuilder("| " + q.get("text").getAsString() + " |");
            for (Map<String, JsonObject> r : runs) {
                JsonObject o = r.get(key);
                if (o == null) {
                    throw new Rows.BadResultsException("a run has no ratio '" + key + "': compare runs of the same profile");
                }
                Interval iv = new Interval(o.get("estimate").getAsDouble(), o.get("lo").getAsDouble(), o.get("hi").getAsDouble());
                ivs.add(iv);
                row.append(' ').append(Report.formatRatio(iv)).append(" |");
            }
            boolean agree = true;
            for (int i = 0; i < ivs.size(); i++) {
                for (int j = i + 1; j < ivs.size(); j++) {
                    agree &= ivs.get(i).overlaps(ivs.get(j));
                }
            }
            all &= agree;
            n++;
            out.println(row.append(agree ? " yes" : " **no**").append(" |"));
        }
        if (n == 0) {
            throw new Rows.BadResultsException("the runs quote no headline ratio");
        }
        out.println();
        out.println("bench: stability: " + n + " headline ratios over " + dirs.size() + " runs: "
                + (all ? "all agree within their intervals" : "SOME DISAGREE"));
        return all;
    }

    /**
     * Rewrites the generated blocks of a document (docs/benchmarks.md) from saved runs: between
     * {@code <!-- bench:stability -->} and {@code <!-- /bench:stability -->} the headline ratios of
     * every run, between {@code <!-- bench:tables -->} and {@code <!-- /bench:tables -->} the first
     * run's tables. The prose around them is the author's. Returns whether the runs agree.
     */
    static boolean doc(Path file, List<Path> runs, PrintStream out) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Rows.BadResultsException("no document " + file);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
        boolean agree;
        try (PrintStream ps = new PrintStream(table, true, StandardCharsets.UTF_8)) {
            agree = stability(runs, ps);
        }
        Path summary = runs.get(0).resolve("summary.md");
        if (!Files.isRegularFile(summary)) {
            throw new Rows.BadResultsException("no summary.md in " + runs.get(0) + " (run 'report' first)");
        }
        text = replaceBlock(text, "stability", table.toString(StandardCharsets.UTF_8).strip());
        text = replaceBlock(text, "tables", Files.readString(summary, StandardCharsets.UTF_8).strip());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        out.println("bench: doc " + file + ": headline ratios of " + runs.size() + " runs and the tables of " + runs.get(0));
        return agree;
    }

    private static String replaceBlock(String text, String name, String body) {
        String open = "<!-- bench:" + name + " -->";
        String close = "<!-- /bench:" + name + " -->";
        int i = text.indexOf(open);
        int j = text.indexOf(close);
        if (i < 0 || j < i) {
            throw new Rows.BadResultsException("the document has no " + open + " ... " + close + " block");
        }
        return text.substring(0, i + open.length()) + "\n" + body + "\n" + text.substring(j);
    }

    private static List<Path> paths(String[] args, int from) {
        return java.util.Arrays.stream(args, from, args.length).map(Paths::get).toList();
    }

    private static int usage(String why) {
        System.err.println("bench: " + why + "; usage: BenchMain [smoke|standard|scaling|harness|long] [OUT_DIR]"
                + " | report OUT_DIR | stability OUT_DIR OUT_DIR... | doc DOC.md OUT_DIR OUT_DIR...");
        return 2;
    }

    /** Copies JMH's output to the terminal and the log. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
