package dev.tlbrace.harness.gate;

import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;

/**
 * One jcstress test the gate expects: a scenario x variant in one form.
 *
 * @param name     the jcstress test name (binary class name with dots)
 * @param scenario the race or canary, on this test's form ({@link Scenario#onForm})
 * @param variant  the protocol variant
 * @param form     the form's id: the base path ("zap"), another path ("migrate"), more actors ("two-vcpu")
 * @param actors   number of @Actor methods; jcstress skips tests with more than the CPUs
 * @param required whether the test must run on every machine (every 2-actor form)
 */
public record StressTest(String name, Scenario scenario, Variant variant, String form, int actors, boolean required) {

    /** {@code scenario/variant}, plus the form unless it is the base one: what {@code --race} matches. */
    public String id() {
        return scenario.id() + "/" + variant.id() + (form.equals(scenario.baseForm()) ? "" : "/" + form);
    }

    /** What the variant is known to do on this form. */
    public dev.tlbrace.harness.scenario.Expectation expectation() {
        return scenario.expectation(variant);
    }
}
