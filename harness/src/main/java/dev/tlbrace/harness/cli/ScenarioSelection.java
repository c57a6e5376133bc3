package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.io.PrintWriter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** SCENARIO --variant V [--all-steps], and how a one-execution command prints its result. */
final class ScenarioSelection {
    @Parameters(index = "0", paramLabel = "SCENARIO", completionCandidates = ScenarioIds.class,
            description = "one of: ${COMPLETION-CANDIDATES} (see: tlbrace list)")
    String scenarioId;

    @Option(names = "--variant", required = true, paramLabel = "V", description = "protocol variant (see: tlbrace list)")
    String variantId;

    @Option(names = "--form", paramLabel = "F",
            description = "the invalidation path or actor form (zap, migrate, cow, change-protection ...; see: tlbrace list)")
    String formId;

    @Option(names = "--all-steps", description = "also show uncontended lock/unlock steps")
    boolean allSteps;

    @Option(names = "--memory-model", paramLabel = "M",
            description = "sc, tso, lkmm or armv8: which stores a load may read (default: the scenario's, see tlbrace list: "
                    + "sc for the races, lkmm for the canaries)")
    String memoryModelId;

    /** The model asked for, else the scenario's default ({@link Scenario#defaultMemoryModel}). */
    MemoryModel memoryModel() {
        return memoryModelId == null ? scenario().defaultMemoryModel() : MemoryModel.byId(memoryModelId);
    }

    /** Whether the model is the scenario's default, not one the user asked for. */
    boolean defaultModel() {
        return memoryModelId == null;
    }

    Scenario scenario() {
        return Scenarios.byId(scenarioId).onForm(formId);
    }

    Variant variant() {
        return scenario().variant(variantId);
    }

    /** {@code scenario / variant [/ form] (expectation, commit)}. */
    String header() {
        Scenario s = scenario();
        Variant v = variant();
        return s.id() + " / " + v.id() + (s.form().equals(s.baseForm()) ? "" : " / " + s.form())
                + " (" + s.expectation(v).label() + (s.expectation(v) != v.expectation() ? " on this path" : "") + ", "
                + v.commit() + "), memory model " + memoryModel().id();
    }

    /** The timeline, then the outcome with its violations and values. */
    int rows(Execution e) {
        return Timeline.rows(e, allSteps);
    }

    void print(Execution e, PrintWriter out) {
        out.print(Timeline.render(e, allSteps));
        out.println();
        if (e.status() != Execution.Status.COMPLETED) {
            out.println("outcome: " + e.status() + (e.status() == Execution.Status.DEADLOCK
                    ? " (every live role waits on another)" : e.error() == null ? "" : " " + e.error()));
            return;
        }
        out.println("outcome: " + e.verdict().outcome()
                + (e.verdict().bad() ? "  (" + scenario().invariant() + ")" : ""));
        e.verdict().violations().forEach(x -> out.println("  " + x));
        out.println("  " + e.verdict().detail());
    }

    /** Every scenario id of the registry, races then canaries, for --help and shell completion. */
    static final class ScenarioIds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return dev.tlbrace.harness.scenario.Scenarios.everything().stream()
                    .map(dev.tlbrace.harness.scenario.Scenario::id).iterator();
        }
    }
}
