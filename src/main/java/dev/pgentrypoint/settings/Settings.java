package dev.pgentrypoint.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every setting of the entrypoint, read once from the environment and the command line.
 * Values are kept as given; {@link SettingsValidator} says which are wrong. Accessors with a
 * parsed type fall back to the default when the raw value is invalid, so routes can be
 * built before validation reports the error.
 */
public final class Settings {
    public static final String DEFAULT_PGDATA = "/var/lib/postgresql/data";
    public static final String DEFAULT_SOCKET_DIR = "/var/run/postgresql";
    public static final String DEFAULT_INITDB_SCRIPTS_DIR = "/docker-entrypoint-initdb.d";
    public static final String DEFAULT_CONFIG_DIR = "/etc/pg-entrypoint";
    /** The directory of the default STATE_FILE, whose name is made from PGDATA (see {@link #stateFile()}). */
    public static final String DEFAULT_STATE_DIR = "/tmp";
    /** Name of the default LOCK_FILE, inside PGDATA or beside it (see {@link #lockFile()}). */
    public static final String LOCK_FILE_NAME = "pg-entrypoint.lock";
    public static final String DEFAULT_OS_USER = "postgres";
    public static final int DEFAULT_PORT = 5432;
    public static final int DEFAULT_MANAGEMENT_PORT = 9876;
    public static final int DEFAULT_SHUTDOWN_TIMEOUT = 30;
    public static final int DEFAULT_START_TIMEOUT = 60;
    /** In Patroni mode the start includes creating a replica (a base backup), so the default is generous. */
    public static final int DEFAULT_PATRONI_START_TIMEOUT = 3600;

    /** The prefix of the entrypoint's own backup variables ({@code BACKUP_ENABLED}, {@code BACKUP_RESTORE}, ...). */
    public static final String BACKUP_PREFIX = "BACKUP_";
    /**
     * The entrypoint's own backup variables, {@code BACKUP_<suffix>}, by suffix. They were named
     * {@code PGBACKREST_<suffix>}, where a pgbackrest run by hand took them for (invalid) options of its own;
     * the old name still works, with a warning, when the new one is not set.
     */
    public static final List<String> BACKUP_VARIABLES = List.of("ENABLED", "REQUIRED", "SCHEDULE_FULL", "SCHEDULE_DIFF",
            "SCHEDULE_INCR", "SCHEDULE_FULL_REPO2", "SCHEDULE_DIFF_REPO2", "SCHEDULE_INCR_REPO2", "SCHEDULE_VERIFY",
            "TIMEOUT", "ARCHIVE_FAILURE_AFTER", "WATCH_INTERVAL", "RESTORE", "RESTORE_REPO", "RESTORE_STANZA",
            "RESTORE_TARGET_TIME", "RESTORE_TARGET_ACTION");
    /** pgBackRest's prefix: its options, and the former names of the entrypoint's backup variables. */
    static final String DEPRECATED_BACKUP_PREFIX = "PGBACKREST_";
    /** pgBackRest's secret repository options, as the part of a variable name after {@code PGBACKREST_REPOn_}. */
    public static final String PGBACKREST_SECRET_OPTIONS = "CIPHER_PASS|S3_KEY|S3_KEY_SECRET|S3_TOKEN|AZURE_KEY"
            + "|SFTP_PRIVATE_KEY_PASSPHRASE";
    /** Variables whose value is a secret, given directly or as {@code X_FILE}: kept out of every log. */
    private static final Pattern SECRET_VALUE = Pattern.compile("POSTGRES_PASSWORD|PGPASSWORD|PATRONI_\\w*PASSWORD"
            + "|PGBACKREST_REPO\\d+_(?:" + PGBACKREST_SECRET_OPTIONS + ")");

    private final Map<String, String> env;
    private final List<String> postgresArgs;
    private final Path home;
    /** One warning per deprecated name given, in name order. */
    private final List<String> deprecationWarnings = new ArrayList<>();

    public Settings(Map<String, String> env, List<String> postgresArgs, Path home) {
        Map<String, String> merged = new HashMap<>(env);
        for (String suffix : BACKUP_VARIABLES.stream().sorted().toList()) {
            String old = DEPRECATED_BACKUP_PREFIX + suffix;
            String now = BACKUP_PREFIX + suffix;
            if (isEmpty(env.get(old))) {
                continue;
            }
            boolean both = !isEmpty(env.get(now));
            if (!both) {
                merged.put(now, env.get(old));
            }
            deprecationWarnings.add(old + " is deprecated: use " + now + " (a pgbackrest run by hand takes every "
                    + "PGBACKREST_* variable for an option of its own)" + (both ? "; " + now + " is set too and wins" : ""));
        }
        this.env = Map.copyOf(merged);
        this.postgresArgs = List.copyOf(postgresArgs);
        this.home = home;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    /**
     * One warning per deprecated name given ({@code PGBACKREST_ENABLED is deprecated: use BACKUP_ENABLED ...});
     * the entrypoint logs them once per start.
     */
    public List<String> deprecationWarnings() {
        return List.copyOf(deprecationWarnings);
    }

    /**
     * Every {@code PGBACKREST_*} variable set and the entrypoint's own {@code BACKUP_*} ones, sorted: kept away
     * from pgBackRest, Patroni and postgres (the rendered pgBackRest file has the options).
     */
    public List<String> backupEnvironment() {
        SortedSet<String> names = new TreeSet<>(startingWith(DEPRECATED_BACKUP_PREFIX).keySet());
        BACKUP_VARIABLES.stream().map(s -> BACKUP_PREFIX + s).filter(n -> raw(n).isPresent()).forEach(names::add);
        return List.copyOf(names);
    }

    /** The raw value of a variable, empty when unset or empty. */
    public Optional<String> raw(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** Whether a boolean variable is set to 1, true, yes or on (case-insensitive). */
    public boolean flag(String name) {
        return isTrue(rawOr(name, ""));
    }

    /** Whether a variable is unset or holds one of the accepted boolean spellings. */
    public boolean isBooleanOrUnset(String name) {
        return isBoolean(rawOr(name, ""));
    }

    /** The non-empty variables whose names start with {@code prefix}, sorted by name. */
    public SortedMap<String, String> startingWith(String prefix) {
        SortedMap<String, String> found = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(prefix) && value != null && !value.isEmpty()) {
                found.put(name, value);
            }
        });
        return found;
    }

    String rawOr(String name, String fallback) {
        return raw(name).orElse(fallback);
    }

    Map<String, String> environment() {
        return env;
    }

    public Path home() {
        return home;
    }

    public List<String> postgresArgs() {
        return postgresArgs;
    }

    public String pgdata() {
        return rawOr("PGDATA", DEFAULT_PGDATA);
    }

    public Path pgdataPath() {
        return Path.of(pgdata()).toAbsolutePath().normalize();
    }

    public Optional<String> walDir() {
        return raw("POSTGRES_INITDB_WALDIR");
    }

    public String socketDir() {
        return rawOr("PG_SOCKET_DIR", DEFAULT_SOCKET_DIR);
    }

    public int port() {
        return intIn(rawOr("PGPORT", ""), 1, 65535, DEFAULT_PORT);
    }

    /** STARTUP_MODE as given (lower case), for its validation and the log; {@link #startupMode()} for decisions. */
    public String startupModeValue() {
        return rawOr("STARTUP_MODE", StartupMode.DIRECT.value()).toLowerCase(Locale.ROOT);
    }

    /** The startup mode; {@code direct} while STARTUP_MODE names none, which validation refuses before anything starts. */
    public StartupMode startupMode() {
        return StartupMode.of(startupModeValue()).orElse(StartupMode.DIRECT);
    }

    public int shutdownTimeout() {
        return intIn(rawOr("SHUTDOWN_TIMEOUT", ""), 1, 86400, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public int startTimeout() {
        return intIn(rawOr("START_TIMEOUT", ""), 1, 86400,
                startupMode() == StartupMode.PATRONI ? DEFAULT_PATRONI_START_TIMEOUT : DEFAULT_START_TIMEOUT);
    }

    /** Seconds a one-shot command (initdb, psql) may take. */
    public int commandTimeout() {
        return intIn(rawOr("COMMAND_TIMEOUT", ""), 1, 86400, 600);
    }

    /** Seconds one init script may take. */
    public int scriptTimeout() {
        return intIn(rawOr("INITDB_SCRIPT_TIMEOUT", ""), 1, 604800, 3600);
    }

    public boolean managementEnabled() {
        return raw("MANAGEMENT_ENABLED").map(Settings::isTrue).orElse(true);
    }

    public int managementPort() {
        return intIn(rawOr("MANAGEMENT_PORT", ""), 1, 65535, DEFAULT_MANAGEMENT_PORT);
    }

    public String managementBind() {
        return rawOr("MANAGEMENT_BIND", "0.0.0.0");
    }

    /** Minimum free space for the disk check: a percentage ("1%") or bytes ("512MB"). */
    public String healthDiskMinFree() {
        return rawOr("HEALTH_DISK_MIN_FREE", "1%");
    }

    /** Seconds between two runs of every health check by the runtime-healthcheck-poll route. */
    public int healthInterval() {
        return intIn(rawOr("HEALTH_INTERVAL", ""), 1, 3600, 60);
    }

    public boolean debug() {
        return isTrue(rawOr("DEBUG", ""));
    }

    public boolean dryRun() {
        return isTrue(rawOr("DRY_RUN", ""));
    }

    public String logFormat() {
        return rawOr("LOG_FORMAT", "text").toLowerCase(Locale.ROOT);
    }

    public Path workflowsDir() {
        return Path.of(rawOr("WORKFLOWS_DIR", home.resolve("workflows").toString()));
    }

    public Path routesDir() {
        return Path.of(rawOr("ROUTES_DIR", home.resolve("routes").toString()));
    }

    public Path configDir() {
        return Path.of(rawOr("CONFIG_DIR", DEFAULT_CONFIG_DIR));
    }

    public boolean configDirExplicit() {
        return raw("CONFIG_DIR").isPresent();
    }

    public Path initdbScriptsDir() {
        return Path.of(rawOr("INITDB_SCRIPTS_DIR", DEFAULT_INITDB_SCRIPTS_DIR));
    }

    public Path stateFile() {
        return raw("STATE_FILE").map(Path::of).orElseGet(this::defaultStateFile);
    }

    /**
     * One state file per data directory, so two instances on a host never read each other's state:
     * {@code /tmp/pg-entrypoint-<PGDATA with / as ->.state}, e.g. {@code /tmp/pg-entrypoint-var-lib-postgresql-data.state}.
     * (Not inside PGDATA: initdb needs it empty; its parent may not be writable.)
     */
    Path defaultStateFile() {
        String name = pgdataPath().toString().replaceAll("^/+", "").replaceAll("[^A-Za-z0-9._-]", "-");
        if (name.length() > 120) {
            name = name.substring(name.length() - 100) + "-" + Integer.toHexString(pgdataPath().toString().hashCode());
        }
        return Path.of(DEFAULT_STATE_DIR, "pg-entrypoint-" + (name.isEmpty() ? "root" : name) + ".state");
    }

    /**
     * LOCK_FILE, by default with the data so that every entrypoint on the volume sees it: inside PGDATA
     * ({@code PGDATA/pg-entrypoint.lock}) when PGDATA is a mount point of its own, else beside it on the same
     * file system ({@code <parent>/.<name>.pg-entrypoint.lock}). In Patroni mode and for a restore it is always
     * beside: Patroni's initdb and pg_basebackup and pgBackRest's restore need PGDATA empty.
     */
    public Path lockFile() {
        return raw("LOCK_FILE").map(Path::of).orElseGet(() -> {
            Path pgdata = pgdataPath();
            Path parent = pgdata.getParent();
            boolean needsEmptyPgdata = startupMode() == StartupMode.PATRONI || flag("BACKUP_RESTORE");
            if (parent == null || !needsEmptyPgdata && isMountPoint(pgdata, parent)) {
                return pgdata.resolve(LOCK_FILE_NAME);
            }
            return parent.resolve("." + pgdata.getFileName() + "." + LOCK_FILE_NAME);
        });
    }

    private static boolean isMountPoint(Path dir, Path parent) {
        try {
            return !java.nio.file.Files.getAttribute(dir, "unix:dev").equals(java.nio.file.Files.getAttribute(parent, "unix:dev"));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** Patroni mode: the directory of the rendered Patroni configuration and the member's pgpass. */
    public Path patroniRunDir() {
        return Path.of(rawOr("PATRONI_RUN_DIR", Path.of(socketDir(), "patroni").toString()));
    }

    public Optional<String> pgBinDir() {
        return raw("PG_BIN_DIR");
    }

    public String osUser() {
        return DEFAULT_OS_USER;
    }

    /** The superuser name: {@code POSTGRES_USER} or its file, default {@code postgres}. */
    public String superuser() {
        return Secrets.read(this, "POSTGRES_USER").orElse("postgres");
    }

    /** The database created after initdb: {@code POSTGRES_DB} or its file, default the superuser. */
    public String database() {
        return Secrets.read(this, "POSTGRES_DB").orElse(superuser());
    }

    public Optional<String> password() {
        return Secrets.read(this, "POSTGRES_PASSWORD");
    }

    public String initdbArgsRaw() {
        return Secrets.read(this, "POSTGRES_INITDB_ARGS").orElse("");
    }

    /** {@code POSTGRES_INITDB_ARGS} split with POSIX shell quoting; empty when it does not parse. */
    public List<String> initdbArgs() {
        try {
            return ShellWords.split(initdbArgsRaw());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** The value of X, or the content of X_FILE without trailing newlines; empty when neither is usable. */
    public Optional<String> secret(String name) {
        return Secrets.read(this, name);
    }

    /** Reports X and X_FILE set together, and an X_FILE that cannot be read. */
    public void checkSecret(String name, ValidationReport report) {
        Secrets.check(this, name, report);
    }

    /** The host authentication method; derived like the official image when unset. */
    public String hostAuthMethod() {
        return rawOr("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256");
    }

    public boolean trustRequested() {
        return "trust".equals(hostAuthMethod());
    }

    /** Variables that hold a secret and stay out of every child's environment (passwords, pgBackRest keys). */
    public static boolean isSecretVariable(String name) {
        return name.equals("POSTGRES_PASSWORD") || name.equals("PGPASSWORD") || name.startsWith("PGBACKREST_")
                || name.startsWith("PATRONI_") && (name.contains("PASSWORD") || name.contains("PASS"));
    }

    /** The values of the secret variables of this environment (or of their {@code _FILE}s), to mask in every log. */
    public List<String> secretValues() {
        return env.keySet().stream().map(name -> name.endsWith("_FILE") ? name.substring(0, name.length() - 5) : name)
                .filter(name -> SECRET_VALUE.matcher(name).matches()).distinct().sorted()
                .flatMap(name -> secret(name).stream()).toList();
    }

    /** The secret variables of this environment, for {@code env -u} in front of a command. */
    public List<String> secretVariables() {
        return env.keySet().stream().filter(Settings::isSecretVariable).sorted().toList();
    }

    /**
     * How every boolean variable reads: 1, true, yes or on (any case, surrounding blanks ignored) is true;
     * anything else, and unset (null), is false.
     */
    public static boolean isTrue(String value) {
        return value != null && switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }

    static boolean isBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "0", "1", "true", "false", "yes", "no", "on", "off" -> true;
            default -> false;
        };
    }

    /**
     * A whole number between min and max, else the fallback: a value out of range never reaches a route
     * (a timeout of 0 or -1 would fail Camel's endpoint binding before validation could name the variable).
     */
    public static int intIn(String value, int min, int max, int fallback) {
        int n = parseInt(value, fallback);
        return n < min || n > max ? fallback : n;
    }

    static int parseInt(String value, int fallback) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
