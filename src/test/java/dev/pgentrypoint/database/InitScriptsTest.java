package dev.pgentrypoint.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitScriptsTest {

    @TempDir
    Path dir;

    private Path scriptsDir;
    private Path bin;
    private final Map<String, String> env = new HashMap<>();
    private final List<Database> databases = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        scriptsDir = Files.createDirectories(dir.resolve("initdb.d"));
        bin = dir.resolve("bin");
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("INITDB_SCRIPTS_DIR", scriptsDir.toString());
        env.put("PG_SOCKET_DIR", "/run/pg-sock");
        env.put("PGPORT", "5544");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Database d : databases) {
            d.cleanup();
        }
    }

    private InitScripts scripts() {
        Settings settings = new Settings(env, List.of(), Path.of("/opt/pg-entrypoint"));
        Optional<PgBinaries> binaries = PgBinaries.discover(Optional.of(bin.toString()), null, dir);
        Database database = new Database(settings, new DataDirectory(settings.pgdataPath()), binaries);
        databases.add(database);
        return new InitScripts(settings, database);
    }

    private Path script(String name, String content) throws IOException {
        return Files.writeString(scriptsDir.resolve(name), content, StandardCharsets.UTF_8);
    }

    /** The VAR=value arguments after setsid's "/usr/bin/env". */
    private static Map<String, String> envEntries(List<String> args) {
        assertEquals("/usr/bin/env", args.get(0), "setsid runs env first");
        Map<String, String> entries = new HashMap<>();
        for (String a : args.subList(1, args.size())) {
            int eq = a.indexOf('=');
            if (eq <= 0 || a.startsWith("-")) {
                break;
            }
            entries.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return entries;
    }

    private static List<String> command(List<String> args) {
        return args.subList(1 + envEntries(args).size(), args.size());
    }

    @Test
    void scriptsRunInByteOrderAndOtherFilesAreIgnored() throws IOException {
        script("b.sql", "select 1;");
        script("A.sh", "echo A");
        script("10-x.sql.gz", "");
        script("2-y.sql", "select 2;");
        script("_z.sh", "echo z");
        script("readme.txt", "not a script");
        script("c.sql.bak", "select 3;");
        script("d.SQL", "select 4;");
        script("e.sql.xz", "");
        script("f.sql.zst", "");
        script("g.sql.bz2", "");
        Files.createDirectories(scriptsDir.resolve("sub.sql"));

        InitScripts s = scripts();
        List<String> expected = List.of("10-x.sql.gz", "2-y.sql", "A.sh", "_z.sh", "b.sql", "e.sql.xz", "f.sql.zst");
        assertEquals(expected.stream().map(n -> scriptsDir.resolve(n).toString()).toList(), s.scripts());
        assertEquals(expected.stream().map(scriptsDir::resolve).toList(), s.scriptPaths());
        assertEquals(List.of("c.sql.bak", "d.SQL", "g.sql.bz2", "readme.txt", "sub.sql"), s.ignoredNames());
    }

    @Test
    void scriptNamesAreAbsolute() throws IOException {
        script("01.sql", "select 1;");
        env.put("INITDB_SCRIPTS_DIR", Path.of("").toAbsolutePath().relativize(scriptsDir).toString());
        List<String> names = scripts().scripts();
        assertEquals(1, names.size(), names::toString);
        assertTrue(Path.of(names.get(0)).isAbsolute(), names.get(0));
        assertEquals(scriptsDir.resolve("01.sql"), Path.of(names.get(0)).normalize());
    }

    @Test
    void missingDirectoryMeansNoScripts() {
        env.put("INITDB_SCRIPTS_DIR", dir.resolve("absent").toString());
        InitScripts s = scripts();
        assertEquals(List.of(), s.scripts());
        assertEquals(List.of(), s.ignored());
        ValidationReport report = new ValidationReport();
        s.validate(report);
        assertEquals(List.of(), report.errors());
    }

    @Test
    void scriptsDirThatIsAFileIsInvalid() throws IOException {
        env.put("INITDB_SCRIPTS_DIR", Files.writeString(dir.resolve("file"), "x").toString());
        ValidationReport report = new ValidationReport();
        scripts().validate(report);
        assertEquals(1, report.errors().size(), report.errors()::toString);
        assertEquals("INITDB_SCRIPTS_DIR", report.errors().get(0).subject());
    }

    @Test
    void noTemporaryServerForThePostgresDatabaseWithoutScripts() {
        env.put("POSTGRES_DB", "postgres");
        assertFalse(scripts().needsTemporaryServer());
        env.remove("POSTGRES_DB");
        assertFalse(scripts().needsTemporaryServer(), "POSTGRES_DB defaults to the superuser postgres");
    }

    @Test
    void anotherDatabaseNeedsTheTemporaryServer() {
        env.put("POSTGRES_DB", "app");
        assertTrue(scripts().needsTemporaryServer());
        env.remove("POSTGRES_DB");
        env.put("POSTGRES_USER", "alice");
        assertTrue(scripts().needsTemporaryServer(), "POSTGRES_DB defaults to the superuser alice");
    }

    @Test
    void aScriptNeedsTheTemporaryServer() throws IOException {
        env.put("POSTGRES_DB", "postgres");
        script("01.sql", "select 1;");
        assertTrue(scripts().needsTemporaryServer());
    }

    @Test
    void ignoredFilesDoNotNeedTheTemporaryServer() throws IOException {
        env.put("POSTGRES_DB", "postgres");
        script("notes.md", "x");
        assertFalse(scripts().needsTemporaryServer());
    }

    @Test
    void shellScriptsRunThroughBash() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        Path sh = script("01-setup.sh", "echo hi");
        List<String> args = scripts().scriptArgs(sh.toString());
        assertEquals(List.of("bash", sh.toString()), command(args));
    }

    @Test
    void sqlScriptsRunThroughPsqlWithTheFile() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        env.put("POSTGRES_DB", "app");
        Path sql = script("02-schema.sql", "create table t(i int);");
        InitScripts s = scripts();
        List<String> cmd = command(s.scriptArgs(sql.toString()));
        assertEquals(List.of(bin.resolve("psql").toString(), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--no-password",
                "--dbname", "app", "-f", sql.toString()), cmd);
        try (InputStream in = s.scriptInput(sql.toString())) {
            assertEquals(0, in.readAllBytes().length);
        }
    }

    @Test
    void gzippedSqlIsFedThroughStandardInput() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        Path gz = scriptsDir.resolve("03-data.sql.gz");
        String sql = "insert into t values (1);\n-- é ü\n";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(sql.getBytes(StandardCharsets.UTF_8));
        }
        InitScripts s = scripts();
        List<String> cmd = command(s.scriptArgs(gz.toString()));
        assertEquals(List.of("-f", "-"), cmd.subList(cmd.size() - 2, cmd.size()));
        assertEquals(bin.resolve("psql").toString(), cmd.get(0));
        try (InputStream in = s.scriptInput(gz.toString())) {
            assertEquals(sql, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Runs a script's command with {@code cat} in place of psql; returns exit code and output. */
    private String[] runWithCat(List<String> cmd) throws Exception {
        List<String> command = new java.util.ArrayList<>(cmd.subList(0, cmd.indexOf(bin.resolve("psql").toString())));
        command.add("cat");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void xzAndZstdSqlIsDecompressedIntoPsqlAndACorruptFileFails() throws Exception {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        String sql = "insert into t values (1);\n";
        for (String tool : List.of("xz", "zstd")) {
            Path plain = script("04-data-" + tool + ".sql", sql);
            Process c = new ProcessBuilder(tool, "-q", plain.toString()).redirectErrorStream(true).start();
            assertEquals(0, c.waitFor(), tool + " is needed by the image and the tests");
            Path compressed = scriptsDir.resolve(plain.getFileName() + (tool.equals("xz") ? ".xz" : ".zst"));
            assertTrue(Files.exists(compressed));
            List<String> cmd = command(scripts().scriptArgs(compressed.toString()));
            assertEquals(List.of("-f", "-"), cmd.subList(cmd.size() - 2, cmd.size()));
            assertEquals(List.of("0", sql), List.of(runWithCat(cmd)));
            try (InputStream in = scripts().scriptInput(compressed.toString())) {
                assertEquals(0, in.readAllBytes().length, "the decompressor reads the file itself");
            }
            Files.writeString(compressed, "not compressed");
            assertNotEquals("0", runWithCat(command(scripts().scriptArgs(compressed.toString())))[0], "corrupt " + tool);
        }
    }

    @Test
    void theEntrypointsOwnVariablesUnderTheirDeprecatedPgBackRestNamesDoNotReachScripts() throws Exception {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        env.put("PGBACKREST_ENABLED", "true");
        env.put("PGBACKREST_RESTORE", "false");
        env.put("PGBACKREST_SCHEDULE_FULL", "0 3 * * *");
        env.put("PGBACKREST_STANZA", "db");
        env.put("PGBACKREST_REPO1_PATH", "/repo");
        env.put("BACKUP_REQUIRED", "true");
        List<String> args = scripts().scriptArgs(script("x.sh", "").toString());
        assertEquals(List.of("/usr/bin/env", "-u", "PGBACKREST_ENABLED", "-u", "PGBACKREST_RESTORE", "-u",
                "PGBACKREST_SCHEDULE_FULL"), args.subList(0, 7));
        assertFalse(args.contains("BACKUP_REQUIRED"), "the new names are not pgBackRest's: scripts may read them");
        assertFalse(args.contains("PGBACKREST_REPO1_PATH"), "pgBackRest's own options stay");
        assertFalse(args.contains("PGBACKREST_STANZA"), "stanza is an option of pgBackRest too");
    }

    @Test
    void environmentOfScriptsWithoutPassword() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        env.put("POSTGRES_USER", "alice");
        env.put("POSTGRES_DB", "app");
        Map<String, String> e = envEntries(scripts().scriptArgs(script("x.sh", "").toString()));
        assertEquals("/run/pg-sock", e.get("PGHOST"));
        assertEquals("5544", e.get("PGPORT"));
        assertEquals("alice", e.get("PGUSER"));
        assertEquals("app", e.get("PGDATABASE"));
        assertEquals("alice", e.get("POSTGRES_USER"));
        assertEquals("app", e.get("POSTGRES_DB"));
        assertEquals(dir.resolve("data").toString(), e.get("PGDATA"));
        assertFalse(e.containsKey("PGPASSFILE"), e::toString);
        assertFalse(e.containsKey("POSTGRES_PASSWORD"), e::toString);
    }

    @Test
    void passwordGoesIntoAPrivatePassFileWithEscaping() throws IOException {
        String password = "pa:ss\\wo:rd";
        env.put("POSTGRES_PASSWORD", password);
        env.put("POSTGRES_USER", "us:er");
        List<String> args = scripts().scriptArgs(script("x.sql", "select 1;").toString());
        for (String a : args) {
            assertFalse(a.contains(password), a);
        }
        Map<String, String> e = envEntries(args);
        Path pgpass = Path.of(e.get("PGPASSFILE"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pgpass)));
        assertEquals("*:*:*:us\\:er:pa\\:ss\\\\wo\\:rd\n", Files.readString(pgpass));
    }

    @Test
    void createDatabaseUsesThePostgresDatabaseAndAVariable() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        env.put("POSTGRES_DB", "my app");
        InitScripts s = scripts();
        List<String> cmd = command(s.createDatabaseArgs());
        assertEquals(List.of(bin.resolve("psql").toString(), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--no-password",
                "--dbname", "postgres", "-v", "db=my app", "-f", "-"), cmd);
        assertTrue(s.createDatabaseInput().contains("CREATE DATABASE %I"));
        assertTrue(s.createDatabaseInput().contains(":'db'"));
    }
}
