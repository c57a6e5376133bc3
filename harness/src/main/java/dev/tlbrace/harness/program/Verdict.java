package dev.tlbrace.harness.program;

import dev.tlbrace.model.check.Violation;
import java.util.List;

/**
 * The judge's word on one run.
 *
 * @param outcome    the outcome id, as jcstress reports it ({@code FRESH}, {@code STALE_APIC_ACCESS_ADDR})
 * @param bad        whether the outcome breaks the scenario's invariant
 * @param violations what the oracles saw, empty for a good outcome
 * @param detail     the values that matter, one line
 */
public record Verdict(String outcome, boolean bad, List<Violation> violations, String detail) {
    public Verdict {
        violations = List.copyOf(violations);
    }
}
