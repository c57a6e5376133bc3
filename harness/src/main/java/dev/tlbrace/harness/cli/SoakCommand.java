package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.soak.Soak;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tlbrace soak}: every role on real threads, for a bounded time, oracles always on. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run invalidators, vCPUs, SMMU walkers and the IOPF handler together on real threads.",
            "Without --variant: every fixed variant of the scenario (or of every race) at once.",
            "Exit 1 on the first violation (with an ftrace-like dump), 0 if none, 2 on bad input."})
final class SoakCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "S")
    String scenario;

    @Option(names = "--variant", paramLabel = "V", description = "needs --scenario")
    String variant;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "30s", description = "e.g. 500ms, 10s, 2m (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--pages", paramLabel = "N", defaultValue = "256")
    int pages;

    @Option(names = "--vcpus", paramLabel = "N", defaultValue = "2")
    int vcpus;

    @Option(names = "--walkers", paramLabel = "N", defaultValue = "2")
    int walkers;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        Duration d = parseDuration(duration);
        if (pages < 4 || pages > 1 << 20 || vcpus < 1 || vcpus > 64 || walkers < 1 || walkers > 64) {
            throw new BadInputException("--pages must be 4..1048576, --vcpus and --walkers 1..64");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Soak.Target> targets = targets(out);
        out.printf("soak %s for %s: %d pages, %d vCPUs, %d SMMU walkers, seed %d%n",
                targets.stream().map(t -> t.scenario().id() + "/" + t.variant().id()).toList(), duration,
                pages, vcpus, walkers, seed);
        Soak soak = new Soak();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            soak.interrupt();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Soak.Result r = soak.run(targets, new Soak.Options(d, pages, vcpus, walkers, seed), out);
            out.flush();
            return r.violation() != null ? Main.FOUND : Main.OK;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is already running
            }
        }
    }

    private List<Soak.Target> targets(PrintWriter out) {
        if (variant != null && scenario == null) {
            throw new BadInputException("--variant needs --scenario");
        }
        List<Soak.Target> targets = new ArrayList<>();
        List<Scenario> scenarios = scenario == null ? Scenarios.all() : List.of(Scenarios.byId(scenario));
        for (Scenario s : scenarios) {
            if (!Scenarios.all().contains(s)) {
                throw new BadInputException("soak runs races, not canaries: " + s.id());
            }
            if (!Soak.hasOwnWorld(s.id())) {
                out.println("soak: " + s.id() + " has no world of its own: rounds of its two-actor form"
                        + " (--pages, --vcpus, --walkers do not apply)");
            }
            if (variant != null) {
                targets.add(new Soak.Target(s, s.variant(variant)));
                continue;
            }
            for (Variant v : s.variants()) {
                if (v.expectation() == Expectation.FIXED) {
                    targets.add(new Soak.Target(s, v));
                }
            }
        }
        return targets;
    }

    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw new BadInputException("bad --duration '" + s + "': use e.g. 500ms, 10s, 2m, 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.toMillis() < 100 || d.toHours() > 24) {
            throw new BadInputException("--duration must be between 100ms and 24h, got " + s);
        }
        return d;
    }
}
