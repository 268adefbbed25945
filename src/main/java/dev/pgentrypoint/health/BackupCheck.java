package dev.pgentrypoint.health;

import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.backup.BackupStatus;

/**
 * pgBackRest as the running entrypoint last recorded it (its status file): DOWN when the stanza,
 * {@code pgbackrest check} or the last backup failed; DEGRADED when archiving fails for too long, a
 * repository cannot be reached, or the last backup is older than twice its schedule. Part of "all" only: neither
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
            return CheckResult.up(name(), "backups are off (BACKUP_ENABLED is not true, or STARTUP_MODE=sleep)");
        }
        BackupStatus.Health health = BackupStatus.readHealth(backup.statusFile());
        return switch (health.status()) {
            case BackupStatus.Health.UP -> CheckResult.up(name(), health.reason());
            case BackupStatus.Health.DEGRADED -> CheckResult.degraded(name(), health.reason());
            default -> CheckResult.down(name(), health.reason());
        };
    }
}
