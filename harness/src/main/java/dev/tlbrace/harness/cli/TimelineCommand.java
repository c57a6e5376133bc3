package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.ControlledScheduler;
import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.SimMemory;
import dev.tlbrace.harness.scenario.Scenario;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tlbrace timeline SCENARIO --variant V}: play the commit's interleaving. */
@Command(name = "timeline", mixinStandardHelpOptions = true,
        description = "Play the interleaving from the fixing commit's message against one variant and print it.")
final class TimelineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioSelection sel;

    @Override
    public Integer call() {
        Scenario s = sel.scenario();
        PrintWriter out = spec.commandLine().getOut();
        ControlledScheduler sched = new ControlledScheduler(10_000);
        Execution e = sched.run(s.newRun(sel.variant(), new SimMemory(sched, sel.memoryModel())),
                s.commitScript().chooser(s.roles()));
        out.printf("%s%n%n", sel.header());
        sel.print(e, out);
        return e.status() == Execution.Status.COMPLETED ? Main.OK : Main.FOUND;
    }
}
