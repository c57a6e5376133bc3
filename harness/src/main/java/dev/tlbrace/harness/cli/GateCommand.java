package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.gate.GateReport;
import dev.tlbrace.harness.gate.Grader;
import dev.tlbrace.harness.gate.JcstressResults;
import dev.tlbrace.harness.gate.StressTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tlbrace gate RESULTS...}: regrade saved results without running anything. Several
 * directories (shards of {@code hunt --race}) are merged; an expected test in no shard fails.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Grade saved jcstress results (hunt --results directories or .bin.gz files); shards merge.",
            "Exit 0: green; 1: the gate failed; 2: missing, empty, truncated or corrupt results, or bad input."})
final class GateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RESULTS", description = "results directories or jcstress-results-*.bin.gz files")
    List<Path> inputs;

    @Option(names = "--race", paramLabel = "REGEX", description = "expect only the tests this selects (default: all)")
    String race;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write the verdict as JUnit XML")
    Path junitXml;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<StressTest> expected = HuntCommand.select(race);
        JcstressResults res = JcstressResults.read(inputs);
        int cpus = res.minCpus(Runtime.getRuntime().availableProcessors());
        Grader.Verdict v = Grader.grade(expected, res.byTest(), cpus);
        GateReport.printTable(v, out);
        if (junitXml != null) {
            GateReport.writeJunitXml(v, junitXml);
        }
        return v.green() ? Main.OK : Main.FOUND;
    }
}
