package dev.tlbrace.harness.gate;

/** The gate's word on one expected scenario x variant x form. */
public enum Grade {
    /** Fixed variant: the bad outcome was never seen. */
    PASS(false, false),
    /** Known bug: the bad outcome was seen, as it must be. */
    DETECTED(false, false),
    /** Fixed variant: the bad outcome (or an outcome the judge does not list) was seen. */
    FAIL_FORBIDDEN(true, false),
    /** Known bug: not seen. The harness lost its teeth. */
    FAIL_UNDETECTED(true, false),
    /** Expected but in no results: it did not run. */
    FAIL_MISSING(true, false),
    /** jcstress reported an error, a timeout, a crash, or no samples. */
    ERROR(true, false),
    /** More actors than CPUs: not run here. Never counted as passed. */
    SKIPPED(false, true),
    /**
     * Known bug that only weakly ordered CPUs can show, not seen on a TSO (x86) host: ran, but
     * proves nothing here. Never counted as passed; on arm64 it is FAIL_UNDETECTED.
     */
    UNREACHABLE_HERE(false, true);

    private final boolean failed;
    private final boolean skipped;

    Grade(boolean failed, boolean skipped) {
        this.failed = failed;
        this.skipped = skipped;
    }

    public boolean failed() { return failed; }

    public boolean skipped() { return skipped; }

    public boolean passed() { return !failed && !skipped; }
}
