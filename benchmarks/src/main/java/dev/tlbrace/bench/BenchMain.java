package dev.tlbrace.bench;

import java.awt.Color;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the standard benchmark set with stated settings, writes JMH's JSON, and renders one
 * PNG per benchmark class (every measured method, each param combination, error bars).
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.tlbrace.bench.BenchMain [smoke|standard|long] [OUT_DIR]}</pre>
 * {@code smoke} proves every benchmark starts and completes (CI); it says nothing about speed.
 */
public final class BenchMain {
    private BenchMain() { }

    /** Stated settings per profile. */
    enum Profile {
        SMOKE(1, 0, 1, "100ms", "100ms"),
        STANDARD(1, 1, 3, "1s", "1s"),
        LONG(3, 3, 10, "2s", "2s");

        final int forks;
        final int warmups;
        final int iterations;
        final String warmupTime;
        final String measureTime;

        Profile(int forks, int warmups, int iterations, String warmupTime, String measureTime) {
            this.forks = forks;
            this.warmups = warmups;
            this.iterations = iterations;
            this.warmupTime = warmupTime;
            this.measureTime = measureTime;
        }

        String describe() {
            return String.format("-f %d -wi %d -i %d -w %s -r %s", forks, warmups, iterations, warmupTime, measureTime);
        }
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Profile profile;
        try {
            profile = Profile.valueOf((args.length > 0 ? args[0] : "standard").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("bench: unknown profile '" + args[0] + "'; valid: smoke, standard, long");
            System.exit(2);
            return;
        }
        Path out = Paths.get(args.length > 1 ? args[1] : "results/benchmarks");
        Files.createDirectories(out);
        Path json = out.resolve("jmh.json");
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include("dev\\.tlbrace\\.bench\\..*Benchmark")
                .forks(profile.forks)
                .warmupIterations(profile.warmups)
                .warmupTime(TimeValue.fromString(profile.warmupTime))
                .measurementIterations(profile.iterations)
                .measurementTime(TimeValue.fromString(profile.measureTime))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        System.out.println("bench: profile " + profile.name().toLowerCase(java.util.Locale.ROOT) + " (" + profile.describe()
                + ") on " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version"));
        Collection<RunResult> results;
        if (profile == Profile.SMOKE) {
            // CI: JMH's ~2,700 lines go to a file; only a failure prints them
            Path log = out.resolve("jmh.log");
            try (java.io.PrintStream ps = new java.io.PrintStream(Files.newOutputStream(log), true, "UTF-8")) {
                results = new Runner(opts.build(), org.openjdk.jmh.runner.format.OutputFormatFactory.createFormatInstance(ps,
                        org.openjdk.jmh.runner.options.VerboseMode.NORMAL)).run();
            } catch (org.openjdk.jmh.runner.RunnerException | RuntimeException e) {
                List<String> lines = Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
                System.err.println("bench: smoke failed: " + e.getMessage() + " (whole log: " + log + ")");
                System.exit(1);
                return;
            }
            System.out.println("bench: smoke: " + results.size() + " benchmark runs completed (JMH log: " + log + ")");
        } else {
            results = new Runner(opts.build()).run();
        }
        if (results.isEmpty()) {
            System.err.println("bench: no benchmark ran");
            System.exit(1);
        }
        System.out.println("bench: " + results.size() + " results in " + json);
        for (Map.Entry<String, List<RunResult>> e : byClass(results).entrySet()) {
            Path png = out.resolve(e.getKey() + ".png");
            plot(e.getKey(), e.getValue(), png.toFile());
            System.out.println("bench: plot " + png);
        }
    }

    private static Map<String, List<RunResult>> byClass(Collection<RunResult> results) {
        Map<String, List<RunResult>> m = new TreeMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            m.computeIfAbsent(cls.substring(cls.lastIndexOf('.') + 1), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    /** One bar per (method, params); error bars are JMH's score error (99.9%). */
    static void plot(String title, List<RunResult> runs, File png) throws IOException {
        DefaultStatisticalCategoryDataset ds = new DefaultStatisticalCategoryDataset();
        String unit = "";
        double min = Double.MAX_VALUE;
        double max = 0;
        for (RunResult r : runs) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String params = String.join(",", paramValues(r));
            BenchmarkResult agg = r.getAggregatedResult();
            Map<String, Result> series = new LinkedHashMap<>();
            if (agg.getSecondaryResults().isEmpty()) {
                series.put(method, agg.getPrimaryResult());
            } else {
                agg.getSecondaryResults().forEach((k, v) -> series.put(method + ":" + k, v));
            }
            for (Map.Entry<String, Result> s : series.entrySet()) {
                Result res = s.getValue();
                double err = Double.isNaN(res.getScoreError()) ? 0 : res.getScoreError();
                double score = Math.max(res.getScore(), 1e-3); // log axis: no zero bars
                ds.add(score, err, s.getKey(), params.isEmpty() ? method : params);
                min = Math.min(min, score);
                max = Math.max(max, score + err);
                unit = res.getScoreUnit();
            }
        }
        CategoryAxis x = new CategoryAxis("parameters");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        LogAxis y = new LogAxis(unit + " (log scale)");
        y.setSmallestValue(1e-3);
        y.setRange(min / 3, max * 3);
        StatisticalBarRenderer bars = new StatisticalBarRenderer();
        bars.setErrorIndicatorPaint(Color.BLACK);
        CategoryPlot plot = new CategoryPlot(ds, x, y, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        int width = Math.max(900, 40 * ds.getColumnCount() * Math.max(1, ds.getRowCount() / 2));
        ChartUtils.saveChartAsPNG(png, chart, Math.min(width, 4000), 600);
    }

    private static List<String> paramValues(RunResult r) {
        List<String> out = new ArrayList<>();
        for (String k : r.getParams().getParamsKeys()) {
            out.add(r.getParams().getParam(k));
        }
        return out;
    }
}
