package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.state.InstanceLock;
import java.nio.file.Path;

/** Holds LOCK_FILE for the life of the entrypoint so a second one for the same PGDATA refuses instead of racing. */
public final class LockHolder {
    private final Path lockFile;
    private final String pgdata;
    private InstanceLock lock;

    public LockHolder(Path lockFile, String pgdata) {
        this.lockFile = lockFile;
        this.pgdata = pgdata;
    }

    public synchronized void acquire() {
        if (lock == null) {
            lock = InstanceLock.acquire(lockFile, pgdata);
        }
    }

    /** Idempotent. */
    public synchronized void release() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }
}
