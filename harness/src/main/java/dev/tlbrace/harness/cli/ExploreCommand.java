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
        description = {"Explore every interleaving at trace points within a preemption bound.",
            "Exit 1 with the shortest counterexample (timeline + schedule), 0 if none within the bound, 2 on bad input."})
final class ExploreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioSelection sel;

    @Option(names = "--max-preemptions", paramLabel = "N", defaultValue = "2",
            description = "bound on preemptions plus stale reads per schedule (default ${DEFAULT-VALUE})")
    int maxPreemptions;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "400",
            description = "steps per schedule before it counts as cut short (default ${DEFAULT-VALUE})")
    int maxSteps;

    @Option(names = "--html", paramLabel = "FILE", description = "write the counterexample as one self-contained HTML page")
    Path html;

    @Override
    public Integer call() throws IOException {
        if (maxPreemptions < 0 || maxPreemptions > 6) {
            throw new BadInputException("--max-preemptions must be 0..6, got " + maxPreemptions);
        }
        if (maxSteps < 1) {
            throw new BadInputException("--max-steps must be positive, got " + maxSteps);
        }
        Scenario s = sel.scenario();
        Variant v = sel.variant();
        PrintWriter out = spec.commandLine().getOut();
        Explorer.Result r = new Explorer(s, v, maxPreemptions, maxSteps, sel.memoryModel(), null).explore();
        out.println(sel.header());
        if (r.violated()) {
            Execution e = r.counterexample();
            String schedule = Schedule.format(e.choices());
            long pre = e.preemptions();
            long stale = e.staleReads();
            out.printf("counterexample with %d preemption%s and %d stale read%s, %d steps (after %d schedules, %d ms)%n%n",
                    pre, pre == 1 ? "" : "s", stale, stale == 1 ? "" : "s", e.steps().size(), r.schedules(), r.millis());
            sel.print(e, out);
            out.println("schedule: " + schedule);
            out.printf("replay:   tlbrace replay %s --variant %s --memory-model %s --schedule %s%n", s.id(), v.id(),
                    sel.memoryModel().id(), schedule);
            if (html != null) {
                String title = s.id() + " / " + v.id() + " (" + v.commit() + ")";
                Files.writeString(html, HtmlTimeline.render(title, e, r.decisions(), schedule), StandardCharsets.UTF_8);
                out.println("html:     " + html);
            }
            return Main.FOUND;
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
