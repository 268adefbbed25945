package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials that follow the environment: a changed POSTGRES_PASSWORD, POSTGRES_USER or POSTGRES_DB on an existing cluster. */
class CredentialsIT {
    static final Duration START = Duration.ofSeconds(120);
    static final Duration STOP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aChangedPasswordIsReportedThenSetWhenAskedAndAChangedDatabaseIsReported() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "first-pw").start();
            e.awaitState("RUNNING", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            // a new password in the environment: a warning, the role keeps its password
            e.with("POSTGRES_PASSWORD", "second-pw").with("POSTGRES_DB", "shop").start();
            e.awaitState("RUNNING", START);
            e.awaitLog("POSTGRES_PASSWORD does not match the password of role \"postgres\"", START);
            e.awaitLog("POSTGRES_DB=shop names no database", START);
            assertFalse(e.log().contains("first-pw") || e.log().contains("second-pw"), e.log());
            assertEquals("1", e.psql("postgres", "first-pw", "postgres", "SELECT 1").output());
            assertNotEquals(0, e.psql("postgres", "second-pw", "postgres", "SELECT 1").code());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            // POSTGRES_PASSWORD_SYNC=true: set before TCP is open, with an audit event
            e.without("POSTGRES_DB").with("POSTGRES_PASSWORD_SYNC", "true").start();
            e.awaitState("RUNNING", START);
            String log = e.log();
            assertTrue(log.contains("audit action=password-sync"), log);
            assertTrue(log.indexOf("action=password-sync") < log.indexOf("state=STARTING"), "set before the server opened TCP");
            assertFalse(log.contains("does not match"), log);
            assertFalse(log.contains("first-pw") || log.contains("second-pw"), log);
            assertEquals("1", e.psql("postgres", "second-pw", "postgres", "SELECT 1").output());
            assertNotEquals(0, e.psql("postgres", "first-pw", "postgres", "SELECT 1").code());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            // in sync now: the next start says nothing and changes nothing
            e.start();
            e.awaitState("RUNNING", START);
            assertFalse(e.log().contains("password-sync"), e.log());
            assertFalse(e.log().contains("does not match"), e.log());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    @Test
    void aChangedUserIsReported() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            e.with("POSTGRES_USER", "someone_else").start();
            e.awaitState("RUNNING", START);
            e.awaitLog("role \"someone_else\"", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }
}
