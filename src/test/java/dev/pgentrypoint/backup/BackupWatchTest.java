package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupWatchTest {
    /** pgBackRest 2.45's {@code info --output=json} of an encrypted S3 repository with one full backup. */
    static final String INFO = "[{\"archive\":[{\"database\":{\"id\":1,\"repo-key\":1},\"id\":\"15-1\",\"max\":\"000000010000000000000003\","
            + "\"min\":\"000000010000000000000001\"}],\"backup\":[{\"archive\":{\"start\":\"000000010000000000000003\",\"stop\":"
            + "\"000000010000000000000003\"},\"backrest\":{\"format\":5,\"version\":\"2.45\"},\"database\":{\"id\":1,\"repo-key\":1},"
            + "\"error\":false,\"info\":{\"delta\":23209624,\"repository\":{\"delta\":3101312,\"size\":3101312},\"size\":23209624},"
            + "\"label\":\"20261202-074620F\",\"lsn\":{\"start\":\"0/3000028\",\"stop\":\"0/3000138\"},\"prior\":null,\"reference\":null,"
            + "\"timestamp\":{\"start\":1796197580,\"stop\":1796197595},\"type\":\"full\"}],\"cipher\":\"aes-256-cbc\",\"db\":[{\"id\":1,"
            + "\"repo-key\":1,\"system-id\":7714609748931269481,\"version\":\"15\"}],\"name\":\"db\",\"repo\":[{\"cipher\":\"aes-256-cbc\","
            + "\"key\":1,\"status\":{\"code\":0,\"message\":\"ok\"}}],\"status\":{\"code\":0,\"lock\":{\"backup\":{\"held\":false}},"
            + "\"message\":\"ok\"}}]";
    /** The same with the S3 server stopped: pgBackRest exits 0 and reports the repository with code 99. */
    static final String UNREACHABLE = "[{\"archive\":[],\"backup\":[],\"cipher\":\"aes-256-cbc\",\"db\":[],\"name\":\"db\",\"repo\":"
            + "[{\"cipher\":\"aes-256-cbc\",\"key\":1,\"status\":{\"code\":99,\"message\":\"[HostConnectError] unable to connect to "
            + "'127.0.0.1:59998': [111] Connection refused\"}}],\"status\":{\"code\":99,\"lock\":{\"backup\":{\"held\":false}},"
            + "\"message\":\"other\"}}]";

    /** A clock the test moves. */
    static final class Moving extends Clock {
        Instant now = Instant.parse("2026-12-02T08:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Map<String, String> env = new HashMap<>(Map.of("BACKUP_ENABLED", "true"));
    private final Moving clock = new Moving();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private BackupWatch watch() {
        BackupWatch w = new BackupWatch(new BackupSettings(new Settings(env, List.of(), Path.of("/tmp"))), clock);
        w.bindTo(meters);
        return w;
    }

    private static String row(long archived, long failed, Instant lastArchived, Instant lastFailed, String wal) {
        return archived + "|" + failed + "|" + (lastArchived == null ? 0 : lastArchived.getEpochSecond()) + "|"
                + (lastFailed == null ? 0 : lastFailed.getEpochSecond()) + "|" + wal + "\n";
    }

    @Test
    void archivingThatFailsLongerThanItsLimitDegradesAndRecovers() {
        env.put("BACKUP_ARCHIVE_FAILURE_AFTER", "60");
        BackupWatch w = watch();
        Instant ok = clock.now.minusSeconds(30);
        w.observeArchiver(row(5, 0, ok, null, ""));
        assertEquals(Optional.empty(), w.degradation(null));
        assertEquals(30.0, meters.get("pg_entrypoint_backup_archive_last_archived_age_seconds").gauge().value());

        Instant firstFailure = clock.now.minusSeconds(5);
        w.observeArchiver(row(5, 3, ok, firstFailure, "000000010000000000000006"));
        assertEquals(Optional.empty(), w.degradation(null), "failing for 5 s, allowed 60 s");
        clock.now = clock.now.plusSeconds(56);
        w.observeArchiver(row(5, 6, ok, clock.now.minusSeconds(1), "000000010000000000000006"));
        String reason = w.degradation(null).orElseThrow();
        assertTrue(reason.startsWith("WAL archiving has failed since " + firstFailure + " (61 s, BACKUP_ARCHIVE_FAILURE_AFTER=60)"
                + ": segment 000000010000000000000006, 6 failures"), reason);
        assertEquals(61.0, meters.get("pg_entrypoint_backup_archive_failing_seconds").gauge().value());
        assertEquals(6.0, meters.get("pg_entrypoint_backup_archive_failures").functionCounter().count());

        w.observeArchiver(row(6, 6, clock.now, clock.now.minusSeconds(1), "000000010000000000000006"));
        assertEquals(Optional.empty(), w.degradation(null));
        assertEquals(0.0, meters.get("pg_entrypoint_backup_archive_failing_seconds").gauge().value());
        assertEquals(6.0, meters.get("pg_entrypoint_backup_archived").functionCounter().count());
    }

    @Test
    void repositoriesFromInfoGiveReachabilityAndTheNewestBackupPerType() {
        BackupWatch w = watch();
        w.observeInfo(INFO, "db");
        assertEquals(1.0, meters.get("pg_entrypoint_backup_repository_reachable").tag("repo", "1").gauge().value());
        assertEquals(1796197595.0, meters.get("pg_entrypoint_backup_repository_last_backup_timestamp_seconds")
                .tag("repo", "1").tag("type", "full").gauge().value());
        assertEquals(23209624.0, meters.get("pg_entrypoint_backup_repository_last_backup_size_bytes")
                .tag("repo", "1").tag("type", "full").gauge().value());
        assertTrue(Double.isNaN(meters.get("pg_entrypoint_backup_repository_last_backup_size_bytes")
                .tag("repo", "1").tag("type", "incr").gauge().value()));
        assertEquals(Optional.empty(), w.degradation(null));

        w.observeInfo(UNREACHABLE, "db");
        assertEquals(0.0, meters.get("pg_entrypoint_backup_repository_reachable").tag("repo", "1").gauge().value());
        assertEquals(Optional.of("repository 1 cannot be reached: [HostConnectError] unable to connect to '127.0.0.1:59998': "
                + "[111] Connection refused"), w.degradation(null));
        w.infoFailed("timed out");
        assertEquals(Optional.of("repository 1 cannot be reached: pgbackrest info failed: timed out"), w.degradation(null));
        w.observeInfo(INFO, "db");
        assertEquals(Optional.empty(), w.degradation(null));
        assertThrows(IllegalArgumentException.class, () -> w.observeInfo(INFO, "other"));
    }

    @Test
    void noBackupForTwiceTheShortestScheduleDegrades() {
        env.put("BACKUP_SCHEDULE_FULL", "@weekly");
        env.put("BACKUP_SCHEDULE_INCR", "0 * * * *");
        BackupWatch w = watch();
        assertEquals(Optional.empty(), w.degradation(null));
        clock.now = clock.now.plus(Duration.ofMinutes(121));
        assertEquals(Optional.of("no successful backup since 2026-12-02T08:00:00Z, more than twice the shortest schedule ago "
                + "(BACKUP_SCHEDULE_INCR, every 1 h)"), w.degradation(null));
        assertEquals(Optional.empty(), w.degradation(clock.now.minusSeconds(60)));
        assertEquals(Optional.of("the last successful backup ended 2026-12-02T08:00:00Z, more than twice the shortest schedule ago "
                + "(BACKUP_SCHEDULE_INCR, every 1 h)"), w.degradation(Instant.parse("2026-12-02T08:00:00Z")));
    }
}
