package dev.pgentrypoint.health;

import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.backup.BackupStatus;
import java.util.Map;

/**
 * pgBackRest as the running entrypoint last recorded it (its status file): the stanza and
 * {@code pgbackrest check} passed and the last backup did not fail. Part of "all" only: neither
 * liveness nor readiness, because the server keeps serving without backups.
 */
final class BackupCheck extends BaseCheck {
    private final BackupSettings backup;

    BackupCheck(BackupSettings backup) {
        super("backup", false, false);
        this.backup = backup;
    }

    @Override
    public CheckResult check() {
        if (!backup.runtime()) {
            return CheckResult.up(name(), "backups are off (PGBACKREST_ENABLED is not true, or STARTUP_MODE=sleep)");
        }
        Map.Entry<Boolean, String> health = BackupStatus.readHealth(backup.statusFile());
        return new CheckResult(name(), health.getKey(), health.getValue());
    }
}
