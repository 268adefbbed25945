package dev.pgentrypoint.runtime;

import dev.pgentrypoint.supervise.ReadinessCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Ready when PGDATA/postmaster.pid names the supervised postmaster and its status line says
 * "ready" — the same signal pg_ctl -w waits for, independent of the server's log language.
 */
public final class PostgresReady implements ReadinessCheck {
    private final Path pidFile;

    public PostgresReady(Path pgdata) {
        this.pidFile = pgdata.resolve("postmaster.pid");
    }

    @Override
    public boolean isReady(long pid) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.size() >= 8 && lines.get(0).trim().equals(String.valueOf(pid))
                    && "ready".equals(lines.get(7).trim());
        } catch (IOException e) {
            return false;
        }
    }
}
