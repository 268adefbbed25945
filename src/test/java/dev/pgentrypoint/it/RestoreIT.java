package dev.pgentrypoint.it;

import static dev.pgentrypoint.it.PgBackRest.START;
import static dev.pgentrypoint.it.PgBackRest.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bootstrap from a backup with real pgBackRest and PostgreSQL: round trip, point in time, and restores that must fail. */
class RestoreIT {
    @TempDir
    Path tmp;

    /** A source entrypoint with backups, a table, one full backup; returns it still running. */
    private EntrypointProcess source(String... sql) throws Exception {
        EntrypointProcess e = new EntrypointProcess(Files.createDirectories(tmp.resolve("source")));
        PgBackRest.enable(e, tmp).with("POSTGRES_PASSWORD", "pw").start();
        e.awaitLog("pgbackrest check passed", START);
        for (String statement : sql) {
            assertEquals(0, e.psql("postgres", "pw", "postgres", statement).code(), statement);
        }
        EntrypointProcess.Result backup = PgBackRest.command(e, tmp.resolve("cli"), "backup", "--type=full");
        assertEquals(0, backup.code(), backup.output() + "\n" + e.log());
        return e;
    }

    private EntrypointProcess restoring(String name) throws Exception {
        EntrypointProcess e = new EntrypointProcess(Files.createDirectories(tmp.resolve(name)));
        return PgBackRest.enable(e, tmp).with("BACKUP_RESTORE", "true");
    }

    @Test
    void roundTripBringsBackEveryRowOnAnEmptyDataDirectory() throws Exception {
        try (EntrypointProcess source = source("CREATE TABLE t(n int)", "INSERT INTO t SELECT generate_series(1, 100)")) {
            source.psql("postgres", "pw", "postgres", "INSERT INTO t SELECT generate_series(101, 200)");
            PgBackRest.switchAndAwaitArchive(source, "pw");
            source.signal("TERM");
            assertEquals(0, source.awaitExit(STOP), source.log());
        }
        try (EntrypointProcess e = restoring("restored")) {
            Steps restorePlan = Steps.planned(WorkflowIT.dryRunPlan(e, START));
            assertEquals(new Steps(false, true, true), restorePlan, e.log());
            assertTrue(e.log().contains("check that stanza db has a backup (else exit 2; never initdb)"), e.log());
            e.start();
            e.awaitState("RUNNING", START);
            assertEquals(restorePlan, Steps.ran(e.log()), "the plan of a restore is what the restore did: " + e.log());
            assertEquals("200|20100", e.psql("postgres", "pw", "postgres", "SELECT count(*), sum(n) FROM t").output());
            assertEquals("f", e.psql("postgres", "pw", "postgres", "SELECT pg_is_in_recovery()").output());
            assertTrue(e.log().contains("restore done"), e.log());
            assertFalse(e.log().contains("initdb done"), "initdb ran: " + e.log());
            assertFalse(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")), "init marker left");
            e.awaitLog("pgbackrest check passed", START);
            e.psql("postgres", "pw", "postgres", "INSERT INTO t VALUES (201)");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            Steps restartPlan = Steps.planned(WorkflowIT.dryRunPlan(e, START));
            assertTrue(e.log().contains("skip the restore: PGDATA holds a database"), e.log());
            assertEquals(new Steps(false, false, true), restartPlan, e.log());
            e.start();
            e.awaitState("RUNNING", START);
            assertEquals(restartPlan, Steps.ran(e.log()), "the plan of a restart is what the restart did: " + e.log());
            assertTrue(e.log().contains("PGDATA holds a database; skipping initialization"), e.log());
            assertFalse(e.log().contains("restore done"), "restored over existing data: " + e.log());
            assertEquals("201", e.psql("postgres", "pw", "postgres", "SELECT count(*) FROM t").output());
        }
    }

    @Test
    void pointInTimeRestoreIntoAnotherStanzaLeavesTheSourceArchiveAlone() throws Exception {
        String target;
        try (EntrypointProcess source = source("CREATE TABLE t(what text)", "INSERT INTO t VALUES ('first')")) {
            Thread.sleep(1100);
            target = source.psql("postgres", "pw", "postgres", "SELECT now()").output();
            Thread.sleep(1100);
            source.psql("postgres", "pw", "postgres", "INSERT INTO t VALUES ('second')");
            PgBackRest.switchAndAwaitArchive(source, "pw");
            source.signal("TERM");
            assertEquals(0, source.awaitExit(STOP), source.log());
        }
        List<String> sourceArchive = PgBackRest.archived(tmp.resolve("repo"), "db");
        try (EntrypointProcess e = restoring("clone")) {
            e.with("PGBACKREST_STANZA", "clone").with("BACKUP_RESTORE_STANZA", "db")
                    .with("BACKUP_RESTORE_TARGET_TIME", target).start();
            e.awaitState("RUNNING", START);
            assertEquals("first", e.psql("postgres", "pw", "postgres", "SELECT string_agg(what, ',') FROM t").output());
            e.awaitLog("pgbackrest check passed", START);
            assertEquals(sourceArchive, PgBackRest.archived(tmp.resolve("repo"), "db"), "WAL was pushed into the source stanza");
            assertTrue(PgBackRest.archived(tmp.resolve("repo"), "clone").contains("00000002.history"),
                    "the new timeline belongs to the clone's stanza: " + PgBackRest.archived(tmp.resolve("repo"), "clone"));
        }
    }

    @Test
    void aRestoreThatCannotHappenExits2AndNeverRunsInitdb() throws Exception {
        try (EntrypointProcess e = restoring("empty-repo")) {
            assertEquals(2, e.run(START), e.log());
            assertTrue(e.log().contains("has no backup of stanza 'db' (PGBACKREST_STANZA"), e.log());
            assertPgdataUntouched(e);
        }
        try (EntrypointProcess source = source()) {
            source.signal("TERM");
            assertEquals(0, source.awaitExit(STOP), source.log());
        }
        try (EntrypointProcess e = restoring("unknown-stanza")) {
            e.with("BACKUP_RESTORE_STANZA", "nope");
            assertEquals(2, e.run(START), e.log());
            assertTrue(e.log().contains("has no backup of stanza 'nope' (BACKUP_RESTORE_STANZA"), e.log());
            assertPgdataUntouched(e);
        }
    }

    /** What a DRY_RUN plan says a start does, or what the log of a real start shows it did. */
    record Steps(boolean initdb, boolean restore, boolean server) {
        static Steps planned(String plan) {
            return new Steps(Pattern.compile("- run \\S*/initdb\\b").matcher(plan).find(), plan.contains("- run pgbackrest restore"),
                    Pattern.compile("- start and supervise \\S*/postgres\\b").matcher(plan).find());
        }

        static Steps ran(String log) {
            return new Steps(log.contains("initdb done"), log.contains("restore done"), log.contains("PostgreSQL is ready pid="));
        }
    }

    private static void assertPgdataUntouched(EntrypointProcess e) throws Exception {
        assertFalse(e.log().contains("initdb done"), "initdb ran: " + e.log());
        assertTrue(e.inState("ERROR"), e.state());
        try (Stream<Path> files = Files.list(e.pgdata())) {
            assertEquals(List.of(), files.toList(), "PGDATA was written");
        }
        assertFalse(Files.exists(e.pgdata().resolveSibling(".data.pg-entrypoint.init-incomplete")), "marker written");
    }
}
