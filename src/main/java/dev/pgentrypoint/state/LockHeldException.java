package dev.pgentrypoint.state;

import java.nio.file.Path;

/** Thrown when another pg-entrypoint process already holds the instance lock. */
public final class LockHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LockHeldException(Path lockFile, String holderPid, String holderPgdata, String host, String since) {
        super("PGDATA " + holderPgdata + " in use by pid " + holderPid + " on host " + host + " since " + since
            + " (LOCK_FILE " + lockFile + "): another pg-entrypoint serves it, so nothing was changed; stop that one "
            + "first, or point LOCK_FILE elsewhere if it serves a different data directory");
    }
}
