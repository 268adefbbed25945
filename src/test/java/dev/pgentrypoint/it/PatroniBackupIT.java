package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real etcd, Patroni, pgBackRest and two entrypoints sharing one repository: Patroni gets the
 * archiving parameters, the leader creates the stanza and backs up on schedule, the replica
 * records that it is a standby and skips every scheduled backup.
 */
class PatroniBackupIT {
    static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private PatroniMember member(String name, EtcdProcess etcd) throws Exception {
        PatroniMember m = new PatroniMember(Files.createDirectories(tmp.resolve(name)), name, etcd.endpoint());
        PgBackRest.enable(m.process, m.process.dir).with("PGBACKREST_REPO1_PATH", tmp.resolve("repo").toString())
                .with("BACKUP_SCHEDULE_INCR", "*/4 * * * * ?");
        return m;
    }

    @Test
    void aNewReplicaIsRestoredFromTheRepository() throws Exception {
        try (EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember leader = member("m1", etcd);
                PatroniMember late = member("m3", etcd)) {
            leader.start().awaitRunning(START);
            leader.process.awaitLog("backup done type=incr label=", START);
            late.start().awaitRunning(START);
            late.process.awaitLog("replica has been created using pgbackrest", START);
        }
    }

    @Test
    void onlyTheLeaderBacksUp() throws Exception {
        try (EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember leader = member("m1", etcd);
                PatroniMember replica = member("m2", etcd)) {
            leader.start().awaitRunning(START);
            leader.process.awaitLog("pgbackrest check passed", START);
            assertTrue(leader.query("SHOW archive_command").contains("archive-push %p"), "Patroni got archive_command");
            replica.start().awaitRunning(START);
            replica.process.awaitLog("this server is a standby", START);
            leader.process.awaitLog("backup done type=incr label=", START);
            replica.process.awaitLog("incr backup skipped: the server is a standby", START);

            assertTrue(PgBackRest.info(PgBackRest.config(leader.process), "db").contains("\"type\":\"full\""),
                    "the first incremental backup becomes a full one");
            assertFalse(replica.process.log().contains("backup done"), "the replica backed up");
            assertFalse(replica.process.log().contains("pgBackRest is not usable"), replica.process.log());
            assertFalse(leader.process.log().contains("environment contains invalid option"),
                    "PGBACKREST_* reached archive_command through Patroni's environment");
            EntrypointProcess.Result health = PgBackRest.command(replica.process, tmp.resolve("cli"),
                    "healthcheck", "--type=backup");
            assertEquals(0, health.code(), health.output());
            assertTrue(health.output().contains("standby"), health.output());
        }
    }
}
