package dev.pgentrypoint.upgrade;

/**
 * The phases of an upgrade, in order, as written to the journal. Before {@link #UPGRADED} the old
 * cluster is still the one in PGDATA and a restart rolls back; from {@link #UPGRADED} on a restart
 * goes forward. The order is frozen, and so is {@link #code()}, a phase's place in it: the metric
 * {@code pg_entrypoint_upgrade_phase} exposes it.
 */
public enum Phase {
    /** The work directory and the dated name for the old cluster are chosen. */
    PLANNED,
    /** initdb of the new cluster is running or ran. */
    INITDB,
    /** {@code pg_upgrade --check} passed. */
    CHECKED,
    /** pg_upgrade is running: in link mode the old cluster's {@code pg_control} may be renamed. */
    UPGRADING,
    /** pg_upgrade succeeded; the directories are being swapped. */
    UPGRADED,
    /** The new cluster is PGDATA and the old one is aside; the new one has not answered yet. */
    SWAPPED,
    /** The new cluster started and answered. */
    DONE;

    /** The phase's place in the order, from 1 ({@link #PLANNED}) to 7 ({@link #DONE}). */
    public int code() {
        return ordinal() + 1;
    }

    /** Whether a restart in this phase rolls back to the old cluster. */
    public boolean rollsBack() {
        return compareTo(UPGRADED) < 0;
    }
}
