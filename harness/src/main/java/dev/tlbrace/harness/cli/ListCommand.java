package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tlbrace list}: every scenario x variant with its expectation, commit and roles. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List scenarios and protocol variants: expectation, kernel commit, actor roles.")
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String fmt = "%-25s %-28s %-10s %-27s %s%n";
        out.printf(fmt, "SCENARIO", "VARIANT", "EXPECT", "COMMIT", "ROLES");
        for (Scenario s : Scenarios.all()) {
            for (Variant v : s.variants()) {
                out.printf(fmt, s.id(), v.id(), v.expectation().label(), v.commit(), String.join(", ", s.roles()));
            }
        }
        out.println();
        for (Scenario s : Scenarios.all()) {
            out.printf("%s: %s%n  bad outcome %s; %s%n  default memory model %s%n", s.id(), s.title(),
                    String.join(" or ", s.badOutcomes()), s.invariant(), s.defaultMemoryModel().id());
            for (Variant v : s.variants()) {
                out.printf("  %-28s %s%n", v.id(), v.summary());
            }
            out.printf("  form %-23s the base path%n", s.baseForm());
            for (Scenario.Form f : s.extraForms()) {
                out.printf("  form %-23s %s%s%n", f.id(), f.label(),
                        f.bugUnreachable() == null ? "" : "; " + (f.fixedHere() == null ? "known bugs"
                                : String.join(", ", f.fixedHere())) + " graded as fixes here: " + f.bugUnreachable());
            }
        }
        out.println();
        out.println("canaries (deliberately broken primitives; the gate demands jcstress sees them; default memory model "
                + Scenarios.canaries().stream().map(s -> s.defaultMemoryModel().id()).distinct()
                        .collect(java.util.stream.Collectors.joining(", ")) + "):");
        for (Scenario s : Scenarios.canaries()) {
            for (Variant v : s.variants()) {
                out.printf("  %-25s %-16s %-10s %s%n", s.id(), v.id(), v.expectation().label(), v.summary());
            }
        }
        return Main.OK;
    }
}
