package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Started directly as an unprivileged user on directories that belong to someone else, as in an
 * image run with an arbitrary uid: a shared socket directory is used as it is, a PGDATA of another
 * owner is refused up front with the way out, and a uid without a passwd entry gets a user name.
 * The directories are made by root, the test's user in CI.
 */
class UnprivilegedIT {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() throws Exception {
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "these tests prepare directories of another owner as root");
    }

    /** A uid with no passwd entry: the launcher names it through nss_wrapper, so initdb runs (libnss-wrapper needed). */
    @Test
    void uidWithoutPasswdEntryInitializesAndRuns() throws Exception {
        int uid = 4321;
        Process lookup = new ProcessBuilder("getent", "passwd", String.valueOf(uid)).start();
        assumeTrue(lookup.waitFor() != 0, "uid " + uid + " has a passwd entry on this machine");
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "secret").asUid(uid, 0).start();
            e.awaitState("RUNNING", RUN);
            assertTrue(e.log().contains("user=postgres"), "no user name through nss_wrapper (is libnss-wrapper "
                    + "installed?): " + e.log());
            assertEquals(uid, (Integer) Files.getAttribute(e.pgdata(), "unix:uid"));
            assertEquals("ok", e.psql("postgres", "secret", "postgres", "SELECT 'ok'").output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(RUN), e.log());
        }
    }

    @Test
    void pgdataOfAnotherOwnerIsRefusedWithTheWayOut() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Files.createDirectories(e.pgdata());
            Files.setPosixFilePermissions(e.pgdata(), PosixFilePermissions.fromString("rwxrwxrwx"));
            e.with("POSTGRES_PASSWORD", "x").asUser("postgres");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("PGDATA: " + e.pgdata() + " is not owned by uid"), e.log());
            assertTrue(e.log().contains(e.pgdata().resolve("pgdata").toString()), e.log());
            assertFalse(Files.exists(e.pgdata().resolve("PG_VERSION")), "initdb ran");
        }
    }

    @Test
    void sharedSocketDirectoryOfAnotherOwnerIsUsedAsItIs() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path socketDir = Path.of(e.env.get("PG_SOCKET_DIR"));
            Files.createDirectories(socketDir);
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            e.with("POSTGRES_PASSWORD", "secret").asUser("postgres").start();
            e.awaitState("RUNNING", RUN);
            assertEquals("ok", e.psql("postgres", "secret", "postgres", "SELECT 'ok'").output());
            assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir,
                    LinkOption.NOFOLLOW_LINKS)), "mode of the shared socket directory changed");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(RUN), e.log());
        }
    }
}
