package dev.tlbrace.model.check;

/**
 * An invariant that does not hold, named as in docs/kernel.md (A1, B3, N1 ...).
 *
 * @param invariant the invariant's short name
 * @param detail    what was seen, with the values that matter
 */
public record Violation(String invariant, String detail) {
    @Override
    public String toString() {
        return invariant + ": " + detail;
    }
}
