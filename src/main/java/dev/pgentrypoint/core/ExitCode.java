package dev.pgentrypoint.core;

/** Exit codes of the entrypoint; numbers are public API and frozen (docs/operations.md). */
public enum ExitCode {
    /** Success, or a clean shutdown. */
    SUCCESS(0),
    /** Invalid configuration or input; nothing was changed on disk. */
    INVALID_INPUT(1),
    /** Initialization failed. */
    INIT_FAILED(2),
    /** A failure at runtime. */
    RUNTIME_FAILED(3),
    /** The shutdown had to be forced. */
    SHUTDOWN_FORCED(4),
    /** Internal: the launcher re-executes the entrypoint as the unprivileged user. Never leaves the launcher. */
    REEXEC_UNPRIVILEGED(100);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
