package dev.pgentrypoint.runtime;

import dev.pgentrypoint.os.PostmasterPid;
import dev.pgentrypoint.supervise.ReadinessCheck;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Ready when PGDATA/postmaster.pid names the supervised postmaster and its status line says
 * "ready" — the same signal pg_ctl -w waits for, independent of the server's log language.
 */
public final class PostgresReady implements ReadinessCheck {
    private final Path pgdata;

    public PostgresReady(Path pgdata) {
        this.pgdata = pgdata;
    }

    @Override
    public boolean isReady(long pid) {
        try {
            PostmasterPid file = PostmasterPid.read(pgdata);
            return file.names(pid) && file.status().filter("ready"::equals).isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
