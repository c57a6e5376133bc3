package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.ControlledScheduler;
import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tlbrace timeline SCENARIO --variant V}: play the commit's interleaving. */
@Command(name = "timeline", mixinStandardHelpOptions = true,
        description = "Play the interleaving from the fixing commit's message against one variant and print it.")
final class TimelineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "apic-access-reload or smmu-stale-readonly")
    String scenario;

    @Option(names = "--variant", required = true, paramLabel = "V", description = "protocol variant (see: tlbrace list)")
    String variant;

    @Option(names = "--all-steps", description = "also show uncontended lock/unlock steps")
    boolean allSteps;

    @Override
    public Integer call() {
        Scenario s = Scenarios.byId(scenario);
        Variant v = s.variant(variant);
        PrintWriter out = spec.commandLine().getOut();
        ControlledScheduler sched = new ControlledScheduler(10_000);
        Execution e = sched.run(s.newRun(v, sched), s.commitScript().chooser(s.roles()));
        out.printf("%s / %s (%s, %s)%n%n", s.id(), v.id(), v.expectation().label(), v.commit());
        out.print(Timeline.render(e, allSteps));
        out.println();
        if (e.status() != Execution.Status.COMPLETED) {
            out.println("execution did not complete: " + e.status() + (e.error() == null ? "" : " " + e.error()));
            return Main.FOUND;
        }
        out.printf("outcome: %s%s%n", e.verdict().outcome(), e.verdict().bad() ? "  (" + s.invariant() + ")" : "");
        e.verdict().violations().forEach(x -> out.println("  " + x));
        out.println("  " + e.verdict().detail());
        return Main.OK;
    }
}
