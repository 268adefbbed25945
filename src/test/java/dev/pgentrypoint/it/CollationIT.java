package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collation drift: a database whose recorded collation version differs from the libraries' (forged
 * here by setting pg_database.datcollversion, as a C library update would leave it) is warned about,
 * refused with COLLATION_DRIFT=refuse, and quiet again once the recorded version is the actual one.
 */
class CollationIT {
    static final Duration START = Duration.ofSeconds(120);
    static final Duration STOP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aDriftIsWarnedRefusedWhenAskedAndGoneAfterTheFix() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").with("POSTGRES_INITDB_ARGS", "--locale=C.UTF-8").start();
            e.awaitState("RUNNING", START);
            assertEquals(0, e.psql("postgres", "pw", "postgres",
                    "UPDATE pg_database SET datcollversion = '0.1' WHERE datname = 'shopdb' OR datname = 'postgres'").code());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.start();
            e.awaitState("RUNNING", START);
            e.awaitLog("collation drift in database \"postgres\": created with collation version 0.1", START);
            assertTrue(e.log().contains("REINDEX DATABASE \"postgres\""), e.log());
            assertTrue(e.http("/observe/metrics").output().contains("pg_entrypoint_collation_drift_databases 1.0"));
            EntrypointProcess.Result health = e.http("/observe/health");
            assertEquals(503, health.code(), health.output());
            assertTrue(health.output().contains("{\"name\":\"collation\",\"status\":\"DEGRADED\",\"message\":\"the collation "
                    + "version changed in database(s) postgres:"), health.output());
            assertTrue(health.output().contains("\"details\":{\"drifted\":[{\"database\":\"postgres\",\"recorded\":\"0.1\","),
                    health.output());
            assertTrue(health.output().contains("\"fix\":[\"REINDEX DATABASE \\\"postgres\\\"\",\"ALTER DATABASE \\\"postgres\\\" "
                    + "REFRESH COLLATION VERSION\"]"), health.output());
            assertEquals(200, e.http("/observe/health/ready").code(), "a drift leaves readiness alone");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.with("COLLATION_DRIFT", "refuse");
            assertEquals(1, e.run(START), e.log());
            assertTrue(e.log().contains("COLLATION_DRIFT=refuse: the collation version of database(s) postgres changed"),
                    e.log());
            assertFalse(e.log().contains("state=STARTING"), "the server was started: " + e.log());

            e.without("COLLATION_DRIFT").start();
            e.awaitState("RUNNING", START);
            // what ALTER DATABASE ... REFRESH COLLATION VERSION records; C.UTF-8 has no version for it to refresh
            assertEquals(0, e.psql("postgres", "pw", "postgres", "UPDATE pg_database SET datcollversion = "
                    + "pg_database_collation_actual_version(oid) WHERE datname = 'postgres'").code());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.with("COLLATION_DRIFT", "refuse").start();
            e.awaitState("RUNNING", START);
            assertFalse(e.log().contains("collation drift"), e.log());
            assertTrue(e.http("/observe/health").output().contains("{\"name\":\"collation\",\"status\":\"UP\","
                    + "\"message\":\"no database's collation version changed\"}"), e.http("/observe/health").output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }
}
