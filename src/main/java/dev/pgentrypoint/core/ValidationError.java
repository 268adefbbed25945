package dev.pgentrypoint.core;


/** One problem found before anything changed: the variable or file it concerns, and what to do. */
public record ValidationError(String subject, String message, ExitCode exitCode) {
    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
