package dev.tlbrace.harness.cli;

import com.google.gson.GsonBuilder;
import dev.tlbrace.harness.explore.MemoryModel;
import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.harness.litmus.Litmus;
import dev.tlbrace.harness.litmus.LitmusParser;
import dev.tlbrace.harness.litmus.LitmusRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tlbrace litmus FILE...}: the kernel's C litmus tests on the explorer's memory models. */
@Command(name = "litmus", mixinStandardHelpOptions = true,
        description = {"Run C litmus tests (tools/memory-model format) under sc, tso or lkmm and compare with their Result comment.",
            "Exit 0: every supported test agrees (or is a labelled departure); 1: a disagreement; 2: a file that does not parse."})
final class LitmusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "*.litmus files")
    List<Path> files;

    @Option(names = "--memory-model", paramLabel = "M", defaultValue = "lkmm", description = "sc, tso or lkmm (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--max-preemptions", paramLabel = "N", defaultValue = "4",
            description = "bound on preemptions plus stale reads per execution (default ${DEFAULT-VALUE})")
    int bound;

    @Option(names = "--json", description = "print the results as JSON instead")
    boolean json;

    @Option(names = "--no-witness", description = "print the witnessing execution of a Sometimes only on a disagreement")
    boolean noWitness;

    @Override
    public Integer call() throws IOException {
        MemoryModel m = MemoryModel.byId(model);
        if (bound < 0 || bound > 8) {
            throw new BadInputException("--max-preemptions must be 0..8, got " + bound);
        }
        List<Litmus> tests = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new BadInputException("no such litmus file: " + f);
            }
            String text = Files.readString(f, StandardCharsets.UTF_8);
            try {
                tests.add(LitmusParser.parse(f.toString(), text));
            } catch (LitmusParser.LitmusException e) {
                throw new BadInputException(e.getMessage());
            } catch (LitmusParser.Unsupported u) {
                unsupported.add(f + ": " + u.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        int agree = 0;
        int disagree = 0;
        int departures = 0;
        int notExhaustive = 0;
        List<Map<String, Object>> rows = new ArrayList<>();
        long start = System.nanoTime();
        for (Litmus t : tests) {
            LitmusRunner.Outcome o;
            try {
                o = LitmusRunner.run(t, m, bound);
            } catch (LitmusParser.Unsupported u) {
                unsupported.add(t.name() + ": " + u.getMessage());
                continue;
            }
            switch (o.verdict()) {
                case "agree" -> agree++;
                case "known departure" -> departures++;
                case "NOT exhaustive" -> notExhaustive++;
                case "no Result comment" -> { }
                default -> disagree++;
            }
            if (json) {
                rows.add(row(o));
                continue;
            }
            out.printf("%-48s observed %-9s (%d executions, %d final states)  expected %-9s  %s  %d ms%n", t.name(),
                    o.observed(), o.executions(), o.finalStates().size(), t.expected() == null ? "-" : t.expected(),
                    o.departure() == null ? o.verdict() : o.verdict() + " (" + o.departure() + ")", o.millis());
            if (o.witness() != null && (!noWitness || o.verdict().equals("DISAGREE"))) {
                out.print(Timeline.render(o.witness(), true));
                out.println("  final: " + o.witness().verdict().detail());
                out.println();
            }
        }
        for (String u : unsupported) {
            if (!json) {
                out.println(u);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String summary = agree + " agree, " + disagree + " disagree, " + unsupported.size() + " unsupported"
                + (departures > 0 ? ", " + departures + " known departures" : "")
                + (notExhaustive > 0 ? ", " + notExhaustive + " NOT exhaustive" : "")
                + " (" + m.id() + ", bound " + bound + ", " + ms + " ms)";
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("memoryModel", m.id());
            all.put("bound", bound);
            all.put("tests", rows);
            all.put("unsupported", unsupported);
            all.put("summary", summary);
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(all));
        } else {
            out.println(summary);
        }
        return disagree > 0 || notExhaustive > 0 ? Main.FOUND : Main.OK;
    }

    private static Map<String, Object> row(LitmusRunner.Outcome o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", o.test().name());
        r.put("observed", o.observed());
        r.put("expected", o.test().expected());
        r.put("verdict", o.verdict());
        if (o.departure() != null) {
            r.put("departure", o.departure());
        }
        r.put("executions", o.executions());
        r.put("finalStates", List.copyOf(o.finalStates()));
        r.put("millis", o.millis());
        return r;
    }
}
