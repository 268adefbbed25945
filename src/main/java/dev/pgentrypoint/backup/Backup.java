package dev.pgentrypoint.backup;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.os.AtomicFiles;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;

/**
 * Module 04-backup: pgBackRest's directories and rendered configuration, the WAL archiving
 * parameters of PostgreSQL, and the command lines of the stanza, check and backup routes. Every
 * pgBackRest command runs through {@code env -u PGBACKREST_...} with {@code --config} and
 * {@code --stanza}, so the rendered file is its only source of options.
 */
public final class Backup {
    static final String HEADER = "# Rendered by pg-entrypoint at every start from PGBACKREST_* and CONFIG_DIR/pgbackrest.conf[.d];\n"
            + "# edit those instead. Readable by the postgres user only: it may hold repository secrets.\n";

    private final Settings settings;
    private final BackupSettings backup;
    private final Optional<PgBinaries> binaries;
    private final Privileges privileges;
    private final DataDirectory data;

    public Backup(BackupSettings backup, Optional<PgBinaries> binaries, Privileges privileges, DataDirectory data) {
        this.settings = backup.settings();
        this.backup = backup;
        this.binaries = binaries;
        this.privileges = privileges;
        this.data = data;
    }

    public void validate(ValidationReport report) {
        new BackupValidator(backup, privileges, data).validate(report);
    }

    /** Why the postgres user could not use {@code dir} as a pgBackRest directory, if it could not. */
    static Optional<String> pathProblem(Path dir, Privileges privileges) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of(dir + " exists and is not a directory: remove it or choose another path");
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            return Optional.of("cannot create " + dir + ": " + existing + " is not a directory" + Privileges.describe(dir));
        }
        if (!privileges.isRoot() && (!Files.isWritable(existing) || !Files.isExecutable(existing))) {
            return Optional.of((existing.equals(dir) ? dir + " is not writable" : "cannot create " + dir + ": "
                    + existing + " is not writable") + " by uid " + privileges.uid()
                    + ": fix its owner or mode, start as root to have it fixed, or choose another path"
                    + Privileges.describe(dir));
        }
        return Optional.empty();
    }

    /** The directories pgBackRest writes to, by the variable or file that names them; the run directory last. */
    Map<String, Path> directories() {
        ConfigAssembler.Result assembled = ConfigAssembler.assemble(backup);
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String stanza : backup.stanzas()) {
            for (int repo : ConfigAssembler.repositories(assembled.config())) {
                String type = assembled.config().effective(stanza, "repo" + repo + "-type").orElse("posix");
                if (type.equals("posix") || type.equals("cifs")) {
                    assembled.config().effective(stanza, "repo" + repo + "-path")
                            .ifPresent(p -> dirs.putIfAbsent(assembled.subject("repo" + repo + "-path") + " " + p, Path.of(p)));
                }
            }
            for (String key : List.of("log-path", "lock-path", "spool-path")) {
                assembled.config().effective(stanza, key).ifPresent(p -> dirs.putIfAbsent(assembled.subject(key) + " " + p, Path.of(p)));
            }
        }
        dirs.put("STATE_FILE (its directory) " + backup.runDir(), backup.runDir());
        return dirs;
    }

    /** Creates every directory pgBackRest writes to and, as root, gives each one that is not the postgres user's to it. */
    public void prepareDirectories() {
        for (Map.Entry<String, Path> e : directories().entrySet()) {
            Path dir = e.getValue();
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
                    Audit.event("mkdir", Map.of("path", dir.toString(), "variable", e.getKey()));
                }
                if (privileges.isRoot() && !ownedByTarget(dir)) {
                    privileges.chownWrongOwned(dir);
                }
            } catch (IOException | RuntimeException ex) {
                throw new EntrypointException("init-backup-directories", ExitCode.INIT_FAILED, "cannot prepare "
                        + e.getKey() + ": " + ex.getMessage() + Privileges.describe(dir), ex);
            }
        }
        try {
            Files.setPosixFilePermissions(backup.runDir(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new EntrypointException("init-backup-directories", ExitCode.INIT_FAILED, "cannot restrict "
                    + backup.runDir() + " to mode 0700: " + e.getMessage(), e);
        }
    }

    private boolean ownedByTarget(Path dir) throws IOException {
        return privileges.targetUid().isPresent()
                && ((Integer) Files.getAttribute(dir, "unix:uid")) == privileges.targetUid().getAsInt();
    }

    /** Renders the configuration (mode 0600) over the previous one, atomically; the previous run's backup status goes. */
    public void writeConfig() throws IOException {
        Files.deleteIfExists(backup.statusFile());
        PgBackRestConfig config = ConfigAssembler.assemble(backup).config();
        Masking.register(config.secrets());
        String text = config.render(HEADER);
        Path target = backup.configFile();
        Files.createDirectories(target.getParent());
        AtomicFiles.write(target, text, PosixFilePermissions.fromString("rw-------"));
        Audit.event("pgbackrest-config", Map.of("path", target.toString(), "stanza", backup.stanza()));
    }

    /**
     * PostgreSQL parameters for our settings file: WAL archiving to pgBackRest when backups are on; none
     * otherwise, so archive_mode keeps PostgreSQL's default (off), as in the official image.
     */
    public Map<String, String> postgresParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (backup.enabled()) {
            String base = ShellWords.quote(executable()) + " --config=" + ShellWords.quote(backup.configFile().toString())
                    + " --stanza=" + backup.stanza();
            parameters.put("archive_mode", "on");
            parameters.put("archive_command", base + " archive-push %p");
            parameters.put("restore_command", base + " archive-get %f \"%p\"");
        }
        return parameters;
    }

    String executable() {
        return backup.executable().map(Path::toString).orElse("pgbackrest");
    }

    /** {@code env} arguments running one pgBackRest command on {@code stanza}, with the PGBACKREST_* variables removed. */
    List<String> pgbackrest(String stanza, String command, String... options) {
        List<String> args = new ArrayList<>();
        backup.variables().forEach(v -> args.addAll(List.of("-u", v)));
        args.addAll(List.of(executable(), "--config=" + backup.configFile(), "--stanza=" + stanza));
        args.addAll(List.of(options));
        args.add(command);
        return args;
    }

    /** The pgBackRest command of the exchange's {@code CamelExecCommandArgs}, shell-quoted, for the log. */
    public String commandLine(Exchange exchange) {
        List<?> args = exchange.getIn().getHeader("CamelExecCommandArgs", List.class);
        List<String> words = new ArrayList<>();
        for (int i = 0; args != null && i < args.size(); i++) {
            if ("-u".equals(args.get(i))) {
                i++;
            } else {
                words.add(ShellWords.quote(String.valueOf(args.get(i))));
            }
        }
        return String.join(" ", words);
    }

    public List<String> infoArgs() {
        return pgbackrest(backup.stanza(), "info", "--output=json");
    }

    /** {@code pgbackrest verify}: reads every file of the repositories and checks it against its checksum. */
    public List<String> verifyArgs() {
        return pgbackrest(backup.stanza(), "verify");
    }

    /** Seconds a watch's {@code pgbackrest info} waits for a repository to answer, unless io-timeout is configured. */
    static final int WATCH_IO_TIMEOUT = 10;

    /**
     * {@code pgbackrest info} of the repository watch: with a short {@code io-timeout} unless one is configured,
     * so an unreachable repository is reported in seconds, not after pgBackRest's minute per file.
     */
    public List<String> watchInfoArgs() {
        boolean configured = ConfigAssembler.assemble(backup).config().keys().contains("io-timeout");
        return configured ? infoArgs() : pgbackrest(backup.stanza(), "info", "--output=json", "--io-timeout=" + WATCH_IO_TIMEOUT);
    }

    public List<String> stanzaArgs(String action) {
        return pgbackrest(backup.stanza(), "stanza-" + action);
    }

    public List<String> checkArgs() {
        return pgbackrest(backup.stanza(), "check");
    }

    /** A backup of a type validated by {@link BackupStatus#begin}; its label is read from the console output. */
    public List<String> backupArgs(String type) {
        return backupArgs(type, 0);
    }

    /** A backup to repository {@code repo} (checked by {@link BackupStatus#begin}); 0 leaves the choice to pgBackRest (repo1). */
    public List<String> backupArgs(String type, int repo) {
        if (!BackupSettings.TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown backup type " + type);
        }
        return repo > 0 ? pgbackrest(backup.stanza(), "backup", "--type=" + type, "--repo=" + repo, "--log-level-console=info")
                : pgbackrest(backup.stanza(), "backup", "--type=" + type, "--log-level-console=info");
    }

    /**
     * What the stanza needs, from {@code pgbackrest info}: {@code create} when the repository does not
     * have it, {@code upgrade} after a major upgrade of PostgreSQL, else {@code none}.
     */
    public String stanzaAction(String infoJson) {
        StanzaInfo info = StanzaInfo.parse(infoJson, backup.stanza());
        if (info.creatable()) {
            return "create";
        }
        if (!info.exists()) {
            throw new IllegalStateException("stanza " + backup.stanza() + " cannot be used: pgBackRest reports '"
                    + info.message() + "' (status " + info.code() + ")");
        }
        String version = data.version().orElse("");
        return !version.isEmpty() && !version.equals(info.latestVersion()) ? "upgrade" : "none";
    }

    /** {@code env} arguments of a one-line query over the Unix socket, as the user pgBackRest connects as. */
    List<String> psql(String sql) {
        String user = ConfigAssembler.assemble(backup).config().effective(backup.stanza(), "pg1-user")
                .orElse(settings.superuser());
        String psql = binaries.map(b -> b.tool("psql").toString()).orElse("psql");
        return new ArrayList<>(List.of("PGHOST=" + settings.socketDir(), "PGPORT=" + settings.port(), "PGUSER=" + user,
                "PGDATABASE=postgres", "PGCONNECT_TIMEOUT=10", psql, "--no-psqlrc", "--no-password", "--tuples-only",
                "--no-align", "-v", "ON_ERROR_STOP=1", "-c", sql));
    }

    public List<String> primaryQueryArgs() {
        return psql("SELECT pg_is_in_recovery()");
    }

    /** One row of pg_stat_archiver: {@code archived|failed|last_archived|last_failed|last_failed_wal}, times in epoch seconds. */
    public List<String> archiverQueryArgs() {
        return psql("SELECT archived_count, failed_count, coalesce(extract(epoch FROM last_archived_time)::bigint, 0), "
                + "coalesce(extract(epoch FROM last_failed_time)::bigint, 0), coalesce(last_failed_wal, '') FROM pg_stat_archiver");
    }

    /** Stops a pgbackrest command of ours that is still running at shutdown: SIGTERM, SIGKILL after 10 s. */
    public void stopRunningCommands() {
        List<ProcessHandle> running = ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/pgbackrest")).orElse(false)).toList();
        running.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            }
        }
    }

    /** The part of the plan that init-backup-directories does (before the privilege drop, in every mode). */
    public List<String> directoriesPlan() {
        List<String> lines = new ArrayList<>();
        if (backup.active()) {
            directories().forEach((what, dir) -> lines.add((Files.isDirectory(dir) ? "keep " : "mkdir ") + dir + " (" + what + ")"));
        }
        return lines;
    }

    public List<String> plan() {
        if (!backup.active()) {
            return List.of("no WAL archiving: archive_mode keeps its default, off (BACKUP_ENABLED is not true)");
        }
        List<String> lines = new ArrayList<>(directoriesPlan());
        lines.add("write " + backup.configFile() + " (0600, stanza " + backup.stanza() + ")");
        postgresParameters().forEach((k, v) -> lines.add("set " + k + " = " + v));
        if (backup.enabled()) {
            lines.add("after PostgreSQL is up: stanza-create (or stanza-upgrade) if needed, then pgbackrest check; on failure "
                    + (backup.required() ? "exit 2 (BACKUP_REQUIRED=true)" : "keep serving, backup health unhealthy"));
            for (String type : BackupSettings.BACKUP_SCHEDULES) {
                backup.schedule(type).ifPresent(s -> lines.add(type.replace("-repo", " backups to repository ")
                        + (type.contains("-repo") ? "" : " backups") + " on schedule '" + s + "'"));
            }
            backup.schedule("verify").ifPresent(s -> lines.add("pgbackrest verify on schedule '" + s + "'"));
        }
        return lines;
    }
}
