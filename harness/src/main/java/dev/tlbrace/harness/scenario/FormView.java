package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.model.sync.Memory;
import java.util.List;

/**
 * A race on one of its other forms: everything as the base scenario says, but worlds built by
 * the form, and a known bug the form cannot show expected clean. Engines take it as any scenario.
 */
final class FormView implements Scenario {
    private final Scenario base;
    private final Form form;

    FormView(Scenario base, Form form) {
        this.base = base;
        this.form = form;
    }

    @Override public String id() { return base.id(); }

    @Override public String title() { return base.title() + ", " + form.label(); }

    @Override public String invariant() { return base.invariant(); }

    @Override public String badOutcome() { return base.badOutcome(); }

    @Override public List<Outcome> outcomes() { return base.outcomes(); }

    @Override public List<Outcome> outcomes(Variant v) { return base.outcomes(v); }

    /** Only the variants the form runs. */
    @Override public List<Variant> variants() {
        return form.variants().stream().map(base::variant).toList();
    }

    @Override public List<String> roles() {
        return newRun(variants().get(0), Memory.hardware()).roles().stream().map(Role::name).toList();
    }

    @Override public ScenarioRun newRun(Variant variant, Memory mem) { return form.run().apply(variant, mem); }

    @Override public ScenarioRun stressRun(Variant variant, Memory mem) { return newRun(variant, mem); }

    @Override public List<Form> extraForms() { return base.extraForms(); }

    @Override public String baseForm() { return base.baseForm(); }

    @Override public MemoryModel defaultMemoryModel() { return base.defaultMemoryModel(); }

    @Override public String form() { return form.id(); }

    @Override public Expectation expectation(Variant v) {
        return form.fixedHere(v.id()) ? Expectation.FIXED : v.expectation();
    }

    @Override public Scenario onForm(String formId) { return base.onForm(formId); }

    /** The commit's interleaving is written against the base form's path. */
    @Override public Script commitScript() {
        throw new IllegalArgumentException("the commit's interleaving is scripted on the " + base.baseForm()
                + " form; on " + form.id() + " use explore");
    }
}
