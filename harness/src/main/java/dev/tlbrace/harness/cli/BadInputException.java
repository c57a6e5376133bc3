package dev.tlbrace.harness.cli;

/** Bad input from the user: one line on stderr, exit 2. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }
}
