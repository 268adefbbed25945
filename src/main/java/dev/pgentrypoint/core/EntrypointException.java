package dev.pgentrypoint.core;

/**
 * A failure of one step, carrying the step, the reason and the exit code it leads to. The reason is logged as
 * it is: one thrown over a failed command says the command and the end of its output itself.
 */
public class EntrypointException extends RuntimeException {
    private final String step;
    private final ExitCode exitCode;

    public EntrypointException(String step, ExitCode exitCode, String reason) {
        this(step, exitCode, reason, null);
    }

    public EntrypointException(String step, ExitCode exitCode, String reason, Throwable cause) {
        super(reason, cause);
        this.step = step;
        this.exitCode = exitCode;
    }

    public String step() {
        return step;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
