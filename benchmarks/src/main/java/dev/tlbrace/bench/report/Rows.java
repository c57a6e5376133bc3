package dev.tlbrace.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JMH's JSON read back: per benchmark and parameter set, every metric's raw scores, fork by
 * fork, iteration by iteration. Everything the report says is computed from this, so a saved
 * {@code jmh.json} reproduces it.
 */
public final class Rows {
    /** One benchmark at one parameter set: {@code metrics} maps "" (primary) and each secondary label. */
    public record Row(String benchmark, Map<String, String> params, int threads, Map<String, Samples> metrics) {
        public String param(String k) {
            return params.get(k);
        }

        public Samples metric(String label) {
            Samples s = metrics.get(label);
            if (s == null) {
                throw new BadResultsException(benchmark + " " + params + " has no metric '" + label + "'");
            }
            return s;
        }
    }

    /** Raw scores of one metric: {@code forks[f][i]} is iteration i of fork f. */
    public record Samples(String unit, double[][] forks) {
        public double mean() {
            double sum = 0;
            long n = 0;
            for (double[] f : forks) {
                for (double v : f) {
                    sum += v;
                    n++;
                }
            }
            return sum / n;
        }

        /** Per-sample ratio this/other, fork for fork, iteration for iteration (same shape). */
        public Samples over(Samples other) {
            double[][] r = new double[forks.length][];
            for (int f = 0; f < forks.length; f++) {
                r[f] = new double[forks[f].length];
                for (int i = 0; i < forks[f].length; i++) {
                    r[f][i] = forks[f][i] / other.forks[f][i];
                }
            }
            return new Samples(unit + "/" + other.unit, r);
        }
    }

    /** Bad, truncated or empty results: one line for the user, exit 2. */
    public static final class BadResultsException extends RuntimeException {
        public BadResultsException(String message) {
            super(message);
        }
    }

    private final List<Row> rows;

    private Rows(List<Row> rows) {
        this.rows = rows;
    }

    public List<Row> all() {
        return rows;
    }

    /** Rows of {@code benchmark} (Class.group, e.g. {@code RetryReadBenchmark.read_vs_write}) matching {@code params}. */
    public List<Row> select(String benchmark, Map<String, String> params) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.benchmark.equals(benchmark) && params.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(r.params.get(e.getKey())))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The one row of {@code benchmark} at {@code params} on {@code threads} threads, or null if the run did not measure it. */
    public Row find(String benchmark, Map<String, String> params, int threads) {
        List<Row> m = select(benchmark, params).stream().filter(r -> r.threads == threads).toList();
        if (m.size() > 1) {
            throw new BadResultsException(benchmark + " " + params + " matches " + m.size() + " results; add the distinguishing params");
        }
        return m.isEmpty() ? null : m.get(0);
    }

    public static Rows read(Path json) {
        if (!Files.isRegularFile(json)) {
            throw new BadResultsException("no JMH results at " + json);
        }
        JsonElement root;
        try (Reader r = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(r);
        } catch (IOException | RuntimeException e) {
            throw new BadResultsException("corrupt or truncated JMH results " + json + ": " + e.getMessage());
        }
        if (!root.isJsonArray() || root.getAsJsonArray().isEmpty()) {
            throw new BadResultsException("JMH results " + json + " hold no benchmark");
        }
        List<Row> rows = new ArrayList<>();
        try {
            for (JsonElement e : root.getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                String full = o.get("benchmark").getAsString();
                String cls = full.substring(0, full.lastIndexOf('.'));
                String name = cls.substring(cls.lastIndexOf('.') + 1) + full.substring(full.lastIndexOf('.'));
                Map<String, String> params = new TreeMap<>();
                if (o.has("params")) {
                    o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
                }
                Map<String, Samples> metrics = new LinkedHashMap<>();
                metrics.put("", samples(o.getAsJsonObject("primaryMetric")));
                if (o.has("secondaryMetrics")) {
                    for (Map.Entry<String, JsonElement> s : o.getAsJsonObject("secondaryMetrics").entrySet()) {
                        metrics.put(s.getKey(), samples(s.getValue().getAsJsonObject()));
                    }
                }
                rows.add(new Row(name, params, o.get("threads").getAsInt(), metrics));
            }
        } catch (RuntimeException e) {
            throw new BadResultsException("JMH results " + json + " are not in JMH's format: " + e);
        }
        return new Rows(rows);
    }

    private static Samples samples(JsonObject metric) {
        JsonArray raw = metric.getAsJsonArray("rawData");
        double[][] forks = new double[raw.size()][];
        for (int f = 0; f < raw.size(); f++) {
            JsonArray it = raw.get(f).getAsJsonArray();
            forks[f] = new double[it.size()];
            for (int i = 0; i < it.size(); i++) {
                forks[f][i] = it.get(i).getAsDouble();
            }
            if (forks[f].length == 0) {
                throw new BadResultsException("a fork with no iterations");
            }
        }
        if (forks.length == 0) {
            throw new BadResultsException("a metric with no forks");
        }
        return new Samples(metric.get("scoreUnit").getAsString(), forks);
    }
}
