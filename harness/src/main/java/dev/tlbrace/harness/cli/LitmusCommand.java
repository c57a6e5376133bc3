package dev.tlbrace.harness.cli;

import com.google.gson.GsonBuilder;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusExplore;
import dev.tlbrace.harness.litmus.LitmusJudge;
import dev.tlbrace.harness.litmus.LitmusJudge.Verdict;
import dev.tlbrace.harness.litmus.LitmusProgram;
import dev.tlbrace.harness.litmus.LitmusReader;
import dev.tlbrace.harness.litmus.LitmusWitness;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tlbrace litmus FILE|DIR...}: the kernel's C (and LISA) litmus tests on the
 * execution-graph memory models, each judged against its Result comment as the kernel's
 * judgelitmus.sh judges herd7's output. Exhaustive: no bound.
 */
@Command(name = "litmus", mixinStandardHelpOptions = true,
        description = {"Run litmus tests (herd7's C and LISA formats) under lkmm, sc, tso or armv8, exhaustively, and compare "
                + "each with its Result comment.",
            "Exit 0: every test agrees (or has no Result); 1: a disagreement; 2: a file that could not be read or run "
                + "(every other file still gets its verdict)."})
final class LitmusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "*.litmus files, or folders searched for them")
    List<Path> files = new ArrayList<>();

    @Option(names = "--files-from", paramLabel = "LIST", description = "also read the files named in LIST, one path per line")
    Path filesFrom;

    @Option(names = "--paths", description = "name each test by its file's path instead of its name")
    boolean paths;

    @Option(names = "--memory-model", paramLabel = "M", defaultValue = "lkmm", description = "lkmm, sc, tso or armv8 (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--json", description = "print the results as JSON instead")
    boolean json;

    @Option(names = "--herd", description = "print herd7's output format (States, Positive/Negative, Flag, Observation); counts every execution")
    boolean herd;

    @Option(names = "--no-witness", description = "print the witnessing execution of a Sometimes only on a disagreement")
    boolean noWitness;

    @Option(names = "--table", description = "end with agreement by folder and by test family")
    boolean table;

    @Option(names = "--engine", paramLabel = "E", defaultValue = "check",
            description = "check: the litmus checker (every graph, by enumeration; the default); explore: each test as an "
                + "explorer program, its CPUs roles on the scenarios' memory API, searched exhaustively by the explorer")
    String engine;

    @Option(names = "--compare", description = "run every test through both engines and print where they differ, each "
            + "difference classified (needs dependencies, needs load buffering, or a bug of the explorer), then a table "
            + "by folder and family; exit 1 on a bug")
    boolean compare;

    @Option(names = "--explore-without-dependencies", description = "--engine explore, --compare: give the explorer's "
            + "graphs no addr/data/ctrl dependencies, as the scenarios' graphs have none")
    boolean withoutDependencies;

    @Option(names = "--time-limit", paramLabel = "S", defaultValue = "0",
            description = "--engine explore, --compare: seconds per test before the explorer's search is refused as not exhaustive (0: none)")
    int timeLimit;

    @Override
    public Integer call() throws IOException {
        MemoryModels.Model m;
        try {
            m = MemoryModels.byId(model);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        boolean explore = switch (engine) {
            case "check" -> false;
            case "explore" -> true;
            default -> throw new BadInputException("unknown engine '" + engine + "'; valid: check, explore");
        };
        if (explore && herd) {
            throw new BadInputException("--herd counts every execution of the checker; --engine explore has no such count");
        }
        List<Path> inputs = new ArrayList<>(files);
        if (filesFrom != null) {
            if (!Files.isRegularFile(filesFrom)) {
                throw new BadInputException("no such list: " + filesFrom);
            }
            for (String line : Files.readAllLines(filesFrom, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    inputs.add(Path.of(line.strip()));
                }
            }
        }
        if (inputs.isEmpty()) {
            throw new BadInputException("no litmus file given");
        }
        List<Path> paths = new ArrayList<>();
        for (Path f : inputs) {
            if (Files.isDirectory(f)) {
                try (Stream<Path> s = Files.walk(f)) {
                    s.filter(p -> p.toString().endsWith(".litmus") && Files.isRegularFile(p)).sorted().forEach(paths::add);
                }
            } else if (Files.isRegularFile(f)) {
                paths.add(f);
            } else {
                throw new BadInputException("no such litmus file: " + f);
            }
        }
        if (paths.isEmpty()) {
            throw new BadInputException("no .litmus file in " + inputs);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (compare) {
            return LitmusCompare.run(paths, m, timeLimit * 1000L, !withoutDependencies, out, err);
        }
        int agree = 0;
        int disagree = 0;
        int noResult = 0;
        List<String> errors = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, int[]> byFolder = new TreeMap<>();
        Map<String, int[]> byFamily = new TreeMap<>();
        long start = System.nanoTime();
        for (Path f : paths) {
            LitmusCheck.Outcome o;
            try {
                LitmusAst.Test t = LitmusReader.read(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
                o = explore ? LitmusExplore.run(t, dev.tlbrace.harness.graph.MemoryModel.byId(m.id()), timeLimit * 1000L, !withoutDependencies)
                        : LitmusCheck.run(t, m, herd);
            } catch (LitmusReader.LitmusSyntaxError e) {
                errors.add(e.getMessage());
                err.println(e.getMessage());
                continue;
            } catch (LitmusProgram.Unsupported e) {
                String msg = f + ":" + (e.line() > 0 ? e.line() + ":" : "") + " " + e.getMessage();
                errors.add(msg);
                err.println(msg);
                continue;
            } catch (IndexOutOfBoundsException e) {
                String msg = f + ": a primitive is missing an argument";
                errors.add(msg);
                err.println(msg);
                continue;
            }
            LitmusJudge.Judged j = LitmusJudge.judge(o);
            switch (j.verdict()) {
                case AGREE -> agree++;
                case DISAGREE -> disagree++;
                default -> noResult++;
            }
            if (j.verdict() != Verdict.NO_RESULT) {
                String folder = f.getParent() == null ? "." : f.getParent().getFileName().toString();
                tally(byFolder, folder, j.verdict());
                tally(byFamily, family(o.test().name()), j.verdict());
            }
            if (json) {
                rows.add(row(f, o, j));
            } else if (herd) {
                herdBlock(out, o);
            } else {
                print(out, o, j, this.paths ? f.toString() : o.test().name());
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String summary = agree + " agree, " + disagree + " disagree, " + noResult + " without Result, "
                + errors.size() + " errors (" + m.id() + (explore ? ", explore" : "") + ", exhaustive, " + paths.size() + " files, " + ms + " ms)";
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("memoryModel", m.id());
            all.put("tests", rows);
            all.put("errors", errors);
            all.put("summary", summary);
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(all));
        } else {
            if (table) {
                printTable(out, "folder", byFolder);
                printTable(out, "family", byFamily);
            }
            out.println(summary);
        }
        if (!errors.isEmpty()) {
            return Main.BAD_INPUT;
        }
        return disagree > 0 ? Main.FOUND : Main.OK;
    }

    private void print(PrintWriter out, LitmusCheck.Outcome o, LitmusJudge.Judged j, String name) {
        String verdict = switch (j.verdict()) {
            case AGREE -> "agree" + (j.why().isEmpty() ? "" : " (" + j.why() + ")");
            case DISAGREE -> "DISAGREE" + (j.why().isEmpty() ? "" : " (" + j.why() + ")");
            default -> "no Result";
        };
        String flags = o.flags().isEmpty() ? "" : " [" + String.join(", ", o.flags()) + "]";
        out.printf("%-56s observed %-9s%s  expected %-9s  %s  %d ms%n", name, o.observed(), flags,
                j.expected(), verdict, o.millis());
        boolean show = o.witness() != null && !o.observed().equals("Never")
                && (!noWitness || j.verdict() == Verdict.DISAGREE);
        if (show) {
            out.print(LitmusWitness.render(o.witness()));
        }
    }

    /** herd7's block for one test, enough for scripts that read its Observation lines. */
    private static void herdBlock(PrintWriter out, LitmusCheck.Outcome o) {
        LitmusAst.Test t = o.test();
        String kind = switch (t.quantifier()) {
            case FORALL -> "Required";
            default -> "Allowed";
        };
        out.println("Test " + t.name() + " " + kind);
        out.println("States " + o.finalStates().size());
        o.finalStates().forEach(out::println);
        boolean ok = switch (t.quantifier()) {
            case EXISTS -> o.positive() > 0;
            case NOT_EXISTS -> o.positive() == 0;
            case FORALL -> o.negative() == 0;
        };
        out.println(ok ? "Ok" : "No");
        out.println("Witnesses");
        out.println("Positive: " + o.positive() + " Negative: " + o.negative());
        o.flags().forEach(fl -> out.println("Flag " + fl));
        String q = switch (t.quantifier()) {
            case EXISTS -> "exists";
            case NOT_EXISTS -> "~exists";
            case FORALL -> "forall";
        };
        out.println("Condition " + q + " " + LitmusWitness.show(t.condition()));
        out.println("Observation " + t.name() + " " + o.observed() + " " + o.positive() + " " + o.negative());
        out.printf("Time %s %.2f%n", t.name(), o.millis() / 1000.0);
        out.println();
    }

    private static void tally(Map<String, int[]> m, String key, Verdict v) {
        int[] c = m.computeIfAbsent(key, k -> new int[2]);
        c[v == Verdict.AGREE ? 0 : 1]++;
    }

    /** The test's shape: its name without a "C-" prefix, up to the first '+' (Z6.1, IRWIW, MP, ...). */
    static String family(String name) {
        String n = name.startsWith("C-") ? name.substring(2) : name;
        int plus = n.indexOf('+');
        return plus > 0 ? n.substring(0, plus) : "(no shape in the name)";
    }

    private static void printTable(PrintWriter out, String what, Map<String, int[]> m) {
        out.printf("%-28s %7s %9s %8s%n", what, "agree", "disagree", "agree %");
        m.forEach((k, c) -> out.printf("%-28s %7d %9d %7.1f%%%n", k, c[0], c[1], 100.0 * c[0] / (c[0] + c[1])));
    }

    private static Map<String, Object> row(Path f, LitmusCheck.Outcome o, LitmusJudge.Judged j) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", f.toString());
        r.put("name", o.test().name());
        r.put("observed", o.observed());
        r.put("expected", j.expected());
        r.put("verdict", j.verdict().name().toLowerCase().replace('_', ' '));
        r.put("positive", o.positive());
        r.put("negative", o.negative());
        r.put("flags", List.copyOf(o.flags()));
        r.put("millis", o.millis());
        return r;
    }
}
