package dev.pgentrypoint.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.core.ValidationException;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    private static Optional<PgBinaries> real;

    @TempDir
    Path dir;

    private Path pgdata;
    private final Map<String, String> env = new HashMap<>();
    private final List<Database> created = new ArrayList<>();

    @BeforeAll
    static void findBinaries() {
        real = PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"));
        assertTrue(real.isPresent(), "the tests need PostgreSQL binaries");
    }

    @BeforeEach
    void setUp() {
        pgdata = dir.resolve("data");
        env.put("PGDATA", pgdata.toString());
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Database d : created) {
            d.cleanup();
        }
    }

    private Database database() {
        Settings settings = new Settings(env, List.of(), Path.of("/opt/pg-entrypoint"));
        Database d = new Database(settings, new DataDirectory(settings.pgdataPath()), real);
        created.add(d);
        return d;
    }

    private ValidationReport validate() {
        ValidationReport report = new ValidationReport();
        database().validate(report);
        return report;
    }

    private List<ValidationError> errors() {
        return validate().errors();
    }

    private static ValidationError only(List<ValidationError> errors) {
        assertEquals(1, errors.size(), () -> "expected exactly one error, got " + errors);
        return errors.get(0);
    }

    private Path file(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void missingPgdataWithoutPasswordNamesPostgresPassword() {
        ValidationError e = only(errors());
        assertEquals("POSTGRES_PASSWORD", e.subject());
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
        assertTrue(e.message().contains("POSTGRES_PASSWORD_FILE"), e.message());
        assertTrue(e.message().contains("POSTGRES_HOST_AUTH_METHOD=trust"), e.message());
    }

    @Test
    void emptyPgdataWithoutPasswordNamesPostgresPassword() throws IOException {
        Files.createDirectories(pgdata);
        assertEquals("POSTGRES_PASSWORD", only(errors()).subject());
    }

    @Test
    void sleepModeNeedsNoPasswordForAnEmptyPgdata() throws IOException {
        Files.createDirectories(pgdata);
        env.put("STARTUP_MODE", "sleep");
        env.put("POSTGRES_INITDB_ARGS", "--pgdata=/elsewhere");
        ValidationReport report = validate();
        assertEquals(List.of(), report.errors());
    }

    @Test
    void sleepModeStillChecksSecretFiles() {
        env.put("STARTUP_MODE", "sleep");
        env.put("POSTGRES_PASSWORD_FILE", dir.resolve("absent").toString());
        assertEquals("POSTGRES_PASSWORD_FILE", only(errors()).subject());
    }

    @Test
    void passwordIsEnough() throws IOException {
        Files.createDirectories(pgdata);
        env.put("POSTGRES_PASSWORD", "secret");
        ValidationReport report = validate();
        assertEquals(List.of(), report.errors());
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void trustNeedsNoPasswordButWarns() {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        ValidationReport report = validate();
        assertEquals(List.of(), report.errors());
        assertEquals(1, report.warnings().size());
        assertTrue(report.warnings().get(0).contains("WITHOUT A PASSWORD"), report.warnings().get(0));
    }

    @Test
    void passwordAndPasswordFileAreExclusive() throws IOException {
        env.put("POSTGRES_PASSWORD", "secret");
        env.put("POSTGRES_PASSWORD_FILE", file("pw", "other\n").toString());
        ValidationError e = only(errors());
        assertEquals("POSTGRES_PASSWORD", e.subject());
        assertTrue(e.message().contains("both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE"), e.message());
    }

    @Test
    void userAndUserFileAreExclusiveToo() throws IOException {
        env.put("POSTGRES_PASSWORD", "secret");
        env.put("POSTGRES_USER", "alice");
        env.put("POSTGRES_USER_FILE", file("user", "bob").toString());
        assertEquals("POSTGRES_USER", only(errors()).subject());
    }

    @Test
    void missingPasswordFileNamesPostgresPasswordFile() {
        Path missing = dir.resolve("no-such-file");
        env.put("POSTGRES_PASSWORD_FILE", missing.toString());
        ValidationError e = only(errors());
        assertEquals("POSTGRES_PASSWORD_FILE", e.subject());
        assertTrue(e.message().contains("cannot read " + missing), e.message());
    }

    @Test
    void passwordFileThatIsADirectoryCannotBeRead() throws IOException {
        // as root every regular file is readable, so a directory stands for "unreadable"
        Path notAFile = Files.createDirectories(dir.resolve("secrets"));
        env.put("POSTGRES_PASSWORD_FILE", notAFile.toString());
        List<ValidationError> errors = errors();
        assertFalse(errors.isEmpty());
        assertTrue(errors.stream().allMatch(e -> e.subject().equals("POSTGRES_PASSWORD_FILE")), errors::toString);
        assertTrue(errors.stream().anyMatch(e -> e.message().contains("cannot read " + notAFile)), errors::toString);
    }

    @Test
    void emptyPasswordFileIsReported() throws IOException {
        env.put("POSTGRES_PASSWORD_FILE", file("pw", "\n").toString());
        ValidationError e = only(errors());
        assertEquals("POSTGRES_PASSWORD_FILE", e.subject());
        assertTrue(e.message().contains("is empty"), e.message());
    }

    @Test
    void initdbArgsWithAnUnterminatedQuote() {
        env.put("POSTGRES_PASSWORD", "secret");
        env.put("POSTGRES_INITDB_ARGS", "--locale=C --auth-local='trust");
        ValidationError e = only(errors());
        assertEquals("POSTGRES_INITDB_ARGS", e.subject());
        assertTrue(e.message().contains("does not parse"), e.message());
        assertTrue(e.message().contains("unterminated single quote"), e.message());
    }

    @Test
    void deniedInitdbOptionsNameTheVariableToUse() {
        env.put("POSTGRES_PASSWORD", "secret");
        env.put("POSTGRES_INITDB_ARGS", "--data-checksums --pgdata=/x -U bob --locale=C --waldir=/w -Dfoo");
        List<ValidationError> errors = errors();
        assertEquals(4, errors.size(), errors::toString);
        assertTrue(errors.stream().allMatch(e -> e.subject().equals("POSTGRES_INITDB_ARGS")), errors::toString);
        assertEquals("'--pgdata=/x' is set by the entrypoint: use PGDATA instead", errors.get(0).message());
        assertEquals("'-U' is set by the entrypoint: use POSTGRES_USER instead", errors.get(1).message());
        assertEquals("'--waldir=/w' is set by the entrypoint: use POSTGRES_INITDB_WALDIR instead",
                errors.get(2).message());
        assertEquals("'-Dfoo' is set by the entrypoint: use PGDATA instead", errors.get(3).message());
    }

    @Test
    void harmlessInitdbOptionsPass() {
        env.put("POSTGRES_PASSWORD", "secret");
        env.put("POSTGRES_INITDB_ARGS", "--data-checksums --locale=C --encoding=\"UTF8\" --auth-local=trust -k");
        assertEquals(List.of(), errors());
    }

    @Test
    void dataOfAnotherMajorVersionNamesBothVersions() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "9.6\n");
        int binary = real.get().majorVersion().orElseThrow();
        ValidationError e = only(errors());
        assertEquals("PGDATA", e.subject());
        assertTrue(e.message().contains("initialized by PostgreSQL 9.6"), e.message());
        assertTrue(e.message().contains("are PostgreSQL " + binary), e.message());
        assertTrue(e.message().contains("pg_upgrade"), e.message());
        assertTrue(e.message().contains("set POSTGRES_UPGRADE=auto"), e.message());
    }

    @Test
    void anOlderMajorIsLeftToTheUpgradeModuleWhenTheUpgradeIsRequested() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "9.6\n");
        env.put("POSTGRES_UPGRADE", "auto");
        assertEquals(List.of(), errors());
    }

    @Test
    void aNewerMajorIsRefusedEvenWhenTheUpgradeIsRequested() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "99\n");
        env.put("POSTGRES_UPGRADE", "auto");
        ValidationError e = only(errors());
        assertTrue(e.message().contains("initialized by PostgreSQL 99"), e.message());
        assertFalse(e.message().contains("POSTGRES_UPGRADE"), e.message());
    }

    @Test
    void dataOfTheSameMajorVersionNeedsNoPassword() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), real.get().majorVersion().orElseThrow() + "\n");
        assertEquals(List.of(), errors());
        assertFalse(database().needsInit());
    }

    @Test
    void nonEmptyDirectoryWithoutPgVersionIsNotADataDirectory() throws IOException {
        Files.createDirectories(pgdata.resolve("lost+found"));
        Files.writeString(pgdata.resolve("notes.txt"), "hello");
        env.put("POSTGRES_PASSWORD", "secret");
        ValidationError e = only(errors());
        assertEquals("PGDATA", e.subject());
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
        assertTrue(e.message().contains("not a PostgreSQL data directory"), e.message());
        assertTrue(e.message().contains("lost+found, notes.txt"), e.message());
    }

    @Test
    void innerMarkerMeansInitIncompleteWithExitCode2() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.writeString(pgdata.resolve(DataDirectory.MARKER_NAME), "started=...\n");
        ValidationReport report = validate();
        ValidationError e = only(report.errors());
        assertEquals("PGDATA", e.subject());
        assertEquals(ExitCode.INIT_FAILED, e.exitCode());
        assertTrue(e.message().contains(pgdata.resolve(DataDirectory.MARKER_NAME).toString()), e.message());
        ValidationException thrown = assertThrows(ValidationException.class, report::conclude);
        assertEquals(2, thrown.exitCode().code());
        assertFalse(database().needsInit());
    }

    @Test
    void staleSiblingMarkerOverAnEmptyDirectoryMeansInitAgain() throws IOException {
        Files.createDirectories(pgdata);
        Files.writeString(dir.resolve(".data." + DataDirectory.MARKER_NAME), "started=...\n");
        env.put("POSTGRES_PASSWORD", "secret");
        Database d = database();
        assertTrue(d.needsInit());
        ValidationReport report = new ValidationReport();
        d.validate(report);
        assertEquals(List.of(), report.errors());
    }

    @Test
    void initdbArgsCarryUserPasswordFileAndSplitUserArgs() throws IOException {
        env.put("POSTGRES_USER", "admin");
        env.put("POSTGRES_PASSWORD", "p@ss w:rd\\x");
        env.put("POSTGRES_INITDB_ARGS", "--data-checksums --locale=C --encoding=\"UTF8\" --auth-local='peer' "
                + "--text-search-config='pg_catalog.english'");
        Database d = database();
        List<String> args = d.initdbArgs();

        assertEquals("--pgdata=" + pgdata.resolve("pg-entrypoint.initdb"), args.get(0));
        assertEquals("--username=admin", args.get(1));
        assertTrue(args.get(2).startsWith("--pwfile="), args::toString);
        assertEquals(List.of("--data-checksums", "--locale=C", "--encoding=UTF8", "--auth-local=peer",
                "--text-search-config=pg_catalog.english"), args.subList(3, args.size()));

        Path pwfile = Path.of(args.get(2).substring("--pwfile=".length()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pwfile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pwfile.getParent())));
        assertEquals("p@ss w:rd\\x\n", Files.readString(pwfile));
        assertFalse(pwfile.startsWith(pgdata));

        d.cleanup();
        assertFalse(Files.exists(pwfile));
        assertFalse(Files.exists(pwfile.getParent()));
        d.cleanup();
    }

    @Test
    void initdbArgsWithoutPasswordHaveNoPwfile() throws IOException {
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        env.put("POSTGRES_INITDB_WALDIR", "/wal");
        assertEquals(List.of("--pgdata=" + pgdata.resolve("pg-entrypoint.initdb"), "--username=postgres", "--waldir=/wal"),
                database().initdbArgs());
    }

    @Test
    void displayedArgsNeverContainThePassword() throws IOException {
        env.put("POSTGRES_PASSWORD", "Top-Secret-123");
        env.put("POSTGRES_INITDB_ARGS", "--locale=C --auth-local='peer map'");
        Database d = database();
        String shown = d.initdbArgsForDisplay();
        assertEquals("--pgdata=" + pgdata.resolve("pg-entrypoint.initdb") + " --username=postgres '--pwfile=<0600 file, removed afterwards>' "
                + "--locale=C '--auth-local=peer map'", shown);
        String plan = String.join("\n", d.plan());
        assertTrue(plan.contains("--pwfile="), plan);
        assertFalse(plan.contains("Top-Secret-123"), plan);
        for (String arg : d.initdbArgs()) {
            assertFalse(arg.contains("Top-Secret-123"), arg);
        }
    }

    @Test
    void fileVariantsOfUserAndDatabaseAreHonoured() throws IOException {
        env.put("POSTGRES_USER_FILE", file("user", "alice\n").toString());
        env.put("POSTGRES_DB_FILE", file("db", "appdb\r\n").toString());
        env.put("POSTGRES_PASSWORD_FILE", file("pw", "from-file\n\n").toString());
        Settings settings = new Settings(env, List.of(), Path.of("/opt"));
        assertEquals("alice", settings.superuser());
        assertEquals("appdb", settings.database());
        assertEquals(Optional.of("from-file"), settings.password());

        Database d = database();
        List<String> args = d.initdbArgs();
        assertEquals("--username=alice", args.get(1));
        assertEquals("from-file\n", Files.readString(Path.of(args.get(2).substring("--pwfile=".length()))));
        assertEquals(List.of(), errors());
    }

    @Test
    void databaseDefaultsToTheSuperuser() {
        env.put("POSTGRES_USER", "alice");
        assertEquals("alice", new Settings(env, List.of(), Path.of("/opt")).database());
    }

    @Test
    void markersAroundInitdb() throws IOException {
        env.put("POSTGRES_PASSWORD", "secret");
        Database d = database();
        DataDirectory data = new DataDirectory(pgdata);
        d.markBeforeInitdb();
        assertTrue(Files.exists(data.siblingMarker()));
        Files.createDirectories(data.staging());
        Files.writeString(data.staging().resolve("PG_VERSION"), "15\n");
        Files.createDirectories(data.staging().resolve("base"));
        Files.createDirectories(pgdata);
        Files.writeString(pgdata.resolve("pg-entrypoint.lock"), "pid=1\n");
        d.markAfterInitdb();
        assertTrue(Files.exists(data.innerMarker()));
        assertFalse(Files.exists(data.staging()), "staging moved into PGDATA");
        assertTrue(Files.isDirectory(pgdata.resolve("base")));
        assertEquals(DataDirectory.Status.INCOMPLETE, data.status());
        assertTrue(data.interruptedInitdb(), "an unfinished initdb run counts as interrupted until a step fails");
        d.complete();
        assertFalse(data.marked());
        assertEquals(DataDirectory.Status.INITIALIZED, data.status());
    }

    @Test
    void anInterruptedFirstInitIsSetAsideAndRedoneButAFailedOneIsRefused() throws IOException {
        env.put("POSTGRES_PASSWORD", "secret");
        Database d = database();
        DataDirectory data = new DataDirectory(pgdata);
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.writeString(pgdata.resolve("pg-entrypoint.lock"), "pid=1\n");
        Files.writeString(data.innerMarker(), "started=x pid=1 step=initdb\n");
        assertTrue(d.needsInit(), "an interrupted first initialization is redone");
        assertEquals(List.of(), errors());

        d.markBeforeInitdb();
        List<String> left = data.entries();
        assertEquals(2, left.size(), left::toString);
        assertTrue(left.contains("pg-entrypoint.lock"));
        Path aside = pgdata.resolve(left.stream().filter(n -> n.startsWith(DataDirectory.SET_ASIDE_PREFIX))
                .findFirst().orElseThrow());
        assertTrue(Files.exists(aside.resolve("PG_VERSION")), "set aside, not deleted");
        assertTrue(Files.exists(aside.resolve("base")));
        assertTrue(data.needsInit(), "only the lock, the set-aside directory and the new sibling marker are left");

        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.writeString(data.innerMarker(), "started=x pid=1 step=initdb\n");
        data.markFailed("init-scripts-run");
        assertFalse(d.needsInit(), "a failed step is not redone by itself");
        assertTrue(errors().stream().anyMatch(e -> e.message().contains("did not finish")), errors()::toString);
    }

    @Test
    void userAndDatabaseNamesAreCheckedBeforeAnythingIsCreated() {
        env.put("POSTGRES_PASSWORD", "x");
        env.put("POSTGRES_USER", "o'brien");
        env.put("POSTGRES_DB", "a".repeat(64));
        List<ValidationError> found = errors();
        assertTrue(found.stream().anyMatch(e -> e.subject().equals("POSTGRES_USER") && e.message().contains("quote")),
                found::toString);
        assertTrue(found.stream().anyMatch(e -> e.subject().equals("POSTGRES_DB") && e.message().contains("63 bytes")),
                found::toString);
        env.put("POSTGRES_USER", "pg_admin");
        env.put("POSTGRES_DB", "app db");
        found = errors();
        assertTrue(found.stream().anyMatch(e -> e.subject().equals("POSTGRES_USER") && e.message().contains("pg_")),
                found::toString);
        assertFalse(found.stream().anyMatch(e -> e.subject().equals("POSTGRES_DB")), found::toString);
    }

    @Test
    void abbreviatedAndGroupedInitdbOptionsAreDeniedToo() {
        for (String arg : List.of("--pgd=/x", "--user=bob", "--wal=/w", "--no-cl", "-kUbob", "-kD/x")) {
            assertTrue(Database.deniedOwner(arg) != null, arg + " passed the deny-list");
        }
        for (String arg : List.of("--data-checksums", "--locale=C", "-k", "-Atrust", "--encoding=UTF8")) {
            assertEquals(null, Database.deniedOwner(arg), arg + " was denied");
        }
    }
}
