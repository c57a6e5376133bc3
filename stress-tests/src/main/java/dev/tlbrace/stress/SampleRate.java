package dev.tlbrace.stress;

import dev.tlbrace.harness.gate.HuntMode;
import dev.tlbrace.harness.gate.JcstressLauncher;
import dev.tlbrace.harness.gate.StressCatalog;
import dev.tlbrace.harness.gate.StressTest;
import dev.tlbrace.stress.baseline.TrivialPairTest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;

/**
 * How many samples per second jcstress gets from each two-actor scenario test, against
 * {@link TrivialPairTest}: the model's cost per sample, and so what a minute of {@code hunt}
 * buys. Every test runs with the gate's settings ({@code hunt --mode ci}) but a longer iteration;
 * the rate is the samples divided by the test time jcstress spent (each configuration's
 * iterations times its iteration time).
 * <pre>{@code java -cp stress-tests/target/tlbrace.jar dev.tlbrace.stress.SampleRate [TIME_MS] [OUT_DIR]}</pre>
 * Exit 0 with a table; 1 if a test produced no samples; 2 on bad arguments.
 */
public final class SampleRate {
    private SampleRate() { }

    public static void main(String[] args) throws IOException, InterruptedException {
        int timeMs;
        try {
            timeMs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        } catch (NumberFormatException e) {
            timeMs = -1;
        }
        if (timeMs < 10 || args.length > 2) {
            System.err.println("sample-rate: usage: SampleRate [TIME_MS >= 10] [OUT_DIR]");
            System.exit(2);
        }
        Path out = Paths.get(args.length > 1 ? args[1] : "results/sample-rate").toAbsolutePath();
        Files.createDirectories(out);
        int cpus = Runtime.getRuntime().availableProcessors();
        List<String> names = new ArrayList<>();
        names.add(TrivialPairTest.class.getName());
        for (StressTest t : StressCatalog.all()) {
            if (t.actors() <= cpus) {
                names.add(t.name());
            }
        }
        String regex = names.stream().map(n -> "^" + Pattern.quote(n) + "$").collect(Collectors.joining("|"));
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                absolute(System.getProperty("java.class.path")), JcstressLauncher.class.getName()));
        // the gate's own settings (hunt --mode ci: one JVM configuration per test), longer
        cmd.addAll(HuntMode.CI.jcstressArgs(timeMs));
        cmd.addAll(List.of("-t", regex, "-r", out.resolve("report").toString()));
        System.out.println("sample-rate: " + names.size() + " tests, " + timeMs + " ms each per configuration, on " + cpus
                + " CPUs (jcstress log: " + out.resolve("jcstress.log") + ")");
        Process p = new ProcessBuilder(cmd).directory(out.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("jcstress.log").toFile()).start();
        int code = p.waitFor();
        Map<String, long[]> byTest = new TreeMap<>(); // samples, test milliseconds
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".bin.gz")).toList()) {
                DiskReadCollector r = new DiskReadCollector(f.toString(), (TestResult t) -> {
                    long[] acc = byTest.computeIfAbsent(t.getName(), k -> new long[2]);
                    acc[0] += t.getTotalCount();
                    acc[1] += (long) t.getConfig().time * t.getConfig().iters;
                });
                try {
                    r.dump();
                } catch (ClassNotFoundException e) {
                    throw new IOException(e);
                } finally {
                    r.close();
                }
            }
        }
        long[] floor = byTest.get(TrivialPairTest.class.getName());
        if (floor == null || floor[0] == 0) {
            System.err.println("sample-rate: jcstress (exit " + code + ") left no results for the trivial test; see "
                    + out.resolve("jcstress.log"));
            System.exit(1);
        }
        double floorRate = floor[0] * 1000.0 / floor[1];
        System.out.println("| test | samples | samples/s | vs trivial 2-actor test |");
        System.out.println("|---|---|---|---|");
        boolean missing = false;
        for (String n : names) {
            long[] a = byTest.get(n);
            if (a == null || a[0] == 0) {
                System.out.println("| " + n + " | 0 | - | no samples |");
                missing = true;
                continue;
            }
            double rate = a[0] * 1000.0 / a[1];
            System.out.printf("| %s | %,d | %,.0f | %.3fx |%n", n.substring(n.lastIndexOf('.', n.lastIndexOf('.') - 1) + 1),
                    a[0], rate, rate / floorRate);
        }
        System.exit(missing ? 1 : 0);
    }

    private static String absolute(String classPath) {
        return Stream.of(classPath.split(File.pathSeparator)).map(s -> Paths.get(s).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
