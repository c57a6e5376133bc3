package dev.tlbrace.harness.program;

import java.util.List;

/** A fresh world for one variant, its roles, and the judge that names the outcome. */
public interface ScenarioRun {

    /** The roles in a fixed order; each runs once. */
    List<Role> roles();

    /**
     * Called once all roles have returned: lets the system reach quiescence (a kicked vCPU
     * re-enters, a device retries once more) with no concurrency, then applies the oracles.
     */
    Verdict judge();
}
