package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups to object storage, proven against a real S3 server (s3proxy started by the test, HTTPS on
 * 127.0.0.1) with real pgBackRest and PostgreSQL: an encrypted repository whose passphrase comes from a
 * file, full and incremental backups, WAL written after them, and new servers restored from nothing but
 * the bucket and the passphrase, to the end of the archive and to a point in time.
 */
class S3BackupIT {
    static final String BUCKET = "backups";
    static final String PASSPHRASE = "it-cipher-passphrase-7f3a9c";
    /** Generous: object storage, encryption and a shared 2-core machine make every step slower than with posix. */
    static final Duration START = Duration.ofSeconds(240);
    static final Duration STOP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** An entrypoint with backups to the S3 server, encrypted with the passphrase of a file. */
    private EntrypointProcess s3(String name, S3Server s3) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        EntrypointProcess e = new EntrypointProcess(dir);
        PgBackRest.enable(e, dir);
        s3.repository(e, 1, BUCKET);
        Path pass = dir.resolve("cipher-pass");
        Files.writeString(pass, PASSPHRASE + "\n");
        EntrypointProcess.openUp(dir);
        return e.with("PGBACKREST_REPO1_CIPHER_TYPE", "aes-256-cbc")
                .with("PGBACKREST_REPO1_CIPHER_PASS_FILE", pass.toString());
    }

    private static String sql(EntrypointProcess e, String statement) throws Exception {
        EntrypointProcess.Result r = e.psql("postgres", "pw", "postgres", statement);
        assertEquals(0, r.code(), statement + ": " + r.output());
        return r.output();
    }

    @Test
    void encryptedS3BackupsRestoreToTheEndOfTheArchiveAndToAPointInTime() throws Exception {
        String target;
        try (S3Server s3 = new S3Server(tmp.resolve("s3")).bucket(BUCKET).start();
                EntrypointProcess source = s3("source", s3)) {
            source.with("POSTGRES_PASSWORD", "pw").with("BACKUP_SCHEDULE_VERIFY", "*/15 * * * * ?").start();
            source.awaitLog("pgbackrest check passed", START);
            assertTrue(source.log().contains("stanza-create done"), source.log());
            sql(source, "CREATE TABLE t(n int)");
            sql(source, "INSERT INTO t SELECT generate_series(1, 1000)");
            EntrypointProcess.Result full = PgBackRest.command(source, tmp.resolve("cli"), "backup", "--type=full");
            assertEquals(0, full.code(), full.output() + "\n" + source.log());
            sql(source, "INSERT INTO t SELECT generate_series(1001, 2000)");
            EntrypointProcess.Result incr = PgBackRest.command(source, tmp.resolve("cli"), "backup", "--type=incr");
            assertEquals(0, incr.code(), incr.output() + "\n" + source.log());
            assertTrue(incr.output().matches("ok type=incr label=\\d{8}-\\d{6}F_\\d{8}-\\d{6}I .*"), incr.output());
            String info = PgBackRest.info(PgBackRest.config(source), "db");
            assertTrue(info.contains("\"type\":\"full\"") && info.contains("\"type\":\"incr\""), info);
            assertTrue(info.contains("\"cipher\":\"aes-256-cbc\""), info);
            int before = source.log().length();
            source.await(() -> source.log().substring(before).contains("verify passed"), START, "a verify after the backups");
            assertTrue(metric(source, "pg_entrypoint_backup_verify_runs_total{outcome=\"success\"}") >= 1,
                    source.http("/observe/metrics").output());

            // written after both backups: only the archived WAL brings these back
            sql(source, "INSERT INTO t SELECT generate_series(2001, 3000)");
            Thread.sleep(1100);
            target = sql(source, "SELECT now()");
            Thread.sleep(1100);
            sql(source, "INSERT INTO t SELECT generate_series(3001, 4000)");
            PgBackRest.switchAndAwaitArchive(source, "pw");

            assertPassphraseNowhere(source);
            assertEncrypted(s3);
            source.signal("TERM");
            assertEquals(0, source.awaitExit(STOP), source.log());

            try (EntrypointProcess pitr = s3("pitr", s3)) {
                pitr.with("BACKUP_RESTORE", "true").with("PGBACKREST_STANZA", "pitr")
                        .with("BACKUP_RESTORE_STANZA", "db").with("BACKUP_RESTORE_TARGET_TIME", target).start();
                pitr.awaitState("RUNNING", START);
                assertEquals("3000|4501500", sql(pitr, "SELECT count(*), sum(n) FROM t"));
                assertEquals("f", sql(pitr, "SELECT pg_is_in_recovery()"));
                pitr.signal("TERM");
                assertEquals(0, pitr.awaitExit(STOP), pitr.log());
            }
            try (EntrypointProcess restored = s3("restored", s3)) {
                restored.with("BACKUP_RESTORE", "true").start();
                restored.awaitState("RUNNING", START);
                assertEquals("4000|8002000", sql(restored, "SELECT count(*), sum(n) FROM t"));
                assertTrue(restored.log().contains("restore done"), restored.log());
                assertFalse(restored.log().contains("initdb done"), "initdb ran: " + restored.log());
                restored.awaitLog("pgbackrest check passed", START);
                assertPassphraseNowhere(restored);
                restored.signal("TERM");
                assertEquals(0, restored.awaitExit(STOP), restored.log());
            }
        }
    }

    @Test
    void aNewPatroniReplicaIsRestoredFromTheS3Repository() throws Exception {
        try (S3Server s3 = new S3Server(tmp.resolve("s3")).bucket(BUCKET).start();
                EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember leader = member("m1", etcd, s3);
                PatroniMember replica = member("m2", etcd, s3)) {
            leader.start().awaitRunning(START);
            leader.process.awaitLog("pgbackrest check passed", START);
            leader.query("CREATE TABLE t AS SELECT generate_series(1, 5000) AS n");
            EntrypointProcess.Result full = PgBackRest.command(leader.process, tmp.resolve("cli"), "backup", "--type=full");
            assertEquals(0, full.code(), full.output() + "\n" + leader.process.log());
            leader.query("INSERT INTO t SELECT generate_series(5001, 6000)");

            replica.start().awaitRunning(START);
            replica.process.awaitLog("replica has been created using pgbackrest", START);
            replica.process.await(() -> {
                try {
                    return "6000".equals(replica.sql("SELECT count(*) FROM t").output());
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }, START, "every row on the replica");
            assertEquals("t", replica.query("SELECT pg_is_in_recovery()"));
            assertPassphraseNowhere(leader.process);
        }
    }

    @Test
    void aStoppedS3ServerTurnsTheBackupCheckDegradedWhileTheDatabaseServes() throws Exception {
        try (S3Server s3 = new S3Server(tmp.resolve("s3")).bucket(BUCKET).start();
                EntrypointProcess e = new EntrypointProcess(Files.createDirectories(tmp.resolve("db")))) {
            PgBackRest.enable(e, e.dir);
            s3.repository(e, 1, BUCKET).with("POSTGRES_PASSWORD", "pw").with("HEALTH_INTERVAL", "2")
                    .with("BACKUP_WATCH_INTERVAL", "5").with("BACKUP_ARCHIVE_FAILURE_AFTER", "10").start();
            e.awaitLog("pgbackrest check passed", START);
            e.await(() -> metric(e, "pg_entrypoint_backup_repository_reachable{repo=\"1\"}") == 1.0, START, "repository reachable");
            assertEquals("UP", backupCheck(e), e.http("/observe/health").output());
            // pg_stat_archiver is read every HEALTH_INTERVAL: the segment of the check shows on the next read
            e.await(() -> metric(e, "pg_entrypoint_backup_archived_total") > 0, START, "an archived segment in the metrics");

            s3.stop();
            long stopped = System.nanoTime();
            sql(e, "CREATE TABLE t AS SELECT generate_series(1, 1000) AS n");
            sql(e, "SELECT pg_switch_wal()");
            // documented: within BACKUP_WATCH_INTERVAL + 40 s (pgbackrest info gives up after 4 x 10 s)
            e.await(() -> "DEGRADED".equals(backupCheck(e)), Duration.ofSeconds(5 + 40 + 30), "backup check DEGRADED");
            System.out.printf("S3 stopped -> backup check DEGRADED after %.1f s%n", (System.nanoTime() - stopped) / 1e9);
            assertTrue(e.http("/observe/health").output().contains("repository 1 cannot be reached"), e.http("/observe/health").output());
            assertEquals(0.0, metric(e, "pg_entrypoint_backup_repository_reachable{repo=\"1\"}"));
            assertEquals(200, e.http("/observe/health/ready").code(), "backups at risk, the server still serves");
            assertEquals(503, e.http("/observe/health").code());
            sql(e, "INSERT INTO t SELECT generate_series(1001, 2000)");
            assertEquals("2000", sql(e, "SELECT count(*) FROM t"));

            // documented: within archive-timeout (60 s) + BACKUP_ARCHIVE_FAILURE_AFTER + HEALTH_INTERVAL
            e.await(() -> health(e).contains("WAL archiving has failed since"),
                    Duration.ofSeconds(60 + 10 + 2 + 60), "archive failure named");
            System.out.printf("S3 stopped -> archive failure named after %.1f s%n", (System.nanoTime() - stopped) / 1e9);
            assertTrue(metric(e, "pg_entrypoint_backup_archive_failures_total") > 0, e.http("/observe/metrics").output());
            assertTrue(metric(e, "pg_entrypoint_backup_archive_failing_seconds") >= 10, e.http("/observe/metrics").output());
            EntrypointProcess.Result cli = PgBackRest.command(e, tmp.resolve("cli"), "healthcheck", "--type=backup");
            assertEquals(1, cli.code(), cli.output());
            assertTrue(cli.output().startsWith("degraded: backup: WAL archiving has failed since"), cli.output());
            assertTrue(e.log().contains("check=backup status=DEGRADED"), e.log());

            s3.start();
            sql(e, "SELECT pg_switch_wal()");
            e.await(() -> "UP".equals(backupCheck(e)), Duration.ofSeconds(180), "backup check UP again");
            assertEquals(0.0, metric(e, "pg_entrypoint_backup_archive_failing_seconds"));
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    @Test
    void twoRepositoriesArchiveToBothBackUpOnTheirOwnSchedulesAndRestoreFromTheChosenOne() throws Exception {
        try (S3Server s3 = new S3Server(tmp.resolve("s3")).bucket(BUCKET).start()) {
            twoRepositories(s3);
        }
    }

    private void twoRepositories(S3Server s3) throws Exception {
        try (EntrypointProcess source = new EntrypointProcess(Files.createDirectories(tmp.resolve("source")))) {
            PgBackRest.enable(source, source.dir);
            s3.repository(source, 2, BUCKET).with("POSTGRES_PASSWORD", "pw")
                    .with("BACKUP_SCHEDULE_FULL_REPO2", "*/10 * * * * ?").start();
            source.awaitLog("pgbackrest check passed", START);
            sql(source, "CREATE TABLE t AS SELECT generate_series(1, 1000) AS n");
            source.awaitLog("backup done type=full repo=2 label=", START);
            // the schedule of repository 2 keeps firing; one backup runs at a time, so try again when it was skipped
            EntrypointProcess.Result local = PgBackRest.command(source, tmp.resolve("cli"), "backup", "--type=full");
            for (int i = 0; i < 10 && local.output().contains("skipped: another backup"); i++) {
                Thread.sleep(2000);
                local = PgBackRest.command(source, tmp.resolve("cli"), "backup", "--type=full");
            }
            assertEquals(0, local.code(), local.output() + "\n" + source.log());
            assertTrue(local.output().startsWith("ok type=full label="), "no --repo: repository 1, " + local.output());
            String info = PgBackRest.info(PgBackRest.config(source), "db");
            assertTrue(info.contains("\"repo-key\":1") && info.contains("\"repo-key\":2"), "a backup in each repository: " + info);
            EntrypointProcess.Result wrong = PgBackRest.command(source, tmp.resolve("cli"), "backup", "--type=full", "--repo=3");
            assertEquals(1, wrong.code(), wrong.output());
            assertTrue(wrong.output().contains("'3' is not a configured repository: use one of [1, 2]"), wrong.output());

            sql(source, "INSERT INTO t SELECT generate_series(1001, 2000)");
            PgBackRest.switchAndAwaitArchive(source, "pw");
            String last = sql(source, "SELECT last_archived_wal FROM pg_stat_archiver");
            source.await(() -> {
                try {
                    return PgBackRest.archived(source.dir.resolve("repo"), "db").stream().anyMatch(n -> n.startsWith(last))
                            && s3.files(BUCKET).stream().anyMatch(p -> p.getFileName().toString().startsWith(last));
                } catch (IOException e) {
                    return false;
                }
            }, START, "segment " + last + " in both repositories");
            source.signal("TERM");
            assertEquals(0, source.awaitExit(STOP), source.log());
        }
        // a new host: its repository 1 is an empty directory, repository 2 is the bucket
        try (EntrypointProcess restored = new EntrypointProcess(Files.createDirectories(tmp.resolve("restored")))) {
            PgBackRest.enable(restored, restored.dir);
            s3.repository(restored, 2, BUCKET).with("BACKUP_ENABLED", "false").with("BACKUP_RESTORE", "true")
                    .with("BACKUP_RESTORE_REPO", "2").start();
            restored.awaitState("RUNNING", START);
            assertEquals("2000|2001000", sql(restored, "SELECT count(*), sum(n) FROM t"));
            assertEquals(List.of(), PgBackRest.archived(restored.dir.resolve("repo"), "db"));
            restored.signal("TERM");
            assertEquals(0, restored.awaitExit(STOP), restored.log());
        }
    }

    /** The status of the backup check in /observe/health. */
    private static String backupCheck(EntrypointProcess e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"name\":\"backup\",\"status\":\"([A-Z]+)\"")
                .matcher(health(e));
        return m.find() ? m.group(1) : "";
    }

    /** The answer of /observe/health. */
    private static String health(EntrypointProcess e) {
        try {
            return e.http("/observe/health").output();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A value of /observe/metrics, NaN when missing; {@code series} as in the text format. */
    private static double metric(EntrypointProcess e, String series) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(series) + " (\\S+)$")
                    .matcher(e.http("/observe/metrics").output());
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private PatroniMember member(String name, EtcdProcess etcd, S3Server s3) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        PatroniMember m = new PatroniMember(dir, name, etcd.endpoint());
        PgBackRest.enable(m.process, dir);
        s3.repository(m.process, 1, BUCKET);
        Path pass = Files.writeString(dir.resolve("cipher-pass"), PASSPHRASE + "\n");
        EntrypointProcess.openUp(dir);
        m.process.with("PGBACKREST_REPO1_CIPHER_TYPE", "aes-256-cbc")
                .with("PGBACKREST_REPO1_CIPHER_PASS_FILE", pass.toString());
        return m;
    }

    /** Every file pgBackRest put into the bucket is OpenSSL-encrypted: none is readable as it was written. */
    private static void assertEncrypted(S3Server s3) throws IOException {
        List<Path> files = s3.files(BUCKET);
        assertTrue(files.stream().anyMatch(p -> p.toString().contains("archive/db/")), "no WAL in the bucket: " + files);
        assertTrue(files.stream().anyMatch(p -> p.getFileName().toString().equals("backup.info")), "no backup.info: " + files);
        List<String> plain = new ArrayList<>();
        for (Path file : files) {
            byte[] head = new byte[8];
            try (InputStream in = Files.newInputStream(s3.buckets().resolve(BUCKET).resolve(file))) {
                int n = in.readNBytes(head, 0, 8);
                if (n < 8 || !Arrays.equals(head, "Salted__".getBytes(StandardCharsets.US_ASCII))) {
                    plain.add(file.toString());
                }
            }
        }
        assertEquals(List.of(), plain, "files of the repository that are not encrypted");
    }

    /** The passphrase is in no log line, no state file, no argv and no environment of the entrypoint's processes. */
    private static void assertPassphraseNowhere(EntrypointProcess e) throws IOException {
        assertFalse(e.log().contains(PASSPHRASE), "passphrase in the log");
        assertFalse(e.state().contains(PASSPHRASE), "passphrase in the state file");
        Path status = e.dir.resolve("run/state.pgbackrest/status.json");
        assertFalse(Files.exists(status) && Files.readString(status).contains(PASSPHRASE), "passphrase in status.json");
        try (Stream<Path> logs = Files.walk(e.dir.resolve("pgbackrest-log"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(log).contains(PASSPHRASE), "passphrase in " + log);
            }
        }
        List<ProcessHandle> processes = new ArrayList<>();
        ProcessHandle.of(e.pid()).ifPresent(p -> {
            processes.add(p);
            p.descendants().forEach(processes::add);
        });
        long postmaster = e.postmasterPid();
        ProcessHandle.of(postmaster).ifPresent(p -> {
            processes.add(p);
            p.descendants().forEach(processes::add);
        });
        assertTrue(processes.size() > 3, "no server processes found: " + processes);
        for (ProcessHandle p : processes) {
            for (String what : List.of("cmdline", "environ")) {
                try {
                    String text = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), what)),
                            StandardCharsets.UTF_8);
                    assertFalse(text.contains(PASSPHRASE), "passphrase in /proc/" + p.pid() + "/" + what + ": " + text);
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
    }
}
