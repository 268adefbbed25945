package dev.pgentrypoint.upgrade;

/**
 * The phases of an upgrade, in order, as written to the journal. Before {@link #UPGRADED} the old
 * cluster is still the one in PGDATA and a restart rolls back; from {@link #UPGRADED} on a restart
 * goes forward. {@link #code()} values are frozen: the metric {@code pg_entrypoint_upgrade_phase}
 * exposes them.
 */
public enum Phase {
    /** The work directory and the dated name for the old cluster are chosen. */
    PLANNED(1),
    /** initdb of the new cluster is running or ran. */
    INITDB(2),
    /** {@code pg_upgrade --check} passed. */
    CHECKED(3),
    /** pg_upgrade is running: in link mode the old cluster's {@code pg_control} may be renamed. */
    UPGRADING(4),
    /** pg_upgrade succeeded; the directories are being swapped. */
    UPGRADED(5),
    /** The new cluster is PGDATA and the old one is aside; the new one has not answered yet. */
    SWAPPED(6),
    /** The new cluster started and answered. */
    DONE(7);

    private final int code;

    Phase(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Whether a restart in this phase rolls back to the old cluster. */
    public boolean rollsBack() {
        return compareTo(UPGRADED) < 0;
    }
}
