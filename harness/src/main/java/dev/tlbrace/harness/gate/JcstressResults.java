package dev.tlbrace.harness.gate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;

/**
 * Reads jcstress's own binary results ({@code jcstress-results-*.bin.gz}) through its
 * {@link DiskReadCollector}, from result directories or files, and merges them per test.
 */
public final class JcstressResults {
    private final Map<String, TestOutcomes> byTest;
    private final Map<String, Integer> timesMs;
    private final List<RunManifest> manifests;

    private JcstressResults(Map<String, TestOutcomes> byTest, Map<String, Integer> timesMs, List<RunManifest> manifests) {
        this.byTest = byTest;
        this.timesMs = timesMs;
        this.manifests = manifests;
    }

    public Map<String, TestOutcomes> byTest() {
        return byTest;
    }

    /** Each test's {@code -time} in ms as jcstress ran it (the longest where runs differ). */
    public Map<String, Integer> timesMs() {
        return timesMs;
    }

    public List<RunManifest> manifests() {
        return manifests;
    }

    /** The fewest CPUs any shard ran on, or {@code fallback} if no manifest says. */
    public int minCpus(int fallback) {
        return manifests.stream().mapToInt(RunManifest::cpus).min().orElse(fallback);
    }

    /**
     * Reads every input: a directory (its jcstress-results-*.bin.gz and manifest) or a file.
     * Throws {@link GateInputException} for anything missing, empty, truncated or corrupt.
     */
    public static JcstressResults read(List<Path> inputs) {
        if (inputs.isEmpty()) {
            throw new GateInputException("no results given");
        }
        Map<String, Acc> acc = new TreeMap<>();
        List<RunManifest> manifests = new ArrayList<>();
        for (Path in : inputs) {
            List<Path> files;
            if (Files.isDirectory(in)) {
                files = resultFiles(in);
                if (files.isEmpty()) {
                    throw new GateInputException("no jcstress results (*.bin.gz) in " + in);
                }
                RunManifest m = RunManifest.read(in);
                if (m != null) {
                    manifests.add(m);
                }
            } else if (Files.isRegularFile(in)) {
                files = List.of(in);
            } else {
                throw new GateInputException("no such results file or directory: " + in);
            }
            for (Path f : files) {
                readFile(f, acc);
            }
        }
        Map<String, TestOutcomes> out = new TreeMap<>();
        Map<String, Integer> times = new TreeMap<>();
        acc.forEach((name, a) -> {
            out.put(name, a.done(name));
            times.put(name, a.timeMs);
        });
        return new JcstressResults(out, times, manifests);
    }

    private static List<Path> resultFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            // jcstress writes jcstress-results-<time>.bin.gz; any .bin.gz in a results directory counts
            return s.filter(p -> p.getFileName().toString().endsWith(".bin.gz")).sorted().toList();
        } catch (IOException e) {
            throw new GateInputException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static void readFile(Path f, Map<String, Acc> acc) {
        long size;
        try {
            size = Files.size(f);
        } catch (IOException e) {
            throw new GateInputException("cannot read " + f + ": " + e.getMessage());
        }
        if (size == 0) {
            throw new GateInputException("empty results file " + f);
        }
        // DiskReadCollector stops quietly at the first EOF, so a truncated file would read as a
        // shorter run: check the gzip trailer (CRC and length) first.
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new GateInputException("corrupt or truncated results file " + f + ": " + e.getMessage());
        }
        List<TestResult> results = new ArrayList<>();
        DiskReadCollector reader = null;
        try {
            reader = new DiskReadCollector(f.toString(), results::add);
            reader.dump();
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new GateInputException("corrupt or truncated results file " + f + ": " + e);
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
        if (results.isEmpty()) {
            throw new GateInputException("results file " + f + " holds no test result");
        }
        for (TestResult r : results) {
            acc.computeIfAbsent(r.getName(), k -> new Acc()).add(r);
        }
    }

    /** Accumulates one test's results over forks and configurations. */
    private static final class Acc {
        Status status = Status.NORMAL;
        final Map<String, Long> counts = new HashMap<>();
        final List<String> messages = new ArrayList<>();
        int actors;
        int timeMs;

        void add(TestResult r) {
            status = status.combine(r.status());
            for (String k : r.getStateKeys()) {
                counts.merge(k, r.getCount(k), Long::sum);
            }
            messages.addAll(r.getMessages());
            if (r.getConfig() != null && r.getConfig().actorNames != null) {
                actors = r.getConfig().actorNames.size();
            }
            if (r.getConfig() != null) {
                timeMs = Math.max(timeMs, r.getConfig().time);
            }
        }

        TestOutcomes done(String name) {
            return new TestOutcomes(name, status.name(), counts, actors, messages);
        }
    }
}
