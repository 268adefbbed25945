package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupSettingsTest {
    private final Map<String, String> env = new HashMap<>();

    private BackupSettings settings() {
        return new BackupSettings(new Settings(env, List.of(), Path.of("/opt/pg-entrypoint")));
    }

    @Test
    void targetTimesAreNormalizedToWhatPgBackRestParses() {
        assertEquals("2024-05-01 12:30:00+00", BackupSettings.normalizeTargetTime("2024-05-01 12:30:00+00"));
        assertEquals("2024-05-01 12:30:00.123456+00", BackupSettings.normalizeTargetTime("2024-05-01T12:30:00.123456Z"));
        assertEquals("2024-05-01 12:30:00+05:30", BackupSettings.normalizeTargetTime("2024-05-01 12:30:00+05:30"));
        assertEquals("2024-05-01 12:30:00-0700", BackupSettings.normalizeTargetTime(" 2024-05-01 12:30:00 -0700 "));
    }

    @Test
    void unparseableOrZonelessTimesAreRefused() {
        for (String bad : List.of("yesterday", "2024-05-01 12:30:00", "2024-13-01 12:30:00+00", "2024-05-01 25:00:00+00",
                "2024-02-30 12:00:00+00", "1714566600")) {
            assertThrows(IllegalArgumentException.class, () -> BackupSettings.normalizeTargetTime(bad), bad);
        }
    }

    @Test
    void variablesBecomeOptionsExceptTheEntrypointsOwn() {
        env.put("BACKUP_ENABLED", "true");
        env.put("PGBACKREST_STANZA", "main");
        env.put("BACKUP_SCHEDULE_FULL", "@daily");
        env.put("PGBACKREST_REPO1_S3_KEY_SECRET", "s3cret");
        env.put("PGBACKREST_ARCHIVE_ASYNC", "y");
        env.put("PGBACKREST_EMPTY", "");
        assertEquals(Map.of("repo1-s3-key-secret", "s3cret", "archive-async", "y"), settings().environmentOptions());
        assertEquals(List.of("BACKUP_ENABLED", "BACKUP_SCHEDULE_FULL", "PGBACKREST_ARCHIVE_ASYNC",
                "PGBACKREST_REPO1_S3_KEY_SECRET", "PGBACKREST_STANZA"), settings().variables());
        assertEquals("main", settings().stanza());
        assertEquals("main", settings().restoreStanza());
    }

    /** The former PGBACKREST_* names of our variables: still read, each with a warning, never a pgBackRest option. */
    @Test
    void theFormerNamesStillWorkWarnAndAreNoOptions() {
        env.put("PGBACKREST_ENABLED", "true");
        env.put("PGBACKREST_RESTORE", "yes");
        env.put("PGBACKREST_TIMEOUT", "60");
        env.put("BACKUP_TIMEOUT", "30");
        env.put("PGBACKREST_REPO1_PATH", "/repo");
        BackupSettings backup = settings();
        assertTrue(backup.enabled());
        assertTrue(backup.restore());
        assertEquals(30, backup.timeoutSeconds(), "the new name wins");
        assertEquals(List.of(
                "PGBACKREST_ENABLED is deprecated: use BACKUP_ENABLED (a pgbackrest run by hand takes every PGBACKREST_* "
                        + "variable for an option of its own)",
                "PGBACKREST_RESTORE is deprecated: use BACKUP_RESTORE (a pgbackrest run by hand takes every PGBACKREST_* "
                        + "variable for an option of its own)",
                "PGBACKREST_TIMEOUT is deprecated: use BACKUP_TIMEOUT (a pgbackrest run by hand takes every PGBACKREST_* "
                        + "variable for an option of its own); BACKUP_TIMEOUT is set too and wins"),
                backup.settings().deprecationWarnings());
        assertEquals(Map.of("repo1-path", "/repo"), backup.environmentOptions());
        assertEquals(List.of("PGBACKREST_ENABLED", "PGBACKREST_RESTORE", "PGBACKREST_TIMEOUT"),
                BackupSettings.deprecatedVariables(backup.settings()));
        assertEquals(List.of("BACKUP_ENABLED", "BACKUP_RESTORE", "BACKUP_TIMEOUT", "PGBACKREST_ENABLED",
                "PGBACKREST_REPO1_PATH", "PGBACKREST_RESTORE", "PGBACKREST_TIMEOUT"), backup.variables());
        env.keySet().removeIf(k -> k.startsWith("PGBACKREST_"));
        assertEquals(List.of(), settings().settings().deprecationWarnings());
    }

    @Test
    void filesLiveNextToTheStateFile() {
        env.put("STATE_FILE", "/run/pg/state.json");
        assertEquals(Path.of("/run/pg/state.pgbackrest/pgbackrest.conf"), settings().configFile());
        assertEquals(Path.of("/run/pg/state.pgbackrest/control.sock"), settings().controlSocket());
        assertEquals(Path.of("/tmp/pg-entrypoint-var-lib-postgresql-data.pgbackrest/status.json"), new BackupSettings(
                new Settings(Map.of(), List.of(), Path.of("/"))).statusFile());
        env.put("STATE_FILE", "/run/pg/state");
        assertEquals(Path.of("/run/pg/state.pgbackrest/control.sock"), settings().controlSocket());
        env.put("STATE_FILE", "/run/pg/x.pgbackrest");
        assertEquals(Path.of("/run/pg/x.pgbackrest.pgbackrest/control.sock"), settings().controlSocket());
    }

    /** Two instances on one host with the default STATE_FILE: neither reaches the other's control socket. */
    @Test
    void eachInstanceHasItsOwnRunDirectory() {
        BackupSettings a = new BackupSettings(new Settings(Map.of("PGDATA", "/srv/a/data"), List.of(), Path.of("/")));
        BackupSettings b = new BackupSettings(new Settings(Map.of("PGDATA", "/srv/b/data"), List.of(), Path.of("/")));
        assertEquals(Path.of("/tmp/pg-entrypoint-srv-a-data.pgbackrest/control.sock"), a.controlSocket());
        assertEquals(Path.of("/tmp/pg-entrypoint-srv-b-data.pgbackrest/control.sock"), b.controlSocket());
        BackupSettings c = new BackupSettings(new Settings(Map.of("STATE_FILE", "/run/c.json"), List.of(), Path.of("/")));
        BackupSettings d = new BackupSettings(new Settings(Map.of("STATE_FILE", "/run/d.json"), List.of(), Path.of("/")));
        assertNotEquals(c.runDir(), d.runDir());
    }

    /** A long PGDATA gives a long default STATE_FILE; the socket's directory is then named after a hash of it. */
    @Test
    void aLongStateFileNameGivesAShortRunDirectory() {
        String pgdata = "/srv/" + "very-long-directory-name/".repeat(4) + "data";
        Settings one = new Settings(Map.of("PGDATA", pgdata), List.of(), Path.of("/"));
        Settings two = new Settings(Map.of("PGDATA", pgdata + "2"), List.of(), Path.of("/"));
        BackupSettings a = new BackupSettings(one);
        assertTrue(one.stateFile().toString().length() > BackupSettings.MAX_SOCKET_PATH, one.stateFile().toString());
        assertTrue(a.controlSocket().toString().length() <= BackupSettings.MAX_SOCKET_PATH, a.controlSocket().toString());
        assertTrue(a.runDir().getFileName().toString().matches("pg-entrypoint-[0-9a-f]{1,8}\\.pgbackrest"), a.runDir().toString());
        assertEquals(Path.of("/tmp"), a.runDir().getParent());
        assertFalse(a.socketPathTooLong());
        assertNotEquals(a.runDir(), new BackupSettings(two).runDir());
    }

    @Test
    void aScheduleRouteIsLoadedOnlyInTheRunThatServes() {
        env.put("BACKUP_ENABLED", "true");
        env.put("BACKUP_SCHEDULE_FULL", "0 2 * * 0");
        env.put("BACKUP_SCHEDULE_INCR", "not a schedule");
        Map<String, String> p = settings().properties(false, false);
        assertEquals("0 0 2 ? * 1", p.get("entrypoint.backup.schedule.full"));
        assertEquals("true", p.get("entrypoint.backup.schedule.full.enabled"));
        assertEquals(CronSchedule.NEVER, p.get("entrypoint.backup.schedule.diff"));
        assertEquals("false", p.get("entrypoint.backup.schedule.diff.enabled"));
        assertEquals("false", p.get("entrypoint.backup.schedule.incr.enabled"));
        assertEquals("false", p.get("entrypoint.backup.schedule.verify.enabled"));
        assertEquals("true", p.get("entrypoint.backup.watch.enabled"));
        assertEquals("60000", p.get("entrypoint.backup.watch.interval"));
        assertEquals("false", settings().properties(false, true).get("entrypoint.backup.watch.enabled"));
        env.put("BACKUP_SCHEDULE_VERIFY", "@daily");
        assertEquals("true", settings().properties(false, false).get("entrypoint.backup.schedule.verify.enabled"));
        assertEquals("0 0 0 * * ?", settings().properties(false, false).get("entrypoint.backup.schedule.verify"));
        env.remove("BACKUP_SCHEDULE_VERIFY");
        assertEquals("false", settings().properties(true, false).get("entrypoint.backup.schedule.full.enabled"));
        assertEquals("false", settings().properties(false, true).get("entrypoint.backup.schedule.full.enabled"));
        env.put("STARTUP_MODE", "sleep");
        assertEquals("false", settings().properties(false, false).get("entrypoint.backup.runtime"));
        assertEquals("86400000", p.get("entrypoint.backup.timeout"));
        assertTrue(Boolean.parseBoolean(p.get("entrypoint.backup.active")));
        assertFalse(settings().anySchedule(), "no schedule route in sleep mode");
        env.remove("STARTUP_MODE");
        assertTrue(settings().anySchedule());
        env.put("BACKUP_ENABLED", "false");
        assertFalse(settings().anySchedule());
    }
}
