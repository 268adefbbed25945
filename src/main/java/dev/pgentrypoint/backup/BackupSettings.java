package dev.pgentrypoint.backup;

import dev.pgentrypoint.os.Executables;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backup variables: the entrypoint's own ({@code BACKUP_*}, see {@link Settings#BACKUP_VARIABLES}) and the
 * {@code PGBACKREST_*} ones, pgBackRest's own options under pgBackRest's own environment names
 * ({@code PGBACKREST_REPO1_PATH} is {@code repo1-path}), passed through. Everything pgBackRest needs is rendered
 * into one file, {@link #configFile()}, in a directory of its own next to {@code STATE_FILE}.
 */
public final class BackupSettings {
    static final String PREFIX = "PGBACKREST_";
    static final String OWN = Settings.BACKUP_PREFIX;
    /** The stanza is pgBackRest's option, given on the command line ({@code --stanza}), not in the file. */
    static final String STANZA = PREFIX + "STANZA";
    /** Backup types, as pgBackRest names them. */
    public static final List<String> TYPES = List.of("full", "diff", "incr");
    /**
     * Backup schedules: each type to pgBackRest's default repository (repo1), and each type to repository 2
     * ({@code BACKUP_SCHEDULE_FULL_REPO2}), so a local and an off-host repository keep their own rhythm.
     */
    static final List<String> BACKUP_SCHEDULES = List.of("full", "diff", "incr", "full-repo2", "diff-repo2", "incr-repo2");
    /** What runs on a schedule: the backups, and {@code pgbackrest verify} of the repositories. */
    static final List<String> SCHEDULED = List.of("full", "diff", "incr", "full-repo2", "diff-repo2", "incr-repo2", "verify");
    static final List<String> TARGET_ACTIONS = List.of("promote", "pause");
    static final int DEFAULT_TIMEOUT = 86400;
    /** Seconds WAL archiving may fail before the backup health check is DEGRADED. */
    static final int DEFAULT_ARCHIVE_FAILURE_AFTER = 300;
    /** Seconds between two {@code pgbackrest info} runs that ask every repository. */
    static final int DEFAULT_WATCH_INTERVAL = 60;
    /** The suffix of the run directory's name, after STATE_FILE's name without its extension. */
    static final String RUN_DIR_SUFFIX = ".pgbackrest";
    /** Longest path of a Unix domain socket (sun_path holds 108 bytes with the terminating zero). */
    static final int MAX_SOCKET_PATH = 107;
    static final String CONTROL_SOCKET = "control.sock";
    /**
     * Secret options that may also come from a file: {@code PGBACKREST_REPO1_CIPHER_PASS_FILE=/run/secrets/x}
     * is {@code repo1-cipher-pass} with the file's content. Other {@code *_FILE} names are pgBackRest's own
     * options ({@code repo1-storage-ca-file}) and pass through unchanged.
     */
    static final Pattern SECRET_FILE = Pattern.compile(
            "PGBACKREST_(REPO\\d+_(?:" + Settings.PGBACKREST_SECRET_OPTIONS + "))_FILE");
    private static final Pattern TARGET_TIME = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?)\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)");

    private final Settings settings;

    public BackupSettings(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** Backups: WAL archiving, stanza, check, schedules, manual backups. */
    public boolean enabled() {
        return settings.flag(OWN + "ENABLED");
    }

    public boolean restore() {
        return settings.flag(OWN + "RESTORE");
    }

    /** Whether pgBackRest is used at all, so its configuration and directories are needed. */
    public boolean active() {
        return enabled() || restore();
    }

    boolean required() {
        return settings.flag(OWN + "REQUIRED");
    }

    /** The stanza archived to and backed up. */
    public String stanza() {
        return settings.raw(STANZA).orElse("db");
    }

    /** The stanza a restore reads from; the archive stanza unless set. */
    String restoreStanza() {
        return settings.raw(OWN + "RESTORE_STANZA").orElse(stanza());
    }

    /** The stanzas the configuration serves: the archive stanza, then the restore stanza if it is another. */
    List<String> stanzas() {
        return stanza().equals(restoreStanza()) ? List.of(stanza()) : List.of(stanza(), restoreStanza());
    }

    /** Whether backups run in this start: enabled, and a server is started (not sleep mode). */
    public boolean runtime() {
        return enabled() && settings.startupMode() != StartupMode.SLEEP;
    }

    Optional<String> targetTimeRaw() {
        return settings.raw(OWN + "RESTORE_TARGET_TIME");
    }

    String targetAction() {
        return settings.raw(OWN + "RESTORE_TARGET_ACTION").orElse("promote").toLowerCase(Locale.ROOT);
    }

    /** Seconds a backup, a restore, or the recovery after it may take. */
    int timeoutSeconds() {
        return Settings.intIn(settings.raw(OWN + "TIMEOUT").orElse(""), 1, 604800, DEFAULT_TIMEOUT);
    }

    /** Seconds WAL archiving may fail before the backup health check is DEGRADED. */
    int archiveFailureAfterSeconds() {
        return seconds("ARCHIVE_FAILURE_AFTER", DEFAULT_ARCHIVE_FAILURE_AFTER);
    }

    /** Seconds between two runs of {@code pgbackrest info} that check every repository. */
    int watchIntervalSeconds() {
        return seconds("WATCH_INTERVAL", DEFAULT_WATCH_INTERVAL);
    }

    private int seconds(String name, int fallback) {
        try {
            return Integer.parseInt(settings.raw(OWN + name).orElse("").trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The schedule variable with the shortest interval between two backups, and that interval. */
    Optional<Map.Entry<String, java.time.Duration>> shortestSchedule() {
        Map.Entry<String, java.time.Duration> best = null;
        for (String type : BACKUP_SCHEDULES) {
            Optional<String> schedule = schedule(type);
            if (schedule.isEmpty()) {
                continue;
            }
            try {
                java.time.Duration period = CronSchedule.period(CronSchedule.toQuartz(schedule.get()), java.time.Instant.now());
                if (!period.isZero() && (best == null || period.compareTo(best.getValue()) < 0)) {
                    best = Map.entry(scheduleVariable(type), period);
                }
            } catch (IllegalArgumentException invalid) {
                // validation reports it
            }
        }
        return Optional.ofNullable(best);
    }

    Optional<String> schedule(String type) {
        return settings.raw(scheduleVariable(type));
    }

    /** {@code full} is {@code BACKUP_SCHEDULE_FULL}, {@code full-repo2} is {@code BACKUP_SCHEDULE_FULL_REPO2}. */
    static String scheduleVariable(String scheduled) {
        return OWN + "SCHEDULE_" + scheduled.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The repository to restore from ({@code BACKUP_RESTORE_REPO}), 0 for pgBackRest's choice. */
    int restoreRepo() {
        return settings.raw(OWN + "RESTORE_REPO").map(this::repository).orElse(0);
    }

    /**
     * A repository number that is configured ({@code repoN-*} set by a variable or file, or 1).
     *
     * @throws IllegalArgumentException naming what is configured
     */
    int repository(String number) {
        List<Integer> configured = ConfigAssembler.repositories(ConfigAssembler.assemble(this).config());
        try {
            int n = Integer.parseInt(number.strip().replaceFirst("^repo", ""));
            if (configured.contains(n)) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + number + "' is not a configured repository: use one of " + configured);
    }

    /**
     * The {@code entrypoint.backup.*} placeholders of the YAML routes. A schedule's route starts only in
     * the unprivileged run that serves (not in sleep mode, a dry run or the root run before the drop).
     */
    public Map<String, String> properties(boolean dryRun, boolean root) {
        boolean serving = runtime();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("entrypoint.backup.active", String.valueOf(active()));
        p.put("entrypoint.backup.restore", String.valueOf(restore()));
        p.put("entrypoint.backup.stanza", stanza());
        p.put("entrypoint.backup.runtime", String.valueOf(serving));
        p.put("entrypoint.backup.timeout", String.valueOf(timeoutSeconds() * 1000L));
        p.put("entrypoint.backup.timeout.seconds", String.valueOf(timeoutSeconds()));
        p.put("entrypoint.backup.watch.enabled", String.valueOf(serving && !dryRun && !root));
        p.put("entrypoint.backup.watch.interval", String.valueOf(watchIntervalSeconds() * 1000L));
        for (String type : SCHEDULED) {
            String quartz = CronSchedule.NEVER;
            try {
                quartz = schedule(type).map(CronSchedule::toQuartz).orElse(CronSchedule.NEVER);
            } catch (IllegalArgumentException invalid) {
                // validation reports it and the start ends before any schedule could fire
            }
            p.put("entrypoint.backup.schedule." + type, quartz);
            p.put("entrypoint.backup.schedule." + type + ".enabled",
                    String.valueOf(serving && !dryRun && !root && !quartz.equals(CronSchedule.NEVER)));
        }
        return p;
    }

    /** Whether a schedule route may be loaded: backups run and at least one schedule is set. */
    public boolean anySchedule() {
        return runtime() && SCHEDULED.stream().anyMatch(t -> schedule(t).isPresent());
    }

    /**
     * pgBackRest options given as variables: {@code PGBACKREST_REPO1_PATH=/x} is {@code repo1-path=/x}; a
     * secret given as {@code X_FILE} is read from that file (one that cannot be read is left out: validation
     * reports it).
     */
    Map<String, String> environmentOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        settings.startingWith(PREFIX).forEach((name, value) -> {
            String suffix = name.substring(PREFIX.length());
            Matcher secretFile = SECRET_FILE.matcher(name);
            if (secretFile.matches()) {
                String variable = PREFIX + secretFile.group(1);
                if (settings.raw(variable).isEmpty()) {
                    settings.secret(variable).ifPresent(secret -> options.put(optionName(variable), secret));
                }
            } else if (!Settings.BACKUP_VARIABLES.contains(suffix) && !name.equals(STANZA)) {
                options.put(optionName(name), value);
            }
        });
        return options;
    }

    /** The secret options given as {@code X_FILE}, by the name of X ({@code PGBACKREST_REPO1_CIPHER_PASS}). */
    List<String> secretFileVariables() {
        return settings.startingWith(PREFIX).keySet().stream().map(SECRET_FILE::matcher).filter(Matcher::matches)
                .map(m -> PREFIX + m.group(1)).toList();
    }

    static String optionName(String variable) {
        return variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String variableName(String option) {
        return PREFIX + option.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * The entrypoint's own variables under their deprecated {@code PGBACKREST_*} names that are set: pgBackRest
     * would reject them as options ("invalid option"), so they are kept out of the processes it starts that may
     * run pgBackRest themselves.
     */
    public static List<String> deprecatedVariables(Settings settings) {
        return settings.startingWith(PREFIX).keySet().stream()
                .filter(n -> Settings.BACKUP_VARIABLES.contains(n.substring(PREFIX.length()))).toList();
    }

    /**
     * Names of every {@code PGBACKREST_*} variable set (the file has them) and of the entrypoint's own backup
     * variables set: kept away from pgBackRest, Patroni and postgres.
     */
    public List<String> variables() {
        return settings.backupEnvironment();
    }

    /**
     * The directory of the rendered configuration, the status file and the control socket (mode 0700), beside
     * STATE_FILE and named after it, so each instance has its own: {@code <STATE_FILE without its extension>.pgbackrest},
     * e.g. {@code /tmp/pg-entrypoint-var-lib-postgresql-data.pgbackrest}. When the socket's path would be too long,
     * {@code pg-entrypoint-<hash of STATE_FILE's path>.pgbackrest} beside it.
     */
    public Path runDir() {
        Path state = settings.stateFile().toAbsolutePath().normalize();
        String name = state.getFileName() == null ? "pg-entrypoint" : state.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path named = state.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + RUN_DIR_SUFFIX);
        if (named.equals(state)) {
            named = state.resolveSibling(name + RUN_DIR_SUFFIX);
        }
        if (!socketPathTooLong(named, MAX_SOCKET_PATH)) {
            return named;
        }
        return state.resolveSibling("pg-entrypoint-" + Integer.toHexString(state.toString().hashCode()) + RUN_DIR_SUFFIX);
    }

    public Path configFile() {
        return runDir().resolve("pgbackrest.conf");
    }

    public Path statusFile() {
        return runDir().resolve("status.json");
    }

    public Path controlSocket() {
        return runDir().resolve(CONTROL_SOCKET);
    }

    boolean socketPathTooLong() {
        return socketPathTooLong(runDir(), MAX_SOCKET_PATH);
    }

    private static boolean socketPathTooLong(Path runDir, int max) {
        return runDir.resolve(CONTROL_SOCKET).toString().getBytes(StandardCharsets.UTF_8).length > max;
    }

    Path userFile() {
        return settings.configDir().resolve("pgbackrest.conf");
    }

    Path userIncludeDir() {
        return settings.configDir().resolve("pgbackrest.conf.d");
    }

    /** The pgbackrest executable on PATH. */
    Optional<Path> executable() {
        return Executables.onPath("pgbackrest", settings.raw("PATH").orElse("/usr/local/bin:/usr/bin:/bin"))
                .map(Path::toAbsolutePath);
    }

    /**
     * A point in time as pgBackRest and PostgreSQL both read it, {@code YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]}:
     * a {@code T} between date and time and {@code Z} for UTC are accepted too.
     *
     * @throws IllegalArgumentException when it is not such a time
     */
    static String normalizeTargetTime(String value) {
        Matcher m = TARGET_TIME.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a point in time pgBackRest can use: write "
                    + "YYYY-MM-DD HH:MM:SS with the UTC offset, e.g. 2024-05-01 12:30:00+00 (fractions of a "
                    + "second are allowed; an offset is required so the time means the same everywhere)");
        }
        String zone = m.group(3).equals("Z") ? "+00" : m.group(3);
        String iso = m.group(1) + "T" + m.group(2) + (zone.length() == 3 ? zone + ":00"
                : zone.contains(":") ? zone : zone.substring(0, 3) + ":" + zone.substring(3));
        try {
            OffsetDateTime.parse(iso);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a valid date and time: " + e.getMessage());
        }
        return m.group(1) + " " + m.group(2) + zone;
    }
}
