package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.ControlledScheduler;
import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Schedule;
import dev.tlbrace.harness.explore.SimMemory;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tlbrace replay SCENARIO --variant V --schedule S}: run one schedule exactly. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay a schedule string printed by explore and print its timeline.",
            "Exit 1 if it ends in a bad outcome, 0 if clean, 2 if the schedule does not fit."})
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioSelection sel;

    @Option(names = "--schedule", required = true, paramLabel = "S", description = "ROLE:COUNT runs joined by dots, ~K for a read of the K-th newest store")
    String schedule;

    @Override
    public Integer call() {
        Scenario s = sel.scenario();
        Variant v = sel.variant();
        Schedule.Parsed parsed = Schedule.parse(schedule, s.roles().size());
        PrintWriter out = spec.commandLine().getOut();
        ControlledScheduler sched = new ControlledScheduler(parsed.steps() + 1);
        Execution e;
        try {
            e = sched.run(s.newRun(v, new SimMemory(sched, sel.memoryModel())), Schedule.exact(parsed, s.roles()));
        } catch (Schedule.ScheduleMismatch m) {
            throw new BadInputException(m.getMessage());
        }
        if (e.status() == Execution.Status.COMPLETED && e.steps().size() < parsed.steps()) {
            throw new BadInputException("schedule has " + parsed.steps() + " steps but the roles finished after "
                    + e.steps().size());
        }
        out.printf("%s, schedule %s%n%n", sel.header(), schedule);
        sel.print(e, out);
        return e.status() == Execution.Status.COMPLETED && !e.verdict().bad() ? Main.OK : Main.FOUND;
    }
}
