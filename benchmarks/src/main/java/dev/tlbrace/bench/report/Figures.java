package dev.tlbrace.bench.report;

import dev.tlbrace.bench.report.Rows.Row;
import dev.tlbrace.bench.report.Rows.Samples;
import dev.tlbrace.bench.report.Stats.Interval;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The scaling figures: how invalidation throughput grows with subscribers, range size and
 * concurrent readers, and what a read costs as readers are added. Each point is a mean with
 * its 95% interval (t over fork means). Points with more threads than CPUs are a separate, hollow,
 * dashed series named "oversubscribed": on 2 CPUs they measure the scheduler, not the protocol.
 */
public final class Figures {
    private Figures() { }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    /** Writes every figure the rows allow; returns the files written. */
    public static List<Path> write(Rows rows, int cpus, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        String on = " (" + cpus + " CPUs)";
        // throughput vs subscribers, one page
        Chart subs = new Chart("Invalidation throughput vs subscribers, 1 page" + on, "subscribers", "cycles/s", false, false);
        for (String op : Report.values(rows.select("InvalidationBenchmark.invalidate", Map.of("pages", "1")), "op")) {
            subs.series(op, rows.select("InvalidationBenchmark.invalidate", Map.of("pages", "1", "op", op)),
                    r -> Double.parseDouble(r.param("subscribers")), r -> r.metric(""), cpus);
        }
        subs.saveIfPoints(dir.resolve("scaling-subscribers.png"), out, 3);
        // pages invalidated per second vs range size
        Chart range = new Chart("UNMAP: pages invalidated per second vs range size" + on, "pages per invalidation (log2)",
                "pages/s", true, true);
        for (String s : Report.values(rows.select("InvalidationBenchmark.invalidate", Map.of("op", "UNMAP")), "subscribers")) {
            range.series(s + (s.equals("1") ? " subscriber" : " subscribers"),
                    rows.select("InvalidationBenchmark.invalidate", Map.of("op", "UNMAP", "subscribers", s)),
                    r -> Double.parseDouble(r.param("pages")), r -> scaled(r.metric(""), Double.parseDouble(r.param("pages"))), cpus);
        }
        range.saveIfPoints(dir.resolve("scaling-range.png"), out, 3);
        // invalidator vs concurrent readers (flat out)
        List<Row> flat = rows.select("InvalidationBenchmark.invalidate_vs_readers", Map.of("invalidatePeriodNs", "0"));
        if (!flat.isEmpty()) {
            Row any = flat.get(0);
            Map<String, String> at = Map.of("op", any.param("op"), "pages", any.param("pages"), "subscribers", any.param("subscribers"));
            Chart readers = new Chart("Invalidator flat out vs concurrent vCPU faulters: " + any.param("op") + " of " + any.param("pages")
                    + " pages, " + any.param("subscribers") + " subscriber(s)" + on, "vCPUs faulting", "ops/s", false, true);
            List<Row> alone = rows.select("InvalidationBenchmark.invalidate", at);
            List<Row> pts = new ArrayList<>(alone);
            pts.addAll(rows.select("InvalidationBenchmark.invalidate_vs_readers", merge(at, "invalidatePeriodNs", "0")));
            readers.series("invalidation cycles/s", pts, r -> r.threads() - 1.0,
                    r -> r.metrics().containsKey("invalidator") ? r.metric("invalidator") : r.metric(""), cpus);
            readers.series("vCPU faults/s (all vCPUs)", rows.select("InvalidationBenchmark.invalidate_vs_readers",
                    merge(at, "invalidatePeriodNs", "0")), r -> r.threads() - 1.0, r -> r.metric("vcpuFault"), cpus);
            readers.saveIfPoints(dir.resolve("scaling-readers.png"), out, 2);
        }
        // a read's cost vs readers, heavy paced writer
        List<Row> rw = rows.select("RetryReadBenchmark.read_vs_write", Map.of("writePeriodNs", "1000"));
        if (rw.stream().anyMatch(r -> r.threads() > 2)) {
            Chart cost = new Chart("Cost of one successful read vs readers, writer paced at 1 write/us" + on, "readers",
                    "ns per read, per reader", false, false);
            for (String peer : Report.values(rw, "peer")) {
                cost.series(peer, rows.select("RetryReadBenchmark.read_vs_write", Map.of("writePeriodNs", "1000", "peer", peer)),
                        r -> r.threads() - 1.0, r -> nsPerRead(r.metric("reads"), r.threads() - 1), cpus);
            }
            cost.saveIfPoints(dir.resolve("scaling-reader-cost.png"), out, 2);
        }
        return out;
    }

    /** One sample has no interval: draw the point alone. */
    private static Interval drawable(Interval iv) {
        return Double.isInfinite(iv.hi()) ? new Interval(iv.estimate(), iv.estimate(), iv.estimate()) : iv;
    }

    private static Map<String, String> merge(Map<String, String> m, String k, String v) {
        Map<String, String> out = new java.util.HashMap<>(m);
        out.put(k, v);
        return out;
    }

    private static Samples scaled(Samples s, double by) {
        double[][] f = new double[s.forks().length][];
        for (int i = 0; i < f.length; i++) {
            f[i] = s.forks()[i].clone();
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] *= by;
            }
        }
        return new Samples(s.unit(), f);
    }

    /** reads/us summed over {@code readers} threads -> ns per read per reader. */
    private static Samples nsPerRead(Samples readsPerUs, int readers) {
        double[][] f = new double[readsPerUs.forks().length][];
        for (int i = 0; i < f.length; i++) {
            f[i] = new double[readsPerUs.forks()[i].length];
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] = 1000.0 * readers / readsPerUs.forks()[i][j];
            }
        }
        return new Samples("ns", f);
    }

    private static final class Chart {
        final String title;
        final String xLabel;
        final String yLabel;
        final boolean logX;
        final boolean logY;
        final YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        final List<Boolean> hollow = new ArrayList<>();
        final List<Integer> colour = new ArrayList<>();
        int families;
        int points;

        Chart(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
            this.logX = logX;
            this.logY = logY;
        }

        /** One line; its points with more threads than CPUs go to a hollow "oversubscribed" twin. */
        void series(String name, List<Row> rs, Function<Row, Double> x, Function<Row, Samples> y, int cpus) {
            YIntervalSeries fit = new YIntervalSeries(name);
            YIntervalSeries over = new YIntervalSeries(name + ", oversubscribed");
            if (rs.size() < 2) {
                return; // a line needs two points; a lone one is in the tables
            }
            for (Row r : rs) {
                Interval iv = drawable(Stats.mean(y.apply(r)));
                // a rate is never negative: a bar that reaches zero is cut at zero (at 1% of the point on a log axis)
                iv = new Interval(iv.estimate(), Math.max(iv.lo(), logY ? iv.estimate() / 100 : 0), iv.hi());
                (r.threads() > cpus ? over : fit).add(x.apply(r), iv.estimate(), iv.lo(), iv.hi());
                points++;
            }
            if (fit.getItemCount() > 0) {
                data.addSeries(fit);
                hollow.add(false);
                colour.add(families);
            }
            if (over.getItemCount() > 0) {
                // join the twin to the last fitting point, so the curve reads as one line
                if (fit.getItemCount() > 0) {
                    int last = fit.getItemCount() - 1;
                    over.add(fit.getX(last).doubleValue(), fit.getYValue(last), fit.getYLowValue(last), fit.getYHighValue(last));
                }
                data.addSeries(over);
                hollow.add(true);
                colour.add(families);
            }
            families++;
        }

        void saveIfPoints(Path png, List<Path> written, int min) throws IOException {
            if (points < min) {
                return;
            }
            ValueAxis xa;
            if (logX) {
                LogAxis l = new LogAxis(xLabel);
                l.setBase(2);
                l.setTickUnit(new NumberTickUnit(1));
                l.setNumberFormatOverride(new java.text.DecimalFormat("0"));
                xa = l;
            } else {
                NumberAxis n = new NumberAxis(xLabel);
                n.setTickUnit(new NumberTickUnit(1));
                xa = n;
            }
            ValueAxis ya;
            if (logY) {
                LogAxis l = new LogAxis(yLabel + " (log scale)");
                l.setTickUnit(new NumberTickUnit(1)); // a label per decade, minor ticks between
                l.setMinorTickCount(9);
                l.setMinorTickMarksVisible(true);
                l.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.###"));
                ya = l;
            } else {
                NumberAxis n = new NumberAxis(yLabel);
                n.setAutoRangeIncludesZero(true);
                n.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.###"));
                ya = n;
            }
            Font tick = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
            Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
            for (ValueAxis a : List.of(xa, ya)) {
                a.setTickLabelFont(tick);
                a.setLabelFont(label);
            }
            XYErrorRenderer r = new XYErrorRenderer();
            r.setDrawXError(false);
            r.setDrawYError(true);
            r.setDefaultLinesVisible(true);
            r.setDefaultShapesVisible(true);
            r.setCapLength(8);
            r.setErrorPaint(null); // each bar in its series' colour
            r.setUseFillPaint(true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                Color c = PALETTE[colour.get(i) % PALETTE.length];
                r.setSeriesPaint(i, c);
                r.setSeriesFillPaint(i, hollow.get(i) ? Color.WHITE : c);
                r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
                r.setSeriesStroke(i, hollow.get(i)
                        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f)
                        : new BasicStroke(2f));
            }
            XYPlot plot = new XYPlot(data, xa, ya, r);
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 17), plot, true);
            chart.getLegend().setItemFont(tick);
            chart.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 1100, 650);
            written.add(png);
        }
    }

    /**
     * A forest plot of one family's ratios: each ratio a point with its 95% interval on a log
     * axis, labelled in words, with the line at 1.0 that an interval must miss to be a difference.
     */
    public static void forest(String title, List<Report.Quoted> ratios, Path png) throws IOException {
        YIntervalSeries s = new YIntervalSeries("ratio, 95% interval");
        String[] labels = new String[ratios.size()];
        double min = 1;
        double max = 1;
        for (int i = 0; i < ratios.size(); i++) {
            Report.Quoted q = ratios.get(ratios.size() - 1 - i); // first ratio on top
            labels[i] = q.text();
            Interval iv = drawable(q.interval());
            s.add(i, iv.estimate(), iv.lo(), iv.hi());
            min = Math.min(min, iv.lo());
            max = Math.max(max, iv.hi());
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        data.addSeries(s);
        LogAxis x = new LogAxis("ratio (log scale; 1.0 = no difference)");
        x.setRange(min / 1.3, max * 1.3);
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.0##"));
        if (max / min > 20) {
            x.setTickUnit(new NumberTickUnit(1)); // wide: a label per decade
            x.setMinorTickCount(9);
            x.setMinorTickMarksVisible(true);
        }
        org.jfree.chart.axis.SymbolAxis y = new org.jfree.chart.axis.SymbolAxis(null, labels);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        y.setTickLabelFont(font);
        x.setTickLabelFont(font);
        x.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        y.setGridBandsVisible(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDrawYError(true);
        r.setDefaultLinesVisible(false);
        r.setSeriesPaint(0, PALETTE[0]);
        r.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
        r.setErrorPaint(Color.BLACK);
        r.setErrorStroke(new BasicStroke(2f));
        r.setCapLength(8);
        // the dataset's x is the row, drawn vertically; the ratio runs across
        XYPlot plot = new XYPlot(data, y, x, r);
        plot.setOrientation(org.jfree.chart.plot.PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinesVisible(false);
        plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(1.0, Color.GRAY, new BasicStroke(1.5f)));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1300, Math.max(300, 80 + 34 * ratios.size()));
    }
}
