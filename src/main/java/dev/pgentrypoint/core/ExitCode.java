package dev.pgentrypoint.core;

/** Exit codes of the entrypoint; numbers are public API and frozen (docs/operations.md). */
public enum ExitCode {
    SUCCESS(0, "success, or clean shutdown"),
    INVALID_INPUT(1, "invalid configuration or input; nothing was changed on disk"),
    INIT_FAILED(2, "initialization failed"),
    RUNTIME_FAILED(3, "runtime failure"),
    SHUTDOWN_FORCED(4, "shutdown had to be forced"),
    /** Internal: the launcher re-executes the entrypoint as the unprivileged user. Never leaves the launcher. */
    REEXEC_UNPRIVILEGED(100, "re-execute as the unprivileged user");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
