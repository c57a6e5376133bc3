package dev.tlbrace.harness.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.Fences;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.io.PrintWriter;
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

/** {@code tlbrace fences SCENARIO [--variant V] [--json]}: which ordering each fix needs. */
@Command(name = "fences", mixinStandardHelpOptions = true,
        description = {"Which ordering points (a barrier, an acquire/release, a fully ordered RMW, a lock handoff) each fix needs",
            "under lkmm (or --memory-model armv8, tso): each weakened alone, NEEDED points break an invariant, with what they",
            "pair with. One exploration with them all weakened, the model asked per point (--method per-point: one each).",
            "Exit 0; 1 if a fixed variant is not clean under the model to begin with; 2 on bad input."})
final class FencesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "a scenario id (see: tlbrace list)")
    String scenarioId;

    @Option(names = "--variant", paramLabel = "V", description = "one fixed variant (default: every fixed variant)")
    String variantId;

    @Option(names = "--max-preemptions", paramLabel = "N",
            description = "bound on preemptions plus stale reads per schedule, 0..4 (default: none, exhaustive)")
    Integer bound;

    @Option(names = "--form", paramLabel = "F", description = "the invalidation path (see: tlbrace list; default: the base path)")
    String formId;

    @Option(names = "--max-executions", paramLabel = "N",
            description = "stop each exhaustive search after N executions, NOT exhaustive (default: no limit)")
    Long maxExecutions;

    @Option(names = "--time-limit", paramLabel = "T",
            description = "stop each exhaustive search after T (e.g. 90s, 10m), NOT exhaustive: the row is UNKNOWN "
                    + "(default: no limit)")
    String timeLimit;

    @Option(names = "--jobs", paramLabel = "N", description = "threads per search (default: the CPU count)")
    Integer jobs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "400", description = "steps per schedule (default ${DEFAULT-VALUE})")
    int maxSteps;

    @Option(names = "--json", description = "write the table as JSON instead")
    boolean json;

    @Option(names = "--memory-model", paramLabel = "M", defaultValue = "lkmm",
            description = "lkmm, armv8 or tso: the model every search runs under (default ${DEFAULT-VALUE}; armv8: what arm64 hardware needs)")
    String modelId;

    @Option(names = "--litmus", paramLabel = "DIR",
            description = "write each NEEDED row's counterexample as a C litmus test in DIR (and the same test with the "
                    + "point put back, *-restored.litmus): tlbrace litmus answers Sometimes, and Never put back where the "
                    + "skeleton carries the argument")
    java.nio.file.Path litmusDir;

    @Option(names = "--method", paramLabel = "M", defaultValue = "one-pass",
            description = {"one-pass: one search with every barrier, acquire, release and ordered RMW weakened, the model asked "
                    + "per point about each bad graph (lkmm and armv8, exhaustive; lock handoffs still one search each);",
                "per-point: one search per ordering point, the only method under tso or --max-preemptions "
                    + "(default ${DEFAULT-VALUE})"})
    String methodId;

    @Override
    public Integer call() {
        if (bound != null && (bound < 0 || bound > 4)) {
            throw new BadInputException("--max-preemptions must be 0..4, got " + bound);
        }
        if (maxExecutions != null && maxExecutions < 1) {
            throw new BadInputException("--max-executions must be positive, got " + maxExecutions);
        }
        long limitMillis = timeLimit == null ? 0 : ExploreCommand.parseDuration("--time-limit", timeLimit);
        if (jobs != null && jobs < 1) {
            throw new BadInputException("--jobs must be positive, got " + jobs);
        }
        Fences.Method method;
        try {
            method = Fences.Method.byId(methodId);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--method: " + e.getMessage());
        }
        MemoryModel model = MemoryModel.byId(modelId); // unknown: exit 2 with the valid ones
        if (model == MemoryModel.SC) {
            throw new BadInputException("fences needs a weak memory model (lkmm, armv8 or tso): under sc no ordering point can be needed");
        }
        int threads = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        int b = bound == null ? Explorer.UNBOUNDED : bound;
        if (maxSteps < 1) {
            throw new BadInputException("--max-steps must be positive, got " + maxSteps);
        }
        Scenario s = Scenarios.byId(scenarioId).onForm(formId);
        List<Variant> variants = new ArrayList<>();
        if (variantId != null) {
            variants.add(s.variant(variantId));
        } else {
            s.variants().stream().filter(v -> v.expectation() == Expectation.FIXED).forEach(variants::add);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (litmusDir != null && java.nio.file.Files.exists(litmusDir) && !java.nio.file.Files.isDirectory(litmusDir)) {
            throw new BadInputException("--litmus: " + litmusDir + " is not a directory");
        }
        List<Map<String, Object>> all = new ArrayList<>();
        boolean clean = true;
        for (Variant v : variants) {
            Fences.Report r = Fences.run(mem -> s.newRun(v, mem), b, maxSteps,
                    maxExecutions == null ? Long.MAX_VALUE : maxExecutions, limitMillis, threads, model, method);
            clean &= !r.baseline().violated() && r.baseline().exhaustive();
            if (json) {
                all.add(toJson(s, v, r, model.id()));
            } else {
                print(s, v, r, model.id(), out);
            }
            if (litmusDir != null) {
                writeLitmus(s, v, r, json ? spec.commandLine().getErr() : out);
            }
        }
        if (json) {
            Gson g = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
            out.println(g.toJson(all));
        }
        return clean ? Main.OK : Main.FOUND;
    }

    private static void print(Scenario s, Variant v, Fences.Report r, String model, PrintWriter out) {
        out.printf("%s / %s%s (%s, %s), memory model %s, %s%n", s.id(), v.id(),
                s.form().equals(s.baseForm()) ? "" : " / " + s.form(), v.expectation().label(), v.commit(), model,
                r.bound() == Explorer.UNBOUNDED ? "exhaustive" : "bound " + r.bound());
        if (r.baseline().violated()) {
            out.println("  not clean under " + model + " before any weakening: tlbrace explore " + s.id() + " --variant " + v.id()
                    + (s.form().equals(s.baseForm()) ? "" : " --form " + s.form()) + " --memory-model " + model
                    + " shows the counterexample");
            var cex = r.baseline().counterexample();
            for (var step : cex.steps()) {
                if (step.stale() && step.access() != null) {
                    out.println("  its stale read: (" + cex.roles().get(step.role()) + ") " + step.function() + "  "
                            + clip(step.access(), 140));
                }
            }
            out.println("  next: order that read after the read or lock that told its role the newer state had come (an"
                    + " acquire on that read, or smp_rmb() between the two; a store before a load needs smp_mb()),"
                    + " as a new fixed variant, and run fences on it: NEEDED rows then name the barrier and its partner");
            out.println();
            return;
        }
        if (!r.baseline().exhaustive()) {
            out.println("  NOT exhaustive before any weakening: " + (r.baseline().timedOut() ? "stopped at --time-limit; raise it"
                    : r.baseline().truncated() ? "stopped at --max-executions; raise it" : "raise --max-steps"));
            out.println();
            return;
        }
        String fmt = "  %-72s %-22s %s%n";
        out.printf(fmt, "ORDERING POINT", "VERDICT", "PAIRS WITH / COUNTEREXAMPLE");
        for (Fences.Row row : r.rows()) {
            if (row.needed()) {
                String pairs = row.pairsWith().isEmpty() ? "(an interleaving the weakened point allowed)"
                        : String.join("; ", row.pairsWith());
                out.printf(fmt, clip(row.point().toString(), 72), "NEEDED: " + row.breaks(), pairs);
                out.printf(fmt, "", "", row.counterexample().steps().size() + " steps, replay --memory-model " + model + " --schedule "
                        + row.schedule() + " (with this point weakened)");
            } else if (!row.exhaustive()) {
                out.printf(fmt, clip(row.point().toString(), 72), "UNKNOWN", "NOT exhaustive: no counterexample in "
                        + row.schedules() + " executions; " + row.cutShort());
            } else {
                out.printf(fmt, clip(row.point().toString(), 72), r.bound() == Explorer.UNBOUNDED
                        ? "not needed (proved)" : "not needed in bound", row.schedules() + " executions");
            }
        }
        long needed = r.rows().stream().filter(Fences.Row::needed).count();
        out.printf("  %d ordering points, %d needed, %s %d schedules%n%n", r.rows().size(), needed,
                r.onePass() ? "one pass of" : "baseline", r.baseline().schedules());
    }

    /** {@code --litmus DIR}: one test per NEEDED row, and the same with the point put back. */
    private void writeLitmus(Scenario s, Variant v, Fences.Report r, PrintWriter out) {
        for (Fences.Row row : r.rows()) {
            if (!row.needed() || !dev.tlbrace.harness.explore.LitmusExport.exportable(row.counterexample())) {
                continue;
            }
            var origin = new dev.tlbrace.harness.explore.LitmusExport.Origin(s.id(), v.id(),
                    s.form().equals(s.baseForm()) ? null : s.form(), modelId, row.schedule(), row.point());
            var x = dev.tlbrace.harness.litmus.CounterexampleLitmus.export(row.counterexample(), origin);
            String base = (s.id() + "+" + v.id() + (s.form().equals(s.baseForm()) ? "" : "+" + s.form()) + "+"
                    + row.point().primitive() + "+" + (row.point().function() == null ? "start" : row.point().function())
                    + (row.point().cell() == null ? "" : "+" + row.point().cell())).replaceAll("[^A-Za-z0-9_+.-]+", "_");
            java.nio.file.Path f = litmusDir.resolve(base + ".litmus");
            try {
                java.nio.file.Files.createDirectories(litmusDir);
                java.nio.file.Files.writeString(f, x.text(), java.nio.charset.StandardCharsets.UTF_8);
                if (x.restoredText() != null) {
                    java.nio.file.Files.writeString(litmusDir.resolve(base + "-restored.litmus"), x.restoredText(),
                            java.nio.charset.StandardCharsets.UTF_8);
                }
            } catch (java.io.IOException io) {
                throw new BadInputException("--litmus: cannot write " + f + ": " + io.getMessage());
            }
            out.println("  litmus: " + f + ": " + (x.sometimes() ? "Sometimes" : "not checked: " + x.observed())
                    + (x.restored() == null ? "" : "; with the point put back: " + x.restored()));
        }
    }

    private static Map<String, Object> toJson(Scenario s, Variant v, Fences.Report r, String model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", s.id());
        m.put("variant", v.id());
        m.put("memoryModel", model);
        m.put("bound", r.bound() == Explorer.UNBOUNDED ? "exhaustive" : r.bound());
        m.put("cleanBeforeWeakening", !r.baseline().violated() && r.baseline().exhaustive());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Fences.Row row : r.rows()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("function", row.point().function());
            x.put("primitive", row.point().primitive());
            x.put("cell", row.point().cell());
            x.put("needed", row.needed());
            if (row.needed()) {
                x.put("breaks", row.breaks());
                x.put("steps", row.counterexample().steps().size());
                x.put("schedule", row.schedule());
                x.put("pairsWith", row.pairsWith());
            }
            x.put("schedules", row.schedules());
            x.put("exhaustive", row.exhaustive());
            rows.add(x);
        }
        m.put("points", rows);
        return m;
    }

    private static String clip(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "~";
    }
}
