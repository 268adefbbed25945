package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.collation.CollationDrift;
import dev.pgentrypoint.collation.Drift;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collation drift: a database (or a created collation) whose recorded collation version differs from the libraries' (forged
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

    /**
     * A collation created with CREATE COLLATION (ICU) in a database whose name needs quoting: its
     * recorded version, forged as an ICU update would leave it, is found there, and gone once refreshed.
     */
    @Test
    void aCreatedIcuCollationWhoseVersionChangedIsFoundInItsDatabase() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").with("POSTGRES_INITDB_ARGS", "--locale=C.UTF-8").start();
            e.awaitState("RUNNING", START);
            assertEquals(0, e.psql("postgres", "pw", "postgres", "CREATE DATABASE \"it's\"").code());
            EntrypointProcess.Result created = e.psql("postgres", "pw", "it's", "CREATE COLLATION german "
                    + "(provider = icu, locale = 'de-DE'); CREATE TABLE words (w text COLLATE german PRIMARY KEY); "
                    + "UPDATE pg_collation SET collversion = '0.1' WHERE collname = 'german'");
            assertEquals(0, created.code(), created.output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.start();
            e.awaitState("RUNNING", START);
            e.awaitLog("collation drift in collation public.german in database \"it's\": created with collation version 0.1",
                    START);
            assertTrue(e.log().contains("run REINDEX DATABASE \"it's\"; then ALTER COLLATION public.german REFRESH VERSION"),
                    e.log());
            assertFalse(e.log().contains("collation drift in database"), "the databases' own versions did not change");
            String health = e.http("/observe/health").output();
            assertTrue(health.contains("{\"database\":\"it's\",\"collation\":\"public.german\",\"recorded\":\"0.1\","), health);
            assertEquals(0, e.psql("postgres", "pw", "it's", "ALTER COLLATION german REFRESH VERSION").code());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.with("COLLATION_DRIFT", "refuse").start();
            e.awaitState("RUNNING", START);
            assertFalse(e.log().contains("collation drift"), e.log());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    /**
     * PostgreSQL 14 (no pg_database.datcollversion): the module's queries, run as the entrypoint runs
     * them against a real 14 server, find a created collation whose recorded version changed.
     */
    @Test
    void onPostgres14TheQueriesFindACreatedCollationsDrift() throws Exception {
        EntrypointProcess.openUp(tmp);
        Path pgdata = tmp.resolve("data");
        Path sock = tmp.resolve("oldsock");
        int port = EntrypointProcess.freePort();
        OldPostgres.createCluster(pgdata, sock, port, "pw");
        Settings settings = new Settings(Map.of("PGDATA", pgdata.toString()), List.of(), tmp);
        DataDirectory data = new DataDirectory(pgdata);
        Optional<PgBinaries> old = PgBinaries.discover(Optional.of(OldPostgres.binDir().toString()), null, tmp);
        assertEquals(Optional.of(14), old.flatMap(PgBinaries::majorVersion));
        CollationDrift drift = new CollationDrift(settings, data, old, new Database(settings, data, old));
        drift.validate(new ValidationReport());
        assertTrue(drift.checkNeeded(), drift.plan().toString());
        OldPostgres.withServer(pgdata, sock, port, () -> {
            psql(sock, port, "postgres", "CREATE COLLATION c_utf8 (provider = libc, locale = 'C.UTF-8'); "
                    + "UPDATE pg_collation SET collversion = '0.1' WHERE collname = 'c_utf8';");
            drift.databases(psql(sock, port, "template1", drift.queryInput()), 0);
            drift.inspect(psql(sock, port, "template1", drift.collationScript()), 0);
        });
        List<Drift> found = drift.findings().orElseThrow().drifts();
        assertEquals(1, found.size(), found.toString());
        assertEquals("postgres|public.c_utf8|0.1", found.get(0).database() + "|" + found.get(0).collation() + "|"
                + found.get(0).recorded());
    }

    /** psql of the installed PostgreSQL, as postgres over the socket, reading {@code input}; its output. */
    private static String psql(Path sock, int port, String database, String input) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        command.addAll(List.of(OldPostgres.newBinDir().resolve("psql").toString(), "-h", sock.toString(), "-p",
                String.valueOf(port), "-U", "postgres", "-d", database, "--no-psqlrc", "-tAX", "-v", "ON_ERROR_STOP=1", "-f", "-"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), command + " with " + input + ":\n" + out);
        return out;
    }
}
