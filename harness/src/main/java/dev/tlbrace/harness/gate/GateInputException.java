package dev.tlbrace.harness.gate;

/** Missing, empty, truncated or corrupt results: the gate cannot grade (exit 2). */
public final class GateInputException extends RuntimeException {
    public GateInputException(String message) {
        super(message);
    }
}
