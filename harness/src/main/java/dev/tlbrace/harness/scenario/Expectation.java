package dev.tlbrace.harness.scenario;

/** What a protocol variant is known to do with respect to its scenario's bad outcome. */
public enum Expectation {
    /** The bad outcome is reachable; every engine must find it (the harness has teeth). */
    KNOWN_BUG,
    /** The bad outcome must never be seen. */
    FIXED;

    public String label() {
        return this == KNOWN_BUG ? "known bug" : "fixed";
    }
}
