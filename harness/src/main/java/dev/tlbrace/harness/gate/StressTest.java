package dev.tlbrace.harness.gate;

import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;

/**
 * One jcstress test the gate expects: a scenario x variant in one actor form.
 *
 * @param name     the jcstress test name (binary class name with dots)
 * @param scenario the race or canary
 * @param variant  the protocol variant
 * @param form     "2 actors", or what an extra form adds ("two vCPUs")
 * @param actors   number of @Actor methods; jcstress skips tests with more than the CPUs
 * @param required whether the test must run on every machine (every 2-actor form)
 */
public record StressTest(String name, Scenario scenario, Variant variant, String form, int actors, boolean required) {

    /** {@code scenario/variant}, plus the form for extras: what {@code --race} matches. */
    public String id() {
        return scenario.id() + "/" + variant.id() + (required ? "" : "/" + form);
    }
}
