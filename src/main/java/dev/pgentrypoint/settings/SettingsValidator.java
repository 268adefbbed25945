package dev.pgentrypoint.settings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Checks the settings every module shares: ports, modes, timeouts, flags, file locations, binaries. */
public final class SettingsValidator {
    static final List<String> LOG_FORMATS = List.of("text", "json");

    private final Settings settings;
    private final Optional<PgBinaries> binaries;
    private final boolean checkManagementPort;

    public SettingsValidator(Settings settings, Optional<PgBinaries> binaries) {
        this(settings, binaries, false);
    }

    /**
     * {@code checkManagementPort}: also check that MANAGEMENT_PORT can be opened on MANAGEMENT_BIND. A root start
     * opens it only after the hand-over, when directories were made; so it checks here, before anything changes.
     * (A start as the server's user opens the port itself before the workflow; a dry run must not clash with the
     * running entrypoint it may be checking beside.)
     */
    public SettingsValidator(Settings settings, Optional<PgBinaries> binaries, boolean checkManagementPort) {
        this.settings = settings;
        this.binaries = binaries;
        this.checkManagementPort = checkManagementPort;
    }

    public void validate(ValidationReport report) {
        settings.raw("PGPORT").ifPresent(v -> checkRange(report, "PGPORT", v, 1, 65535, "a TCP port"));
        if (StartupMode.of(settings.startupModeValue()).isEmpty()) {
            report.invalid("STARTUP_MODE", StartupMode.problem(settings.startupModeValue()));
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
        settings.raw("MANAGEMENT_BIND").ifPresent(v -> bindProblem(v).ifPresent(problem ->
                report.invalid("MANAGEMENT_BIND", "'" + v + "' " + problem + ": give an IP address of this host, such as "
                        + "0.0.0.0 (every IPv4 address), :: (every address), 127.0.0.1 or localhost")));
        if (checkManagementPort && settings.managementEnabled() && report.errors().stream().noneMatch(e ->
                e.subject().startsWith("MANAGEMENT_"))) {
            listenProblem(settings.managementBind(), settings.managementPort()).ifPresent(problem ->
                    report.invalid("MANAGEMENT_PORT", problem));
        }
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

    /** Why the entrypoint could not listen on this address; empty when it can. Literals only: no name is looked up. */
    static Optional<String> bindProblem(String address) {
        if (address.equals("localhost")) {
            return Optional.empty();
        }
        if (address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : address.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return Optional.of("is not an IPv4 address (each of its four numbers is 0 to 255)");
                }
            }
        } else if (!address.contains(":") || !address.matches("[0-9a-fA-F:.]+")) {
            return Optional.of("is not an IP address");
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            if (!parsed.isAnyLocalAddress() && NetworkInterface.getByInetAddress(parsed) == null) {
                return Optional.of("is not an address of this host");
            }
            return Optional.empty();
        } catch (UnknownHostException | SocketException e) {
            return Optional.of("is not an IP address");
        }
    }

    /** Why nothing can listen on {@code bind:port} now (e.g. another process does); empty when it can. */
    static Optional<String> listenProblem(String bind, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot listen on MANAGEMENT_BIND " + bind + " port " + port + " (" + e.getMessage()
                    + "): choose a free port with MANAGEMENT_PORT or another address with MANAGEMENT_BIND, "
                    + "or set MANAGEMENT_ENABLED=false");
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
