package dev.pgentrypoint.state;

import java.nio.file.Path;

/** Thrown when another pg-entrypoint process already holds the instance lock. */
public final class LockHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LockHeldException(Path lockFile, String holderPid, String holderPgdata) {
        super("another pg-entrypoint (pid " + holderPid + ", PGDATA " + holderPgdata + ") holds LOCK_FILE "
            + lockFile + "; stop it first, or point LOCK_FILE elsewhere if it serves a different data directory");
    }
}
