package dev.pgentrypoint.state;

/**
 * Lifecycle states of the entrypoint. {@link #code()} values are frozen because metrics expose them: a state's
 * code is its place in this list, so a new state goes at the end (StateMachineTest pins every code).
 */
public enum State {
    UNINITIALIZED,
    INITIALIZING,
    READY,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    ERROR,
    /** A major-version upgrade of PGDATA runs (POSTGRES_UPGRADE=auto): alive, not ready. */
    UPGRADING;

    /** The stable numeric code of this state. */
    public int code() {
        return ordinal();
    }
}
