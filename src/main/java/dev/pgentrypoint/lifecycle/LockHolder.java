package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.settings.ValidationReport;
import dev.pgentrypoint.state.InstanceLock;
import dev.pgentrypoint.state.LockHeldException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Holds LOCK_FILE for the life of the entrypoint so a second one for the same PGDATA refuses instead of racing.
 * It is taken before validation, so nothing (not even STATE_FILE) is written by an entrypoint that is refused.
 * A dry run only looks whether another entrypoint holds it and writes nothing.
 */
public final class LockHolder {
    private final Path lockFile;
    private final String pgdata;
    private final boolean dryRun;
    private InstanceLock lock;
    private String failure;

    public LockHolder(Path lockFile, String pgdata, boolean dryRun) {
        this.lockFile = lockFile;
        this.pgdata = pgdata;
        this.dryRun = dryRun;
    }

    /**
     * Takes the lock, or fails at once with "PGDATA in use by ..." when another entrypoint holds it. A lock file
     * that cannot be created is reported by {@link #validate} together with the other problems (a missing or
     * unwritable PGDATA usually explains it).
     */
    public synchronized void acquire() {
        if (dryRun) {
            InstanceLock.probe(lockFile).ifPresent(held -> {
                throw held;
            });
            return;
        }
        if (lock == null) {
            try {
                lock = InstanceLock.acquire(lockFile, pgdata);
                failure = null;
            } catch (LockHeldException e) {
                throw e;
            } catch (UncheckedIOException e) {
                failure = e.getMessage();
            }
        }
    }

    /** Validation: a lock that could not be taken is an error of LOCK_FILE. */
    public synchronized void validate(ValidationReport report) {
        if (!dryRun && lock == null && failure != null) {
            report.invalid("LOCK_FILE", failure + ": make its directory writable by the entrypoint's user, or set "
                    + "LOCK_FILE to a file on the same volume as PGDATA");
        }
    }

    public synchronized boolean held() {
        return lock != null;
    }

    /** Idempotent. */
    public synchronized void release() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }
}
