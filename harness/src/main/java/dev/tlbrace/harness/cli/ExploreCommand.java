package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.HtmlTimeline;
import dev.tlbrace.harness.explore.Schedule;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tlbrace explore SCENARIO --variant V}: systematic search, shortest counterexample first. */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = {"Explore every interleaving of the scenario's shared accesses: exhaustively, with partial-order",
            "reduction, unless --max-preemptions bounds the search.",
            "Exit 1 with the shortest counterexample (timeline + schedule) or when the search was NOT exhaustive,",
            "0 if it was and found none, 2 on bad input."})
final class ExploreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioSelection sel;

    @Option(names = "--max-preemptions", paramLabel = "N",
            description = "bound on preemptions plus stale reads per schedule, 0..6: a preemption-bounded search without "
                    + "reduction, for bug hunting (default: none, exhaustive)")
    Integer maxPreemptions;

    @Option(names = "--max-executions", paramLabel = "N",
            description = "stop the exhaustive search after N executions, NOT exhaustive (default: no limit, it runs to the end)")
    Long maxExecutions;

    @Option(names = "--time-limit", paramLabel = "T",
            description = "stop the exhaustive search after T (e.g. 90s, 10m, 1h), NOT exhaustive (default: no limit)")
    String timeLimit;

    @Option(names = "--progress", negatable = true,
            description = "a progress line on stderr while the exhaustive search runs: executions, rate, parts of the tree "
                    + "done (default: on a terminal); with --progress, how the work divided between the --jobs at the end")
    Boolean progress;

    @Option(names = "--jobs", paramLabel = "N",
            description = "threads for the exhaustive search (default: the CPU count); the result is the same for any N")
    Integer jobs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "400",
            description = "steps per schedule before it counts as cut short (default ${DEFAULT-VALUE})")
    int maxSteps;

    @Option(names = "--html", paramLabel = "FILE", description = "write the counterexample as one self-contained HTML page")
    Path html;

    @Option(names = "--litmus", paramLabel = "FILE",
            description = "write the counterexample's shared-memory skeleton as a C litmus test (herd7's dialect) that "
                    + "`tlbrace litmus FILE` answers Sometimes for (- prints it after the timeline); nothing is written when "
                    + "there is no counterexample")
    Path litmus;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "search only part I of N of the exhaustive search and save it to --out, for --merge (one CI "
                    + "machine per part)")
    String shard;

    @Option(names = "--out", paramLabel = "FILE", description = "where --shard saves its part (JSON)")
    Path outFile;

    @Option(names = "--merge", paramLabel = "FILE", arity = "1..*",
            description = "combine the parts --shard saved (all N, the same scenario, variant, form, model and limits) into "
                    + "the verdict and counts of one run")
    java.util.List<Path> merge;

    @Override
    public Integer call() throws IOException {
        if (maxPreemptions != null && (maxPreemptions < 0 || maxPreemptions > 6)) {
            throw new BadInputException("--max-preemptions must be 0..6, got " + maxPreemptions);
        }
        if (maxExecutions != null && maxExecutions < 1) {
            throw new BadInputException("--max-executions must be positive, got " + maxExecutions);
        }
        long limitMillis = timeLimit == null ? 0 : parseDuration("--time-limit", timeLimit);
        if (jobs != null && jobs < 1) {
            throw new BadInputException("--jobs must be positive, got " + jobs);
        }
        if (maxSteps < 1) {
            throw new BadInputException("--max-steps must be positive, got " + maxSteps);
        }
        Scenario s = sel.scenario();
        Variant v = sel.variant();
        PrintWriter out = spec.commandLine().getOut();
        if (litmus != null) {
            if (!litmus.toString().equals("-")) {
                checkWritable("--litmus", litmus); // before the search, which may take minutes
            }
            if (shard != null) {
                throw new BadInputException("--litmus writes a counterexample: --shard saves none (use it with --merge)");
            }
        }
        int bound = maxPreemptions == null ? Explorer.UNBOUNDED : maxPreemptions;
        if ((shard != null || merge != null) && maxPreemptions != null) {
            throw new BadInputException("--shard and --merge split the exhaustive search: drop --max-preemptions");
        }
        if (shard != null && merge != null) {
            throw new BadInputException("--shard and --merge: one or the other");
        }
        if ((shard == null) != (outFile == null)) {
            throw new BadInputException(shard == null ? "--out is for --shard" : "--shard needs --out FILE");
        }
        Explorer explorer = new Explorer(mem -> s.newRun(v, mem), bound, maxSteps, sel.memoryModel(), null)
                .maxExecutions(maxExecutions == null ? Long.MAX_VALUE : maxExecutions).timeLimit(limitMillis)
                .jobs(jobs == null ? Runtime.getRuntime().availableProcessors() : jobs);
        Explorer.Result r;
        boolean showProgress = progress != null ? progress : System.console() != null;
        if (shard != null) {
            try (SearchProgress p = SearchProgress.start(explorer, spec.commandLine().getErr(), showProgress,
                    System.console() != null)) {
                return saveShard(explorer, s, v, out);
            }
        } else if (merge != null) {
            java.util.List<Explorer.Shard> shards = readShards(s, v);
            try {
                r = explorer.merge(shards);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--merge: " + e.getMessage());
            }
        } else {
            try (SearchProgress p = SearchProgress.start(explorer, spec.commandLine().getErr(),
                    showProgress && bound == Explorer.UNBOUNDED, System.console() != null)) {
                r = explorer.explore();
            }
            if (Boolean.TRUE.equals(progress) && bound == Explorer.UNBOUNDED && !explorer.workers().isEmpty()) {
                StringBuilder w = new StringBuilder("  workers:");
                for (Explorer.Worker x : explorer.workers()) {
                    w.append(String.format(" [%,d executions in %d parts, %.1f s idle]", x.executions(), x.tasks(),
                            x.idleMillis() / 1000.0));
                }
                spec.commandLine().getErr().println(w);
            }
        }
        out.println(sel.header() + (sel.defaultModel() ? " (the default for " + s.id() + "; --memory-model picks another)" : ""));
        if (r.violated()) {
            Execution e = r.counterexample();
            String schedule = Schedule.format(e.choices());
            long pre = e.preemptions();
            long stale = e.staleReads();
            int rows = sel.rows(e);
            out.printf("counterexample with %d preemption%s and %d stale read%s, %d steps%s (after %d schedules, %d ms)%n%n",
                    pre, pre == 1 ? "" : "s", stale, stale == 1 ? "" : "s", e.steps().size(),
                    rows == e.steps().size() ? "" : ", " + rows + " rows below: uncontended lock steps folded (--all-steps shows them)",
                    r.schedules(), r.millis());
            sel.print(e, out);
            out.println("schedule: " + schedule);
            out.printf("replay:   tlbrace replay %s --variant %s --memory-model %s --schedule %s%n", s.id(), v.id(),
                    sel.memoryModel().id(), schedule);
            if (litmus != null) {
                writeLitmus(s, v, e, schedule, out);
            } else if (sel.memoryModel() == dev.tlbrace.harness.graph.MemoryModel.LKMM) {
                out.println("litmus:   add --litmus FILE to write it as a C litmus test for herd7 or tlbrace litmus");
            }
            if (html != null) {
                String title = s.id() + " / " + v.id() + " (" + v.commit() + ")";
                if (html.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(html.toAbsolutePath().getParent()); // the tour's results/ on a fresh clone
                }
                Files.writeString(html, HtmlTimeline.render(title, e, r.decisions(), schedule), StandardCharsets.UTF_8);
                out.println("html:     " + html);
            }
            return Main.FOUND;
        }
        if (litmus != null) {
            out.println("litmus:   not written: no counterexample");
        }
        if (!r.bounded()) {
            if (!r.exhaustive()) {
                // which executions ran before the limit depends on the jobs; how many does not
                out.printf("NOT exhaustive: no violation in %d executions, but %s (%d ms)%n", r.schedules(),
                        r.timedOut() ? "stopped at --time-limit " + timeLimit
                                : r.truncated() ? "stopped at --max-executions " + maxExecutions
                                : r.stepBoundHits() + " hit the step bound and " + r.errors() + " ended in an error",
                        r.millis());
                out.println(!r.truncated() ? "raise --max-steps"
                        : (r.timedOut() ? "raise --time-limit" : "raise --max-executions")
                        + " or drop it (no limit: the search runs to the end), or bound the search: --max-preemptions 2"
                        + (sel.memoryModel() != s.defaultMemoryModel()
                                ? ", or search under --memory-model " + s.defaultMemoryModel().id() : ""));
                return Main.FOUND;
            }
            out.printf("exhaustive: %d executions (%d pruned%s), no violation, every interleaving of %s under %s up to "
                    + "equivalence (%d ms)%n", r.schedules(), r.pruned(), r.blocked() == 0 ? "" : ", " + r.blocked() + " blocked",
                    v.id(), sel.memoryModel().id(), r.millis());
            return Main.OK;
        }
        out.printf("no violation in %d schedules with at most %d preemptions plus stale reads and %d steps each (%d ms)%n",
                r.schedules(), maxPreemptions, maxSteps, r.millis());
        if (!r.exhaustive()) {
            out.printf("NOT exhaustive: %d schedules hit the step bound, %d ended in an error; raise --max-steps%n",
                    r.stepBoundHits(), r.errors());
            return Main.FOUND;
        }
        out.println("exhaustive within that bound");
        return Main.OK;
    }

    /** A path a file can be written to: not a folder, and its parent a folder or creatable; else exit 2. */
    static void checkWritable(String option, Path p) {
        Path abs = p.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new BadInputException(option + ": " + p + " is a directory");
        }
        if (Files.exists(abs)) { // overwritten; /dev/stdout too
            if (!Files.isWritable(abs)) {
                throw new BadInputException(option + ": cannot write " + p + ": not writable");
            }
            return;
        }
        for (Path up = abs.getParent(); up != null; up = up.getParent()) {
            if (Files.exists(up)) {
                if (!Files.isDirectory(up)) {
                    throw new BadInputException(option + ": cannot write " + p + ": " + up + " is not a directory");
                }
                if (!Files.isWritable(up)) {
                    throw new BadInputException(option + ": cannot write " + p + ": " + up + " is not writable");
                }
                return;
            }
        }
    }

    /** {@code --litmus}: the counterexample as the smallest litmus test lkmm answers Sometimes for. */
    private void writeLitmus(Scenario s, Variant v, Execution e, String schedule, PrintWriter out) {
        if (!dev.tlbrace.harness.explore.LitmusExport.exportable(e)) {
            out.println("litmus:   not written: this counterexample carries no record of its accesses (merged from shards): "
                    + "run the search again without --merge");
            return;
        }
        var origin = new dev.tlbrace.harness.explore.LitmusExport.Origin(s.id(), v.id(),
                s.form().equals(s.baseForm()) ? null : s.form(), sel.memoryModel().id(), schedule, null);
        var x = dev.tlbrace.harness.litmus.CounterexampleLitmus.export(e, origin);
        if (litmus.toString().equals("-")) {
            out.println("litmus:   below (" + x.skeleton().name() + ", " + x.skeleton().cells().size() + " locations; "
                    + (x.sometimes() ? "tlbrace litmus answers Sometimes)" : "not checked: " + x.observed() + ")"));
            out.println();
            out.print(x.text());
            out.flush();
            return;
        }
        try {
            if (litmus.toAbsolutePath().getParent() != null) {
                Files.createDirectories(litmus.toAbsolutePath().getParent());
            }
            Files.writeString(litmus, x.text(), StandardCharsets.UTF_8);
        } catch (IOException io) {
            throw new BadInputException("--litmus: cannot write " + litmus + ": " + io.getMessage());
        }
        out.println("litmus:   " + litmus + " (" + x.skeleton().name() + ", " + x.skeleton().cells().size()
                + " locations; " + (x.sometimes() ? "tlbrace litmus " + litmus + " answers Sometimes)"
                : "not checked: " + x.observed() + "; herd7 solves for values instead)"));
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 500ms}, or plain seconds; bad input otherwise. */
    static long parseDuration(String option, String text) {
        java.util.regex.Matcher m = DURATION.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new BadInputException(option + " takes a positive duration, e.g. 90s, 10m or 1h; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1_000;
        };
    }

    /** What identifies a split search: a part of another one cannot be merged with it. */
    private java.util.Map<String, Object> runKey(Scenario s, Variant v) {
        java.util.Map<String, Object> k = new java.util.LinkedHashMap<>();
        k.put("scenario", s.id());
        k.put("variant", v.id());
        k.put("form", s.form());
        k.put("memoryModel", sel.memoryModel().id());
        k.put("maxSteps", maxSteps);
        k.put("maxExecutions", maxExecutions == null ? "none" : maxExecutions);
        return k;
    }

    private Integer saveShard(Explorer explorer, Scenario s, Variant v, PrintWriter out) throws IOException {
        ShardSpec sh = ShardSpec.parse(shard);
        int i = sh.index();
        int n = sh.count();
        long start = System.nanoTime();
        Explorer.Shard part = explorer.shard(i, n);
        // a small search may split into fewer top-level parts than shards: the others save an empty part
        java.util.Map<String, Object> doc = runKey(s, v);
        doc.put("shard", part);
        if (outFile.toAbsolutePath().getParent() != null) {
            Files.createDirectories(outFile.toAbsolutePath().getParent());
        }
        Files.writeString(outFile, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(doc),
                StandardCharsets.UTF_8);
        long execs = part.parts().stream().mapToLong(Explorer.Part::executions).sum();
        long stops = part.parts().stream().filter(p -> p.stop() != null).count();
        out.println(sel.header());
        long tops = part.parts().stream().mapToInt(Explorer.Part::subtree).distinct().count();
        out.printf("shard %d/%d: %d of %d subtrees (%d parts after hand-offs), %d executions%s (%d ms); saved %s%n", i, n,
                tops, part.subtrees(), part.parts().size(), execs, stops == 0 ? ", no violation" : ", " + stops + " stopped at a violation",
                (System.nanoTime() - start) / 1_000_000, outFile);
        out.println("merge:    tlbrace explore " + s.id() + " --variant " + v.id()
                + (s.form().equals(s.baseForm()) ? "" : " --form " + s.form()) + " --memory-model " + sel.memoryModel().id()
                + " --merge FILE...");
        return Main.OK;
    }

    private java.util.List<Explorer.Shard> readShards(Scenario s, Variant v) {
        java.util.Map<String, Object> key = runKey(s, v);
        com.google.gson.Gson gson = new com.google.gson.Gson();
        java.util.List<Explorer.Shard> shards = new java.util.ArrayList<>();
        for (Path f : merge) {
            com.google.gson.JsonObject doc;
            try {
                doc = com.google.gson.JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new BadInputException("--merge: cannot read " + f + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw new BadInputException("--merge: " + f + " is not a shard tlbrace saved (corrupt or truncated JSON)");
            }
            for (java.util.Map.Entry<String, Object> e : key.entrySet()) {
                com.google.gson.JsonElement got = doc.get(e.getKey());
                String was = got != null && got.isJsonPrimitive() ? got.getAsString() : null;
                if (!String.valueOf(e.getValue()).equals(was)) {
                    throw new BadInputException("--merge: " + f + " is a shard of another search: " + e.getKey() + " "
                            + (was == null ? "missing" : was) + ", this run's " + e.getValue());
                }
            }
            Explorer.Shard sh;
            try {
                sh = gson.fromJson(doc.get("shard"), Explorer.Shard.class);
            } catch (RuntimeException e) {
                sh = null;
            }
            if (sh == null || sh.parts() == null) {
                throw new BadInputException("--merge: " + f + " holds no shard");
            }
            shards.add(sh);
        }
        return shards; // Explorer.merge checks they are all N parts of one split
    }
}
