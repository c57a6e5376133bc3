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

    @Option(names = "--max-executions", paramLabel = "N", defaultValue = "100000",
            description = "executions the exhaustive search may run before it stops, NOT exhaustive (default ${DEFAULT-VALUE})")
    long maxExecutions;

    @Option(names = "--jobs", paramLabel = "N",
            description = "threads for the exhaustive search (default: the CPU count); the result is the same for any N")
    Integer jobs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "400",
            description = "steps per schedule before it counts as cut short (default ${DEFAULT-VALUE})")
    int maxSteps;

    @Option(names = "--html", paramLabel = "FILE", description = "write the counterexample as one self-contained HTML page")
    Path html;

    @Override
    public Integer call() throws IOException {
        if (maxPreemptions != null && (maxPreemptions < 0 || maxPreemptions > 6)) {
            throw new BadInputException("--max-preemptions must be 0..6, got " + maxPreemptions);
        }
        if (maxExecutions < 1) {
            throw new BadInputException("--max-executions must be positive, got " + maxExecutions);
        }
        if (jobs != null && jobs < 1) {
            throw new BadInputException("--jobs must be positive, got " + jobs);
        }
        if (maxSteps < 1) {
            throw new BadInputException("--max-steps must be positive, got " + maxSteps);
        }
        Scenario s = sel.scenario();
        Variant v = sel.variant();
        PrintWriter out = spec.commandLine().getOut();
        int bound = maxPreemptions == null ? Explorer.UNBOUNDED : maxPreemptions;
        Explorer.Result r = new Explorer(s, v, bound, maxSteps, sel.memoryModel(), null).maxExecutions(maxExecutions)
                .jobs(jobs == null ? Runtime.getRuntime().availableProcessors() : jobs).explore();
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
        if (!r.bounded()) {
            if (!r.exhaustive()) {
                // which executions ran before the limit depends on the jobs; how many does not
                out.printf("NOT exhaustive: no violation in %d executions, but %s (%d ms)%n", r.schedules(),
                        r.truncated() ? "stopped at --max-executions " + maxExecutions
                                : r.stepBoundHits() + " hit the step bound and " + r.errors() + " ended in an error",
                        r.millis());
                out.println(!r.truncated() ? "raise --max-steps"
                        : "raise --max-executions, or bound the search: --max-preemptions 2"
                        + (sel.memoryModel() != s.defaultMemoryModel()
                                ? ", or search under --memory-model " + s.defaultMemoryModel().id() : ""));
                return Main.FOUND;
            }
            out.printf("exhaustive: %d executions (%d pruned), no violation, every interleaving of %s under %s up to "
                    + "equivalence (%d ms)%n", r.schedules(), r.pruned(), v.id(), sel.memoryModel().id(), r.millis());
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
}
