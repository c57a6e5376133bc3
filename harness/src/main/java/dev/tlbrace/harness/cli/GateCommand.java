package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.gate.Engine;
import dev.tlbrace.harness.gate.ExplorerEngine;
import dev.tlbrace.harness.gate.GateReport;
import dev.tlbrace.harness.gate.Grader;
import dev.tlbrace.harness.gate.JcstressResults;
import dev.tlbrace.harness.gate.RunManifest;
import dev.tlbrace.harness.gate.StressTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tlbrace gate RESULTS...}: regrade saved results without running anything. Several
 * directories (shards of {@code hunt --race}) are merged; an expected test in no shard fails.
 * Without {@code --race} the expected tests are those the runs' manifests say they selected
 * (a test selected but not in the results fails), or the whole registry without manifests.
 * The engines are those the manifests record (jcstress alone for results from before
 * engines were recorded): the explorer's verdicts are read from each directory's
 * {@value ExplorerEngine#FILE}, jcstress's from its {@code *.bin.gz}.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Grade saved jcstress results (hunt --results directories or .bin.gz files); shards merge.",
            "Exit 0: green; 1: the gate failed; 2: missing, empty, truncated or corrupt results, or bad input."})
final class GateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RESULTS", description = "results directories or jcstress-results-*.bin.gz files")
    List<Path> inputs;

    @Option(names = "--race", paramLabel = "REGEX",
            description = "expect only the tests this selects (default: what the runs' manifests selected, else all)")
    String race;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write the verdict as JUnit XML")
    Path junitXml;

    /** The explorer's verdicts of every run that used it, merged; a run that used it and left none is bad input. */
    private Map<String, Grader.Cell> explorerResults(List<RunManifest> manifests) {
        Map<String, Grader.Cell> out = new java.util.HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Path in = inputs.get(i);
            Map<String, Grader.Cell> cells = java.nio.file.Files.isDirectory(in) ? ExplorerEngine.load(in) : null;
            RunManifest m = java.nio.file.Files.isDirectory(in) ? RunManifest.read(in) : null;
            if (cells == null && m != null && m.engines().contains(Engine.EXPLORER)) {
                throw new dev.tlbrace.harness.gate.GateInputException("no explorer results (" + ExplorerEngine.FILE + ") in "
                        + in + ", whose run used the explorer");
            }
            if (cells != null) {
                out.putAll(cells);
            }
        }
        return out;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<RunManifest> manifests = new java.util.ArrayList<>();
        for (Path in : inputs) {
            RunManifest m = java.nio.file.Files.isDirectory(in) ? RunManifest.read(in) : null;
            if (m != null) {
                manifests.add(m);
            }
        }
        java.util.Set<Engine> engines = java.util.EnumSet.noneOf(Engine.class);
        manifests.forEach(m -> engines.addAll(m.engines()));
        if (manifests.size() < inputs.size()) {
            engines.add(Engine.JCSTRESS); // a results file, or a directory without a manifest: jcstress's
        }
        JcstressResults res = engines.contains(Engine.JCSTRESS) ? JcstressResults.read(inputs) : null;
        Map<String, Grader.Cell> model = engines.contains(Engine.EXPLORER) ? explorerResults(manifests) : null;
        List<StressTest> expected = HuntCommand.select(race);
        boolean fromManifests = race == null && !manifests.isEmpty() && manifests.size() == inputs.size();
        if (fromManifests) {
            // each run recorded what it selected: grade that, so a --race shard is not all FAIL_MISSING
            java.util.Set<String> selected = new java.util.HashSet<>();
            manifests.forEach(m -> selected.addAll(m.selected()));
            List<StressTest> chosen = expected.stream().filter(t -> selected.contains(t.name())).toList();
            List<StressTest> unselected = expected.stream().filter(t -> !selected.contains(t.name())).toList();
            if (!chosen.isEmpty()) {
                expected = chosen;
                if (!unselected.isEmpty()) {
                    out.printf("graded the %d tests these runs selected; %d registry tests were selected by none of them "
                            + "(pass --race . to demand them): %s%n%n", chosen.size(), unselected.size(),
                            String.join(", ", unselected.stream().map(StressTest::id).toList()));
                }
            }
        }
        int cpus = manifests.stream().mapToInt(RunManifest::cpus).min().orElse(Runtime.getRuntime().availableProcessors());
        Grader.Verdict v = Grader.grade(expected, res == null ? null : res.byTest(), model, cpus, Grader.hostIsTso());
        GateReport.printTable(v, out);
        if (junitXml != null) {
            GateReport.writeJunitXml(v, junitXml);
        }
        return v.green() ? Main.OK : Main.FOUND;
    }
}
