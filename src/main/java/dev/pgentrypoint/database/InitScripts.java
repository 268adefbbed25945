package dev.pgentrypoint.database;

import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The scripts of {@code /docker-entrypoint-initdb.d} ({@code INITDB_SCRIPTS_DIR}) and the commands that
 * run them against the temporary socket-only server: {@code *.sql}, {@code *.sql.gz}, {@code *.sql.xz} and
 * {@code *.sql.zst} through psql, {@code *.sh} through bash, in byte order of their names; other files are
 * logged as ignored, as in the official image.
 */
public final class InitScripts {
    static final String CREATE_DATABASE_SQL = "SELECT format('CREATE DATABASE %I', :'db') "
            + "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec\n";

    private final Settings settings;
    private final Database database;

    public InitScripts(Settings settings, Database database) {
        this.settings = settings;
        this.database = database;
    }

    public void validate(ValidationReport report) {
        Path dir = settings.initdbScriptsDir();
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir) || !Files.isReadable(dir) || !Files.isExecutable(dir)) {
            report.invalid("INITDB_SCRIPTS_DIR", dir + " cannot be listed: make it a readable directory");
            return;
        }
        for (Path script : scriptPaths()) {
            if (!Files.isReadable(script)) {
                report.invalid("INITDB_SCRIPTS_DIR", script + " is not readable: fix its mode or remove it");
            }
        }
    }

    /** The scripts that will run, in order, as absolute path names. */
    public List<String> scripts() {
        return scriptPaths().stream().map(p -> p.toAbsolutePath().toString()).toList();
    }

    List<Path> scriptPaths() {
        Path dir = settings.initdbScriptsDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(InitScripts::runnable).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Files of the directory that are not scripts, logged as ignored. */
    public List<Path> ignored() {
        Path dir = settings.initdbScriptsDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !runnable(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The kinds of scripts that run, by the end of their names. */
    static final List<String> KINDS = List.of(".sh", ".sql", ".sql.gz", ".sql.xz", ".sql.zst");

    static boolean runnable(Path p) {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && KINDS.stream().anyMatch(name::endsWith);
    }

    /** The names of the ignored files, for the log line that says so. */
    public List<String> ignoredNames() {
        return ignored().stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Whether a first initialization needs the temporary server: a database to create or a script to run. */
    public boolean needsTemporaryServer() {
        return !"postgres".equals(settings.database()) || !scripts().isEmpty();
    }

    /** {@code env} arguments creating POSTGRES_DB when missing; the SQL comes from {@link #createDatabaseInput()}. */
    public List<String> createDatabaseArgs() throws IOException {
        List<String> args = environment();
        settings.secretVariables().forEach(name -> args.addAll(1, List.of("-u", name)));
        args.addAll(psql("postgres"));
        args.addAll(List.of("-v", "db=" + settings.database(), "-f", "-"));
        return args;
    }

    public String createDatabaseInput() {
        return CREATE_DATABASE_SQL;
    }

    /** {@code env} arguments running one script. */
    public List<String> scriptArgs(String scriptName) throws IOException {
        Path script = Path.of(scriptName);
        List<String> args = environment();
        String name = script.getFileName().toString();
        if (name.endsWith(".sh")) {
            args.addAll(List.of("bash", script.toString()));
        } else if (name.endsWith(".sql.xz") || name.endsWith(".sql.zst")) {
            // decompressed by xz or zstd and piped into psql; pipefail: a corrupt file fails the script
            String decompress = name.endsWith(".xz") ? "xz" : "zstd";
            args.addAll(List.of("bash", "-c", "set -o pipefail; file=$1; shift; " + decompress + " -dc -- \"$file\" | \"$@\"",
                    decompress, script.toString()));
            args.addAll(psql(settings.database()));
            args.addAll(List.of("-f", "-"));
        } else {
            args.addAll(psql(settings.database()));
            args.addAll(List.of("-f", name.endsWith(".gz") ? "-" : script.toString()));
        }
        return args;
    }

    /** The standard input of a script: the decompressed SQL of a {@code .sql.gz}, else nothing. */
    public InputStream scriptInput(String scriptName) throws IOException {
        Path script = Path.of(scriptName);
        if (script.getFileName().toString().endsWith(".sql.gz")) {
            return new GZIPInputStream(Files.newInputStream(script));
        }
        return InputStream.nullInputStream();
    }

    private List<String> psql(String dbname) {
        return new ArrayList<>(List.of(database.psql(), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--no-password", "--dbname", dbname));
    }

    /**
     * The arguments after {@code setsid}: the command runs in a process group of its own, so a stop
     * reaches the background jobs a script leaves behind too. Then {@code env} sets the variables.
     */
    private List<String> environment() throws IOException {
        List<String> env = new ArrayList<>(List.of("/usr/bin/env"));
        // our own variables under their deprecated PGBACKREST_* names would reach a pgbackrest the script runs
        // as (invalid) options of its own
        BackupSettings.deprecatedVariables(settings).forEach(name -> env.addAll(List.of("-u", name)));
        env.addAll(List.of("PGHOST=" + settings.socketDir(), "PGPORT=" + settings.port(),
                "PGUSER=" + settings.superuser(), "PGDATABASE=" + settings.database(),
                "POSTGRES_USER=" + settings.superuser(), "POSTGRES_DB=" + settings.database(),
                "PGDATA=" + settings.pgdata()));
        Optional<Path> pgpass = database.pgpass();
        pgpass.ifPresent(p -> env.add("PGPASSFILE=" + p));
        return env;
    }

    public List<String> plan() {
        if (!database.needsInit()) {
            return List.of("skip init scripts: existing data");
        }
        if (!needsTemporaryServer()) {
            return List.of("skip the temporary server: no database to create and no script in "
                    + settings.initdbScriptsDir());
        }
        List<String> lines = new ArrayList<>();
        lines.add("start a temporary server on the socket only (listen_addresses='') in " + settings.socketDir());
        if (!"postgres".equals(settings.database())) {
            lines.add("create database " + ShellWords.quote(settings.database()) + " if missing");
        }
        scripts().forEach(s -> lines.add("run " + s));
        ignored().forEach(s -> lines.add("ignore " + s));
        lines.add("stop the temporary server (fast)");
        return lines;
    }
}
