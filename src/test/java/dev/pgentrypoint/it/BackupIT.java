package dev.pgentrypoint.it;

import static dev.pgentrypoint.it.PgBackRest.START;
import static dev.pgentrypoint.it.PgBackRest.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.Settings;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups with real pgBackRest and PostgreSQL: stanza, check, WAL archiving, schedules, manual backups, failure policy. */
class BackupIT {
    @TempDir
    Path tmp;

    @Test
    void firstStartCreatesTheStanzaChecksAndArchivesThenAManualBackupRuns() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            PgBackRest.enable(e, tmp).with("POSTGRES_PASSWORD", "pw").with("PGBACKREST_ARCHIVE_ASYNC", "y").start();
            e.awaitLog("pgbackrest check passed", START);
            assertTrue(e.log().contains("stanza-create done"), e.log());
            assertEquals("on", e.psql("postgres", "pw", "postgres", "SHOW archive_mode").output());
            assertTrue(e.psql("postgres", "pw", "postgres", "SHOW archive_command").output().contains("archive-push %p"));
            e.psql("postgres", "pw", "postgres", "CREATE TABLE t AS SELECT generate_series(1, 1000) AS n");
            PgBackRest.switchAndAwaitArchive(e, "pw");
            List<String> wal = PgBackRest.archived(tmp.resolve("repo"), "db");
            assertTrue(wal.stream().anyMatch(n -> n.matches("0{7}1[0-9A-F]{16}-[0-9a-f]{40}.*")), "no WAL segment in the repository: " + wal);
            assertTrue(Files.isDirectory(tmp.resolve("pgbackrest-spool/archive/db")), "archive-async uses the spool path");

            Path config = PgBackRest.config(e);
            assertFalse(config.startsWith(e.pgdata()), "the configuration must live outside PGDATA");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
            for (Path p : List.of(config, tmp.resolve("repo"), tmp.resolve("pgbackrest-log"), tmp.resolve("pgbackrest-lock"))) {
                assertEquals("postgres", Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName(), p.toString());
            }

            EntrypointProcess.Result manual = PgBackRest.command(e, tmp.resolve("cli"), "backup", "--type=full");
            assertEquals(0, manual.code(), manual.output() + "\n" + e.log());
            assertTrue(manual.output().startsWith("ok type=full label="), manual.output());
            String label = manual.output().replaceAll(".*label=(\\S+).*", "$1");
            assertTrue(PgBackRest.info(config, "db").contains("\"label\":\"" + label + "\""), "not in pgbackrest info: " + label);
            // by hand in the container (docker exec): the entrypoint's environment, every variable of ours set
            Map<String, String> container = new HashMap<>(e.env);
            Settings.BACKUP_VARIABLES.forEach(s -> container.putIfAbsent(Settings.BACKUP_PREFIX + s, "1"));
            EntrypointProcess.Result byHand = PgBackRest.run(container, config, "db", "--log-level-console=warn", "info");
            assertEquals(0, byHand.code(), byHand.output());
            assertFalse(byHand.output().contains("invalid option"), "pgBackRest took a variable of ours: " + byHand.output());
            assertTrue(e.log().contains("backup done type=full label=" + label), e.log());
            EntrypointProcess.Result health = PgBackRest.command(e, tmp.resolve("cli"), "healthcheck", "--type=backup");
            assertEquals(0, health.code(), health.output());
            assertTrue(health.output().contains(label), health.output());
            EntrypointProcess.Result bogus = PgBackRest.command(e, tmp.resolve("cli"), "backup", "--type=weekly");
            assertEquals(1, bogus.code(), bogus.output());

            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            assertFalse(Files.exists(tmp.resolve("run/state.pgbackrest/control.sock")), "control socket left behind");

            e.start();
            e.awaitLog("pgbackrest check passed", START);
            assertFalse(e.log().contains("stanza-create done"), "the existing stanza is kept: " + e.log());
        }
    }

    @Test
    void aScheduledBackupFiresAndIsListedByInfo() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            PgBackRest.enable(e, tmp).with("POSTGRES_PASSWORD", "pw").with("BACKUP_SCHEDULE_FULL", "*/3 * * * * ?")
                    .with("PGBACKREST_REPO1_RETENTION_FULL", "1").start();
            e.awaitLog("backup done type=full label=", START);
            String info = PgBackRest.info(PgBackRest.config(e), "db");
            assertTrue(info.contains("\"type\":\"full\""), info);
            String status = Files.readString(tmp.resolve("run/state.pgbackrest/status.json"));
            assertTrue(status.matches("(?s).*\"last_success_epoch_seconds\":\\d+.*\"last_label\":\"\\d{8}-\\d{6}F\".*"), status);
            assertTrue(status.contains("\"healthy\":true"), status);
            String metrics = e.http("/observe/metrics").output();
            assertTrue(metrics.matches("(?s).*pg_entrypoint_backup_runs_total\\{outcome=\"success\",type=\"full\"} [1-9].*"), metrics);
            assertTrue(metrics.matches("(?s).*pg_entrypoint_backup_last_success_timestamp_seconds \\d\\.\\d+E9.*"), metrics);
            assertTrue(metrics.matches("(?s).*pg_entrypoint_backup_last_duration_seconds [1-9]?\\d\\.\\d+.*"), metrics);
            assertTrue(metrics.contains("pg_entrypoint_backup_ready 1.0"), metrics);
            assertTrue(metrics.matches("(?s).*camel_exchanges_total\\{[^}]*routeId=\"runtime-backup-schedule-full\"[^}]*} [1-9].*"), metrics);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    @Test
    void aSetupFailureKeepsServingUnlessBackupsAreRequired() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            // an encrypted repository without its passphrase: stanza-create fails after the server is up
            PgBackRest.enable(e, tmp).with("POSTGRES_PASSWORD", "pw").with("PGBACKREST_REPO1_CIPHER_TYPE", "aes-256-cbc").start();
            e.awaitLog("pgBackRest is not usable", START);
            assertTrue(e.inState("RUNNING"), e.state());
            assertEquals("1", e.psql("postgres", "pw", "postgres", "SELECT 1").output());
            EntrypointProcess.Result health = PgBackRest.command(e, tmp.resolve("cli"), "healthcheck", "--type=backup");
            assertEquals(1, health.code(), health.output());
            assertTrue(health.output().contains("repo1-cipher-pass"), health.output());
            assertEquals(503, e.http("/observe/health").code(), "the backup check is part of all checks");
            assertEquals(200, e.http("/observe/health/ready").code(), "a server without backups is still ready");
            assertTrue(e.http("/observe/metrics").output().contains("pg_entrypoint_backup_ready 0.0"));
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.with("BACKUP_REQUIRED", "true");
            assertEquals(2, e.run(START), e.log());
            assertTrue(e.log().contains("BACKUP_REQUIRED=true"), e.log());
            assertTrue(e.inState("ERROR"), e.state());
            assertFalse(Files.exists(e.pgdata().resolve("postmaster.pid")), "the server was left running");
        }
    }

    @Test
    void aBackupAskedForAsSoonAsTheServerAnswersWaitsForTheBackupService() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            PgBackRest.enable(e, tmp).with("POSTGRES_PASSWORD", "pw").start();
            e.await(() -> e.inState("RUNNING"), START, "state RUNNING");
            e.await(() -> {
                try {
                    return e.psql("postgres", "pw", "postgres", "SELECT 1").code() == 0;
                } catch (Exception x) {
                    return false;
                }
            }, START, "a first login");
            EntrypointProcess.Result manual = PgBackRest.command(e, tmp.resolve("cli"), "backup", "--type=full");
            assertEquals(0, manual.code(), manual.output() + "\n" + e.log());
            assertTrue(manual.output().startsWith("ok type=full label="), manual.output());

            EntrypointProcess off = EntrypointProcess.sharing(e, Files.createDirectories(tmp.resolve("off")));
            off.without("BACKUP_ENABLED");
            assertEquals(1, off.run(Duration.ofSeconds(60), "backup"), off.log());
            assertTrue(off.log().startsWith("failed: backups are off (BACKUP_ENABLED is not true"), off.log());
        }
    }
}
