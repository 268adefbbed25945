package dev.pgentrypoint.database;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.os.PostmasterPid;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;


/** Module 02-database: decides whether initdb runs, builds its arguments, and keeps the secrets out of argv and logs. */
public final class Database {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("pg-entrypoint.init");
    /** initdb options the entrypoint sets itself; users set them through their variables instead. */
    static final Map<String, String> DENIED_INITDB_OPTIONS = Map.ofEntries(
            Map.entry("-D", "PGDATA"), Map.entry("--pgdata", "PGDATA"),
            Map.entry("-U", "POSTGRES_USER"), Map.entry("--username", "POSTGRES_USER"),
            Map.entry("--pwfile", "POSTGRES_PASSWORD_FILE"), Map.entry("-W", "POSTGRES_PASSWORD"),
            Map.entry("--pwprompt", "POSTGRES_PASSWORD"),
            Map.entry("-X", "POSTGRES_INITDB_WALDIR"), Map.entry("--waldir", "POSTGRES_INITDB_WALDIR"),
            Map.entry("-n", "nothing: a failed initdb must clean up after itself"),
            Map.entry("--no-clean", "nothing: a failed initdb must clean up after itself"),
            Map.entry("-S", "nothing: it does not initialize"), Map.entry("--sync-only", "nothing: it does not initialize"),
            Map.entry("-s", "nothing: it does not initialize"), Map.entry("--show", "nothing: it does not initialize"));

    private final Settings settings;
    private final DataDirectory data;
    private final Optional<PgBinaries> binaries;
    private volatile Path secretsDir;

    public Database(Settings settings, DataDirectory data, Optional<PgBinaries> binaries) {
        this.settings = settings;
        this.data = data;
        this.binaries = binaries;
    }

    public void validate(ValidationReport report) {
        for (String name : List.of("POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "POSTGRES_INITDB_ARGS")) {
            settings.checkSecret(name, report);
        }
        data.livePostmaster().ifPresent(pid -> report.invalid("PGDATA", data.path() + " is in use by a running "
                + "postmaster, pid " + pid + " (" + PostmasterPid.in(data.path()) + "), which this entrypoint did "
                + "not start: nothing was changed. Stop that server first (for example kill -INT " + pid + ")"));
        DataDirectory.Status status = data.status();
        switch (status) {
            case INCOMPLETE -> {
                if (redoable()) {
                    report.warn("PGDATA: " + data.path() + " holds a first initialization that was interrupted: it is "
                            + "moved into " + data.path().resolve(DataDirectory.SET_ASIDE_PREFIX + "<UTC time>")
                            + " and the initialization starts again");
                } else {
                    incomplete(report, data.path() + " holds an initialization that did not "
                    + "finish (marker " + (java.nio.file.Files.exists(data.innerMarker()) ? data.innerMarker()
                    : data.siblingMarker()) + "). Nothing was started. To recover: inspect the log of the failed run, "
                    + "then either move the directory aside and start again on an empty PGDATA, or, if you completed "
                    + "the remaining steps by hand, remove the marker file(s)");
                }
            }
            case FOREIGN -> report.invalid("PGDATA", data.path() + " is not empty and has no PG_VERSION, so it is not a "
                    + "PostgreSQL data directory (it holds " + String.join(", ", data.entries().stream().limit(5).toList())
                    + "): point PGDATA to an empty directory or a subdirectory of this mount");
            case INITIALIZED -> checkVersion(report);
            default -> {
                // in Patroni mode Patroni runs initdb; the patroni module checks its credentials and options.
                // A restore (module 04-backup) brings its own users and needs none of initdb's settings.
                if (settings.startupMode() == StartupMode.DIRECT && !settings.flag("BACKUP_RESTORE")) {
                    validateFirstInit(report);
                }
            }
        }
    }

    /** An unfinished initialization stops every mode but sleep, which is there to inspect and recover. */
    private void incomplete(ValidationReport report, String message) {
        if (settings.startupMode() == StartupMode.SLEEP) {
            report.warn(message);
        } else {
            report.initIncomplete("PGDATA", message);
        }
    }

    private void checkVersion(ValidationReport report) {
        Optional<String> onDisk = data.version();
        Optional<Integer> binary = binaries.flatMap(PgBinaries::majorVersion);
        if (Files.exists(data.upgradeJournal())) {
            return; // an interrupted upgrade: module init-upgrade resumes or rolls it back
        }
        if (onDisk.isPresent() && binary.isPresent() && !onDisk.get().equals(String.valueOf(binary.get()))) {
            boolean older = parseMajor(onDisk.get()) < binary.get();
            if (older && "auto".equalsIgnoreCase(settings.raw("POSTGRES_UPGRADE").orElse(""))) {
                return; // module init-upgrade validates and runs the upgrade
            }
            report.invalid("PGDATA", data.path() + " was initialized by PostgreSQL " + onDisk.get() + " but the binaries in "
                    + binaries.get().binDir() + " are PostgreSQL " + binary.get() + ": use binaries of version "
                    + onDisk.get() + " (PG_BIN_DIR)" + (older ? ", or set POSTGRES_UPGRADE=auto to upgrade it with "
                    + "pg_upgrade on start (docs/upgrade.md)" : ""));
        }
    }

    private static int parseMajor(String version) {
        try {
            return Integer.parseInt(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private void validateFirstInit(ValidationReport report) {
        if (settings.password().isEmpty() && !settings.trustRequested()
                && settings.raw("POSTGRES_PASSWORD_FILE").isEmpty()) {
            report.invalid("POSTGRES_PASSWORD", "the database is uninitialized and no superuser password is given: set "
                    + "POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, or POSTGRES_HOST_AUTH_METHOD=trust to allow every "
                    + "connection without a password (not recommended)");
        } else if (settings.password().isEmpty() && settings.raw("POSTGRES_PASSWORD_FILE").isPresent()
                && !settings.trustRequested() && Files.isRegularFile(Path.of(settings.raw("POSTGRES_PASSWORD_FILE").get()))
                && Files.isReadable(Path.of(settings.raw("POSTGRES_PASSWORD_FILE").get()))) {
            report.invalid("POSTGRES_PASSWORD_FILE", settings.raw("POSTGRES_PASSWORD_FILE").get() + " is empty: put the password in it");
        }
        if (settings.trustRequested()) {
            report.warn("POSTGRES_HOST_AUTH_METHOD=trust: every host may connect as any user WITHOUT A PASSWORD. "
                    + "Use it only for throw-away development databases.");
        }
        checkInitdbArgs(report);
        checkNames(report);
    }

    /** POSTGRES_USER and POSTGRES_DB as initdb and CREATE DATABASE accept them, checked before anything is created. */
    void checkNames(ValidationReport report) {
        String user = settings.superuser();
        String problem = nameProblem(user);
        if (problem == null && user.chars().anyMatch(c -> c == '\'' || c == '"' || c == '\\')) {
            problem = "contains a quote or a backslash, which initdb cannot bootstrap";
        }
        if (problem == null && user.startsWith("pg_")) {
            problem = "starts with pg_, which PostgreSQL reserves for its own roles";
        }
        if (problem != null) {
            report.invalid("POSTGRES_USER", "'" + user + "' " + problem + ": choose another superuser name");
        }
        String database = settings.database();
        problem = nameProblem(database);
        if (problem != null) {
            report.invalid(settings.raw("POSTGRES_DB").isPresent() || settings.raw("POSTGRES_DB_FILE").isPresent()
                    ? "POSTGRES_DB" : "POSTGRES_USER", "'" + database + "' " + problem + " as a database name: choose "
                    + "another name");
        }
    }

    private static String nameProblem(String name) {
        if (name.isBlank()) {
            return "is blank";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            return "is longer than 63 bytes, where PostgreSQL would cut it";
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "contains a control character";
        }
        return null;
    }

    /** Reports POSTGRES_INITDB_ARGS that do not parse or set what the entrypoint sets itself. */
    public void checkInitdbArgs(ValidationReport report) {
        List<String> args;
        try {
            args = ShellWords.split(settings.initdbArgsRaw());
        } catch (IllegalArgumentException e) {
            report.invalid("POSTGRES_INITDB_ARGS", "does not parse with shell quoting rules: " + e.getMessage());
            return;
        }
        for (String arg : args) {
            String owner = deniedOwner(arg);
            if (owner != null && owner.startsWith("nothing")) {
                report.invalid("POSTGRES_INITDB_ARGS", "'" + arg + "' is not allowed" + owner.substring("nothing".length()));
            } else if (owner != null) {
                report.invalid("POSTGRES_INITDB_ARGS", "'" + arg + "' is set by the entrypoint: use " + owner + " instead");
            }
        }
    }

    /** What to use instead of an initdb option the entrypoint owns; initdb accepts unambiguous long-option prefixes and grouped short options. */
    static String deniedOwner(String arg) {
        if (arg.startsWith("--") && arg.length() > 2) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            return DENIED_INITDB_OPTIONS.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("--") && e.getKey().startsWith(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (arg.startsWith("-") && arg.length() > 1) {
            for (int i = 1; i < arg.length(); i++) {
                String owner = DENIED_INITDB_OPTIONS.get("-" + arg.charAt(i));
                if (owner != null) {
                    return owner;
                }
                if ("ADELTUXc".indexOf(arg.charAt(i)) >= 0) {
                    break;
                }
            }
        }
        return null;
    }

    public boolean needsInit() {
        return data.needsInit() || redoable();
    }

    /** An interrupted first initialization by initdb, in the mode that runs initdb itself: set aside and redone. */
    boolean redoable() {
        return settings.startupMode() == StartupMode.DIRECT && !settings.flag("BACKUP_RESTORE")
                && data.status() == DataDirectory.Status.INCOMPLETE && data.interruptedInitdb();
    }

    /** Arguments of initdb; writes the password to a 0600 file that {@link #cleanup()} removes. */
    public List<String> initdbArgs() throws IOException {
        List<String> args = new ArrayList<>(List.of("--pgdata=" + data.staging(), "--username=" + settings.superuser()));
        Optional<String> password = settings.password();
        if (password.isPresent()) {
            args.add("--pwfile=" + writeSecret("pwfile", password.get() + "\n"));
        }
        settings.walDir().ifPresent(w -> args.add("--waldir=" + w));
        args.addAll(settings.initdbArgs());
        return args;
    }

    /** {@code env} arguments running initdb without any secret variable in its environment. */
    public List<String> initdbCommand() throws IOException {
        List<String> args = new ArrayList<>();
        settings.secretVariables().forEach(name -> args.addAll(List.of("-u", name)));
        args.add(binaries.map(b -> b.tool("initdb").toString()).orElse("initdb"));
        args.addAll(initdbArgs());
        return args;
    }

    /** The same arguments with the password file left out, quoted as a shell would need them, for the plan and the log. */
    public String initdbArgsForDisplay() {
        return String.join(" ", displayArgs().stream().map(ShellWords::quote).toList());
    }

    private List<String> displayArgs() {
        List<String> args = new ArrayList<>(List.of("--pgdata=" + data.staging(), "--username=" + settings.superuser()));
        settings.password().ifPresent(p -> args.add("--pwfile=<0600 file, removed afterwards>"));
        settings.walDir().ifPresent(w -> args.add("--waldir=" + w));
        args.addAll(settings.initdbArgs());
        return args;
    }

    /** The psql of the PostgreSQL binaries in use. */
    public String psql() {
        return binaries.map(b -> b.tool("psql").toString()).orElse("psql");
    }

    /**
     * {@code env} arguments of psql as the superuser over the socket, reading its SQL from standard input: no
     * psqlrc, no password prompt (the password file when a password is known), tuples only, unaligned, stopping
     * at the first error, with the given psql variables ({@code name=value}).
     */
    public List<String> socketPsql(String dbname, String... variables) throws IOException {
        List<String> args = new ArrayList<>(List.of("/usr/bin/env", "PGHOST=" + settings.socketDir(),
                "PGPORT=" + settings.port(), "PGUSER=" + settings.superuser(), "PGDATABASE=" + dbname,
                "PGCONNECT_TIMEOUT=10"));
        pgpass().ifPresent(p -> args.add("PGPASSFILE=" + p));
        args.addAll(List.of(psql(), "--no-psqlrc", "--no-password", "-tAX", "-v", "ON_ERROR_STOP=1"));
        for (String variable : variables) {
            args.addAll(List.of("-v", variable));
        }
        args.addAll(List.of("-f", "-"));
        return args;
    }

    /** A libpq password file for psql and init scripts, when a password is known; empty otherwise. */
    public Optional<Path> pgpass() throws IOException {
        Optional<String> password = settings.password();
        if (password.isEmpty()) {
            return Optional.empty();
        }
        String escaped = password.get().replace("\\", "\\\\").replace(":", "\\:");
        return Optional.of(writeSecret("pgpass", "*:*:*:" + settings.superuser().replace("\\", "\\\\")
                .replace(":", "\\:") + ":" + escaped + "\n"));
    }

    private synchronized Path writeSecret(String name, String content) throws IOException {
        if (secretsDir == null) {
            secretsDir = Files.createTempDirectory("pg-entrypoint-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = secretsDir.resolve(name);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Before initdb: an interrupted first initialization, or what a killed initdb left in the staging directory,
     * is set aside (never deleted), with a non-empty POSTGRES_INITDB_WALDIR; then the sibling marker is written.
     */
    public void markBeforeInitdb() {
        try {
            if (redoable() || Files.exists(data.staging())) {
                Path aside = data.setAside(Instant.now());
                LOG.warn("an interrupted first initialization was moved into {}; initializing again", aside);
                Audit.event("set-aside", Map.of("pgdata", data.path().toString(), "path", aside.toString()));
            }
            Optional<Path> wal = settings.walDir().map(Path::of);
            if (wal.isPresent() && Files.isDirectory(wal.get()) && !DataDirectory.isEmpty(wal.get())) {
                Path aside = wal.get().resolveSibling(wal.get().getFileName() + "." + DataDirectory.SET_ASIDE_PREFIX
                        + Instant.now().getEpochSecond());
                Files.move(wal.get(), aside);
                LOG.warn("POSTGRES_INITDB_WALDIR {} was not empty; moved it to {}", wal.get(), aside);
                Audit.event("set-aside", Map.of("pgdata", data.path().toString(), "path", aside.toString()));
            }
        } catch (IOException e) {
            throw new EntrypointException("init-database-initdb", ExitCode.INIT_FAILED, "cannot set aside the "
                    + "interrupted initialization in " + data.path() + ": " + e + "; move it aside by hand", e);
        }
        data.markBeforeInitdb(facts());
    }

    public void markAfterInitdb() {
        try {
            data.promoteStaging(facts());
            Audit.event("initdb", Map.of("pgdata", data.path().toString(), "superuser", settings.superuser()));
        } catch (IOException e) {
            throw new EntrypointException("init-database-initdb", ExitCode.INIT_FAILED,
                    "cannot write the marker " + data.innerMarker() + ": " + e.getMessage(), e);
        }
    }

    /** Called after the last init step succeeded. */
    public void complete() {
        try {
            data.unmark();
        } catch (IOException e) {
            throw new EntrypointException("init-database-complete", ExitCode.INIT_FAILED,
                    "cannot remove the marker " + data.innerMarker() + ": " + e.getMessage(), e);
        }
    }

    /** Removes the password files; never touches PGDATA. Idempotent. */
    public synchronized void cleanup() throws IOException {
        if (secretsDir == null) {
            return;
        }
        try (var files = Files.list(secretsDir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(secretsDir);
        secretsDir = null;
    }

    private String facts() {
        return "started=" + Instant.now() + " pid=" + ProcessHandle.current().pid() + " step=initdb";
    }

    public List<String> plan() {
        if (!needsInit()) {
            return List.of("skip initdb: " + data.path() + " holds PostgreSQL " + data.version().orElse("?"));
        }
        if (settings.flag("BACKUP_RESTORE")) {
            return List.of("no initdb: BACKUP_RESTORE=true restores PGDATA from pgBackRest (see init-backup)");
        }
        String initdb = binaries.map(b -> b.tool("initdb").toString()).orElse("initdb");
        List<String> lines = new ArrayList<>();
        if (redoable()) {
            lines.add("move the interrupted first initialization into " + data.path().resolve(
                    DataDirectory.SET_ASIDE_PREFIX + "<UTC time>"));
        }
        lines.addAll(List.of("write marker " + data.siblingMarker() + " (if the parent is writable)",
                "run " + ShellWords.quote(initdb) + " " + initdbArgsForDisplay(),
                "write marker " + data.innerMarker() + ", move " + data.staging() + " into PGDATA (PG_VERSION last)"));
        return lines;
    }

}
