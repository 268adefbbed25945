package dev.pgentrypoint.state;

/** Lifecycle states of the entrypoint; {@link #code()} values are frozen because metrics expose them. */
public enum State {
    UNINITIALIZED(0),
    INITIALIZING(1),
    READY(2),
    STARTING(3),
    RUNNING(4),
    STOPPING(5),
    STOPPED(6),
    ERROR(7),
    /** A major-version upgrade of PGDATA runs (POSTGRES_UPGRADE=auto): alive, not ready. */
    UPGRADING(8);

    private final int code;

    State(int code) {
        this.code = code;
    }

    /** The stable numeric code of this state. */
    public int code() {
        return code;
    }
}
