package dev.pgentrypoint.pgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root (like CI): ownership is fixed for the postgres user. */
class DirectoriesTest {

    private static final Privileges PRIVILEGES = new Privileges("postgres");

    @TempDir
    Path dir;

    private Path pgdata;
    private Path socket;
    private final Map<String, String> env = new HashMap<>();
    private int postgresUid;
    private int postgresGid;

    @BeforeEach
    void setUp() {
        pgdata = dir.resolve("var/lib/postgresql/data");
        socket = dir.resolve("run/postgresql");
        env.put("PGDATA", pgdata.toString());
        env.put("PG_SOCKET_DIR", socket.toString());
        postgresUid = PRIVILEGES.targetUid().orElseThrow(() -> new AssertionError("user postgres is missing"));
        postgresGid = PRIVILEGES.targetGid().orElseThrow();
    }

    private Directories directories() {
        return new Directories(new Settings(env, List.of(), Path.of("/opt/pg-entrypoint")), PRIVILEGES);
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private List<ValidationError> validate() {
        ValidationReport report = new ValidationReport();
        directories().validate(report);
        return report.errors();
    }

    @Test
    void prepareCreatesTheDirectoriesWithTheirModesAndOwner() throws IOException {
        assumeTrue(PRIVILEGES.isRoot(), "needs root");
        env.put("POSTGRES_INITDB_WALDIR", dir.resolve("wal").toString());
        assertEquals(List.of(), validate());

        directories().prepare();

        assertEquals("rwx------", mode(pgdata));
        assertEquals("rwxrwxr-x", mode(socket));
        assertEquals("rwx------", mode(dir.resolve("wal")));
        for (Path p : List.of(pgdata, socket, dir.resolve("wal"))) {
            assertEquals(postgresUid, uid(p), p::toString);
            assertEquals(postgresGid, gid(p), p::toString);
        }
        assertEquals(0, uid(pgdata.getParent()), "parents created on the way stay root's");
    }

    @Test
    void prepareTightensTheModeAndChownsWrongOwnedEntries() throws IOException {
        assumeTrue(PRIVILEGES.isRoot(), "needs root");
        Files.createDirectories(pgdata.resolve("base"));
        Files.setPosixFilePermissions(pgdata, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path theirs = Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.setAttribute(theirs, "unix:uid", postgresUid);
        Files.setAttribute(theirs, "unix:gid", postgresGid);
        Path rootOwned = Files.writeString(pgdata.resolve("base/root-file"), "x");
        Path outside = Files.writeString(dir.resolve("outside"), "not ours");
        Files.createSymbolicLink(pgdata.resolve("link"), outside);

        directories().prepare();

        assertEquals("rwx------", mode(pgdata));
        for (Path p : List.of(pgdata, pgdata.resolve("base"), theirs, rootOwned, pgdata.resolve("link"))) {
            assertEquals(postgresUid, uid(p), p::toString);
            assertEquals(postgresGid, gid(p), p::toString);
        }
        assertEquals(0, uid(outside), "a symlink's target outside PGDATA is not followed");
        assertEquals(0, PRIVILEGES.chownWrongOwned(pgdata), "nothing is left to fix");
    }

    @Test
    void chownWrongOwnedCountsOnlyWrongOwnedEntries() throws IOException {
        assumeTrue(PRIVILEGES.isRoot(), "needs root");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path theirs = Files.writeString(tree.resolve("theirs"), "");
        Files.setAttribute(theirs, "unix:uid", postgresUid);
        Files.setAttribute(theirs, "unix:gid", postgresGid);
        Path mine = Files.writeString(tree.resolve("mine"), "");
        Path halfTheirs = Files.writeString(tree.resolve("half"), "");
        Files.setAttribute(halfTheirs, "unix:uid", postgresUid);

        assertEquals(3, PRIVILEGES.chownWrongOwned(tree), "tree, mine and half (wrong group)");
        for (Path p : List.of(tree, theirs, mine, halfTheirs)) {
            assertEquals(postgresUid, uid(p), p::toString);
            assertEquals(postgresGid, gid(p), p::toString);
        }
        assertEquals(0, PRIVILEGES.chownWrongOwned(dir.resolve("absent")));
    }

    @Test
    void pgdataThatIsARegularFileIsInvalid() throws IOException {
        Files.createDirectories(pgdata.getParent());
        Files.writeString(pgdata, "I am a file");
        List<ValidationError> errors = validate();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("PGDATA", errors.get(0).subject());
        assertTrue(errors.get(0).message().contains("exists and is not a directory"), errors.get(0).message());

        EntrypointException e = assertThrows(EntrypointException.class, () -> directories().prepare());
        assertEquals(ExitCode.INIT_FAILED, e.exitCode());
        assertEquals("init-directories-main", e.step());
        assertTrue(e.getMessage().contains("cannot prepare PGDATA " + pgdata), e.getMessage());
    }

    @Test
    void socketDirThatIsAFileIsInvalid() throws IOException {
        Files.createDirectories(socket.getParent());
        Files.writeString(socket, "");
        List<ValidationError> errors = validate();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("PG_SOCKET_DIR", errors.get(0).subject());
    }

    @Test
    void relativePgdataIsInvalid() {
        env.put("PGDATA", "data");
        List<ValidationError> errors = validate();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("PGDATA", errors.get(0).subject());
        assertTrue(errors.get(0).message().contains("not an absolute path"));
    }

    @Test
    void walDirInsidePgdataIsInvalid() {
        env.put("POSTGRES_INITDB_WALDIR", pgdata.resolve("pg_wal").toString());
        List<ValidationError> errors = validate();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("POSTGRES_INITDB_WALDIR", errors.get(0).subject());
        assertTrue(errors.get(0).message().contains("inside PGDATA"));
    }

    @Test
    void handOverChownsRuntimeFilesOnly() throws IOException {
        assumeTrue(PRIVILEGES.isRoot(), "needs root");
        Path state = Files.writeString(dir.resolve("state"), "{}");
        env.put("STATE_FILE", state.toString());
        env.put("LOCK_FILE", dir.resolve("absent.lock").toString());
        directories().handOverRuntimeFiles();
        assertEquals(postgresUid, uid(state));
        assertEquals(0, uid(dir));
    }

    @Test
    void describeListsThePathAndEveryParent() throws IOException {
        Path a = Files.createDirectories(dir.resolve("a"));
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwxr-x---"));
        Path missing = a.resolve("b");

        String text = Privileges.describe(missing);

        List<String> lines = text.lines().filter(l -> !l.isBlank()).map(String::trim).toList();
        assertEquals(missing.getNameCount() + 1, lines.size(), text);
        assertEquals(missing + ": does not exist", lines.get(0));
        int uid = uid(a);
        int gid = gid(a);
        assertEquals(a + ": uid=" + uid + " gid=" + gid + " mode=0750 (rwxr-x---)", lines.get(1));
        assertTrue(lines.get(lines.size() - 1).startsWith("/: uid=0 gid=0 mode="), text);
        for (int i = 2; i < lines.size(); i++) {
            assertTrue(lines.get(i).matches(".*: uid=\\d+ gid=\\d+ mode=[0-7]{4} \\([rwxstST-]{9}\\)"), lines.get(i));
        }
        assertTrue(text.startsWith("\n    "), "each entry starts on its own indented line");
    }
}
