package dev.pgentrypoint.backup;

import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Checks every {@code PGBACKREST_*} variable and the user's pgBackRest files before anything changes. */
final class BackupValidator {
    static final Set<String> REPO_TYPES = Set.of("posix", "cifs", "s3", "gcs", "azure", "sftp");
    private static final String STANZA_NAME = "[A-Za-z0-9][A-Za-z0-9_-]*";

    private final BackupSettings backup;
    private final Settings settings;
    private final Privileges privileges;
    private final DataDirectory data;

    BackupValidator(BackupSettings backup, Privileges privileges, DataDirectory data) {
        this.backup = backup;
        this.settings = backup.settings();
        this.privileges = privileges;
        this.data = data;
    }

    void validate(ValidationReport report) {
        for (String flag : List.of("ENABLED", "REQUIRED", "RESTORE")) {
            String variable = BackupSettings.OWN + flag;
            if (!settings.isBooleanOrUnset(variable)) {
                report.invalid(variable, "'" + settings.raw(variable).orElse("") + "' is not a boolean: use true or false "
                        + "(also accepted: 1/0, yes/no, on/off)");
            }
        }
        settings.raw("BACKUP_TIMEOUT").ifPresent(v -> checkTimeout(report, v));
        if (!backup.active()) {
            return;
        }
        if (backup.executable().isEmpty()) {
            report.invalid(backup.enabled() ? "BACKUP_ENABLED" : "BACKUP_RESTORE", "pgbackrest is not on PATH: "
                    + "install it (Debian package pgbackrest) or unset the variable");
        }
        checkStanza(report, "PGBACKREST_STANZA", backup.stanza());
        checkStanza(report, "BACKUP_RESTORE_STANZA", backup.restoreStanza());
        for (String seconds : List.of("BACKUP_ARCHIVE_FAILURE_AFTER", "BACKUP_WATCH_INTERVAL")) {
            settings.raw(seconds).ifPresent(v -> checkSeconds(report, seconds, v));
        }
        backup.secretFileVariables().forEach(variable -> checkSecretFile(report, variable));
        if (backup.socketPathTooLong()) {
            report.invalid("STATE_FILE", "the control socket " + backup.controlSocket() + " would be longer than "
                    + BackupSettings.MAX_SOCKET_PATH + " bytes: put STATE_FILE in a shorter directory");
        }
        ConfigAssembler.Result assembled = ConfigAssembler.assemble(backup);
        assembled.problems().forEach(p -> report.invalid(p.subject(), p.message()));
        checkRepositories(report, assembled);
        if (backup.enabled()) {
            checkSchedules(report);
        }
        if (backup.restore()) {
            checkRestore(report);
        }
    }

    private static void checkStanza(ValidationReport report, String variable, String stanza) {
        if (!stanza.matches(STANZA_NAME)) {
            report.invalid(variable, "'" + stanza + "' is not a stanza name: use letters, digits, - and _");
        }
    }

    /** X and X_FILE together, an unreadable X_FILE, or an empty one, each named. */
    private void checkSecretFile(ValidationReport report, String variable) {
        ValidationReport own = new ValidationReport();
        settings.checkSecret(variable, own);
        own.errors().forEach(e -> report.invalid(e.subject(), e.message()));
        if (own.errors().isEmpty() && settings.raw(variable).isEmpty() && settings.secret(variable).isEmpty()) {
            report.invalid(variable + "_FILE", settings.raw(variable + "_FILE").orElse("") + " is empty: put the secret in it");
        }
    }

    private static void checkSeconds(ValidationReport report, String variable, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1 || n > 86400) {
                report.invalid(variable, value + " is out of range: give seconds between 1 and 86400");
            }
        } catch (NumberFormatException e) {
            report.invalid(variable, "'" + value + "' is not a number: give seconds between 1 and 86400");
        }
    }

    private static void checkTimeout(ValidationReport report, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1 || n > 604800) {
                report.invalid("BACKUP_TIMEOUT", value + " is out of range: give seconds between 1 and 604800");
            }
        } catch (NumberFormatException e) {
            report.invalid("BACKUP_TIMEOUT", "'" + value + "' is not a number: give seconds between 1 and 604800");
        }
    }

    private void checkRepositories(ValidationReport report, ConfigAssembler.Result assembled) {
        PgBackRestConfig config = assembled.config();
        for (String stanza : backup.stanzas()) {
            for (int repo : ConfigAssembler.repositories(config)) {
                String typeKey = "repo" + repo + "-type";
                String type = config.effective(stanza, typeKey).orElse("posix");
                if (!REPO_TYPES.contains(type)) {
                    report.invalid(assembled.subject(typeKey), "'" + type + "' is not a repository type: use one of "
                            + String.join(", ", REPO_TYPES.stream().sorted().toList()));
                } else if (type.equals("posix") || type.equals("cifs")) {
                    checkPath(report, assembled, stanza, "repo" + repo + "-path");
                }
            }
            for (String key : List.of("log-path", "lock-path", "spool-path")) {
                checkPath(report, assembled, stanza, key);
            }
        }
    }

    private void checkPath(ValidationReport report, ConfigAssembler.Result assembled, String stanza, String key) {
        String subject = assembled.subject(key);
        String value = assembled.config().effective(stanza, key).orElse(ConfigAssembler.DEFAULT_PATHS.get(key));
        if (value == null) {
            report.invalid(subject, "no " + key + " is set for stanza " + stanza + ": set it");
            return;
        }
        Path dir = Path.of(value);
        if (!dir.isAbsolute()) {
            report.invalid(subject, "'" + value + "' is not an absolute path: give a path starting with /");
        } else if (dir.normalize().startsWith(data.path())) {
            report.invalid(subject, dir + " lies inside PGDATA: choose a directory outside it");
        } else {
            Backup.pathProblem(dir, privileges).ifPresent(p -> report.invalid(subject, p));
        }
    }

    private void checkSchedules(ValidationReport report) {
        for (String type : BackupSettings.SCHEDULED) {
            backup.schedule(type).ifPresent(schedule -> {
                try {
                    CronSchedule.toQuartz(schedule);
                    if (type.endsWith("-repo2")) {
                        backup.repository("2");
                    }
                } catch (IllegalArgumentException e) {
                    report.invalid(BackupSettings.scheduleVariable(type), e.getMessage());
                }
            });
        }
    }

    private void checkRestore(ValidationReport report) {
        settings.raw("BACKUP_RESTORE_REPO").ifPresent(r -> {
            try {
                backup.repository(r);
            } catch (IllegalArgumentException e) {
                report.invalid("BACKUP_RESTORE_REPO", e.getMessage());
            }
        });
        backup.targetTimeRaw().ifPresent(t -> {
            try {
                BackupSettings.normalizeTargetTime(t);
            } catch (IllegalArgumentException e) {
                report.invalid("BACKUP_RESTORE_TARGET_TIME", e.getMessage());
            }
        });
        settings.raw("BACKUP_RESTORE_TARGET_ACTION").ifPresent(a -> {
            if (!BackupSettings.TARGET_ACTIONS.contains(backup.targetAction())) {
                report.invalid("BACKUP_RESTORE_TARGET_ACTION", "'" + a + "' is not supported: use promote (end "
                        + "recovery at the target and open for writes) or pause (stay read-only at the target)");
            } else if (backup.targetTimeRaw().isEmpty()) {
                report.invalid("BACKUP_RESTORE_TARGET_ACTION", "applies to a point-in-time restore only: set "
                        + "BACKUP_RESTORE_TARGET_TIME too, or unset it");
            }
        });
        if (settings.startupMode() == StartupMode.PATRONI) {
            report.invalid("BACKUP_RESTORE", "is not supported with STARTUP_MODE=patroni, where Patroni creates "
                    + "the cluster and its replicas: unset BACKUP_RESTORE");
        }
        if (data.needsInit() && settings.walDir().isPresent()) {
            report.invalid("POSTGRES_INITDB_WALDIR", "applies to initdb only; a restore brings pg_wal from the backup: "
                    + "unset it or unset BACKUP_RESTORE");
        }
    }
}
