package dev.pgentrypoint.settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Checks the settings every module shares: ports, modes, timeouts, flags, file locations, binaries. */
public final class SettingsValidator {
    static final List<String> STARTUP_MODES = List.of("direct", "patroni", "sleep");
    static final List<String> LOG_FORMATS = List.of("text", "json");

    private final Settings settings;
    private final Optional<PgBinaries> binaries;

    public SettingsValidator(Settings settings, Optional<PgBinaries> binaries) {
        this.settings = settings;
        this.binaries = binaries;
    }

    public void validate(ValidationReport report) {
        settings.raw("PGPORT").ifPresent(v -> checkRange(report, "PGPORT", v, 1, 65535, "a TCP port"));
        if (!STARTUP_MODES.contains(settings.startupMode())) {
            report.invalid("STARTUP_MODE", "'" + settings.startupMode() + "' is not a startup mode: use one of "
                    + String.join(", ", STARTUP_MODES));
        }
        settings.raw("SHUTDOWN_TIMEOUT").ifPresent(v -> checkRange(report, "SHUTDOWN_TIMEOUT", v, 1, 86400, "seconds"));
        settings.raw("COMMAND_TIMEOUT").ifPresent(v -> checkRange(report, "COMMAND_TIMEOUT", v, 1, 86400, "seconds"));
        settings.raw("INITDB_SCRIPT_TIMEOUT").ifPresent(v -> checkRange(report, "INITDB_SCRIPT_TIMEOUT", v, 1, 604800, "seconds"));
        settings.raw("START_TIMEOUT").ifPresent(v -> checkRange(report, "START_TIMEOUT", v, 1, 86400, "seconds"));
        if (!LOG_FORMATS.contains(settings.logFormat())) {
            report.invalid("LOG_FORMAT", "'" + settings.logFormat() + "' is not a log format: use text or json");
        }
        settings.raw("MANAGEMENT_PORT").ifPresent(v -> checkRange(report, "MANAGEMENT_PORT", v, 1, 65535, "a TCP port"));
        settings.raw("HEALTH_INTERVAL").ifPresent(v -> checkRange(report, "HEALTH_INTERVAL", v, 1, 3600, "seconds"));
        settings.raw("HEALTH_DISK_MIN_FREE").ifPresent(v -> {
            if (!v.trim().matches("(?i)\\d+(\\.\\d+)?%|\\d+\\s*[KMGT]?(i?B)?")) {
                report.invalid("HEALTH_DISK_MIN_FREE", "'" + v + "' is not a size: give a percentage such as 1% or bytes "
                        + "such as 512MB");
            }
        });
        settings.raw("MANAGEMENT_BIND").filter(v -> !v.matches("[0-9a-fA-F.:]+|localhost")).ifPresent(v ->
                report.invalid("MANAGEMENT_BIND", "'" + v + "' is not an address to listen on: give an IP address such as "
                        + "0.0.0.0 or 127.0.0.1"));
        for (String flag : List.of("DEBUG", "DRY_RUN", "MANAGEMENT_ENABLED")) {
            settings.raw(flag).filter(v -> !Settings.isBoolean(v)).ifPresent(v ->
                    report.invalid(flag, "'" + v + "' is not a boolean: use 1 or 0 (true/false, yes/no, on/off)"));
        }
        for (String variable : List.of("STATE_FILE", "LOCK_FILE", "PG_SOCKET_DIR", "INITDB_SCRIPTS_DIR", "CONFIG_DIR",
                "PATRONI_RUN_DIR",
                "WORKFLOWS_DIR", "ROUTES_DIR")) {
            settings.raw(variable).filter(v -> !Path.of(v).isAbsolute()).ifPresent(v ->
                    report.invalid(variable, "'" + v + "' is not an absolute path: give a path starting with /"));
        }
        validateBinaries(report);
    }

    private void validateBinaries(ValidationReport report) {
        if (binaries.isEmpty()) {
            report.invalid("PG_BIN_DIR", "no PostgreSQL binaries found (not set, no postgres on PATH, none under "
                    + "/usr/lib/postgresql/*/bin): install PostgreSQL or set PG_BIN_DIR to its bin directory");
            return;
        }
        List<String> missing = binaries.get().missingTools();
        if (!missing.isEmpty()) {
            report.invalid("PG_BIN_DIR", binaries.get().binDir() + " (from " + binaries.get().source()
                    + ") lacks executable " + String.join(", ", missing) + ": point PG_BIN_DIR to a complete PostgreSQL bin directory");
        }
    }

    /** Reports a value that is not a whole number between min and max. */
    public static void checkRange(ValidationReport report, String variable, String value, int min, int max, String what) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                report.invalid(variable, value + " is out of range: give " + what + " between " + min + " and " + max);
            }
        } catch (NumberFormatException e) {
            report.invalid(variable, "'" + value + "' is not a number: give " + what + " between " + min + " and " + max);
        }
    }
}
