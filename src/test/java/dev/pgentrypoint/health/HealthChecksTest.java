package dev.pgentrypoint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.collation.CollationDrift;
import dev.pgentrypoint.collation.Drift;
import dev.pgentrypoint.json.TestJson;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.state.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthChecksTest {
    @TempDir
    Path tmp;

    @Test
    void thresholdsParsePercentagesAndSizes() {
        assertEquals(50, DiskCheck.Threshold.parse("5%").bytes(1000));
        assertEquals(512L << 20, DiskCheck.Threshold.parse("512MB").bytes(1));
        assertEquals(2L << 30, DiskCheck.Threshold.parse("2G").bytes(1));
        assertEquals(1000, DiskCheck.Threshold.parse("1000").bytes(1));
        assertThrows(IllegalArgumentException.class, () -> DiskCheck.Threshold.parse("150%"));
        assertThrows(NumberFormatException.class, () -> DiskCheck.Threshold.parse("lots"));
        assertEquals(10, DiskCheck.Threshold.parseOrDefault("lots").bytes(1000), "falls back to 1%");
    }

    @Test
    void diskCheckReportsFreeBytesBelowTheThreshold() {
        CheckResult up = new DiskCheck(List.of(tmp), DiskCheck.Threshold.parse("0%")).check();
        assertTrue(up.up(), up.message());
        CheckResult down = new DiskCheck(List.of(tmp.resolve("not/yet")), DiskCheck.Threshold.parse("100%")).check();
        assertFalse(down.up());
        assertTrue(down.message().matches(".* has \\d+ bytes free, below the minimum of \\d+ \\(HEALTH_DISK_MIN_FREE=100%\\)"),
                down.message());
    }

    @Test
    void transitionsAreReportedOnceEachWayWithTheCheck() {
        java.util.concurrent.atomic.AtomicBoolean free = new java.util.concurrent.atomic.AtomicBoolean(true);
        Check disk = new Check() {
            @Override
            public String name() {
                return "disk";
            }

            @Override
            public boolean liveness() {
                return false;
            }

            @Override
            public boolean readiness() {
                return true;
            }

            @Override
            public CheckResult check() {
                return free.get() ? CheckResult.up("disk", "free") : CheckResult.down("disk", "full");
            }
        };
        HealthChecks health = new HealthChecks(List.of(disk));
        List<String> seen = new java.util.ArrayList<>();
        health.onTransition((check, up) -> seen.add(check + "=" + (up ? "UP" : "DOWN")));
        health.poll();
        health.poll();
        free.set(false);
        health.poll();
        health.poll();
        free.set(true);
        health.poll();
        assertEquals(List.of("disk=DOWN", "disk=UP"), seen);
    }

    @Test
    void livenessAndReadinessFollowTheState() {
        AtomicReference<State> state = new AtomicReference<>(State.INITIALIZING);
        StateCheck alive = new StateCheck(state::get, false);
        StateCheck ready = new StateCheck(state::get, true);
        assertTrue(alive.check().up());
        assertFalse(ready.check().up(), "not ready while initializing");
        state.set(State.RUNNING);
        assertTrue(ready.check().up());
        state.set(State.ERROR);
        assertFalse(alive.check().up());
        state.set(null);
        assertFalse(alive.check().up());
    }

    @Test
    void processCheckWantsOurLivePidInAReadyPidFile() throws IOException {
        long self = ProcessHandle.current().pid();
        Path pgdata = Files.createDirectories(tmp.resolve("data"));
        assertFalse(new ProcessCheck(pgdata, OptionalLong::empty).check().up());
        assertFalse(new ProcessCheck(pgdata, () -> OptionalLong.of(self)).check().up(), "no postmaster.pid");
        Files.writeString(pgdata.resolve("postmaster.pid"), self + "\n/d\n1\n5432\n/s\n*\n0 0\nstarting\n");
        assertTrue(new ProcessCheck(pgdata, () -> OptionalLong.of(self)).check().message().endsWith("is starting"));
        Files.writeString(pgdata.resolve("postmaster.pid"), self + "\n/d\n1\n5432\n/s\n*\n0 0\nready   \n");
        assertTrue(new ProcessCheck(pgdata, () -> OptionalLong.of(self)).check().up());
        Files.writeString(pgdata.resolve("postmaster.pid"), "1\n/d\n1\n5432\n/s\n*\n0 0\nready   \n");
        assertFalse(new ProcessCheck(pgdata, () -> OptionalLong.of(self)).check().up(), "another process's pid file");
    }

    @Test
    void connectivityWithoutASocketIsDown() {
        CheckResult r = new ConnectivityCheck(tmp.toString(), 5999, "postgres", 200).check();
        assertFalse(r.up());
        assertTrue(r.message().startsWith("no server socket"), r.message());
    }

    @Test
    void probesSelectTheirChecksAndTheReportIsJson() {
        AtomicReference<State> state = new AtomicReference<>(State.INITIALIZING);
        HealthChecks checks = new HealthChecks(List.of(new StateCheck(state::get, false), new StateCheck(state::get, true),
                new PatroniCheck(StartupMode.DIRECT, Optional::empty)));
        HealthChecks.Report live = checks.evaluate(HealthChecks.Probe.LIVE);
        assertEquals(1, live.results().size());
        assertTrue(live.up());
        HealthChecks.Report ready = checks.evaluate(HealthChecks.Probe.READY);
        assertFalse(ready.up());
        assertEquals("state: state INITIALIZING (ready only when RUNNING)", ready.oneLine());
        Map<String, Object> json = TestJson.parseObject(checks.evaluate(HealthChecks.Probe.ALL).json());
        assertEquals("DOWN", json.get("status"));
        assertEquals(3, ((List<?>) json.get("checks")).size());
        assertEquals(0.0, checks.status("state"));
        assertEquals(1.0, checks.status("alive"));
        assertTrue(checks.lastSuccessSeconds("alive") > 0);
        assertTrue(Double.isNaN(checks.lastSuccessSeconds("state")));
    }

    @Test
    void aCollationDriftIsDegradedWithEachDatabaseAndItsFixInTheDetails() {
        AtomicReference<Optional<CollationDrift.Findings>> found = new AtomicReference<>(Optional.empty());
        HealthChecks checks = new HealthChecks(List.of(new StateCheck(() -> State.RUNNING, true)))
                .withCollation(found::get);
        assertEquals(List.of("state", "collation"), checks.names());
        assertTrue(checks.evaluate("collation").up(), "nothing compared yet");
        found.set(Optional.of(new CollationDrift.Findings(List.of(), "psql exit 2")));
        assertTrue(checks.evaluate("collation").oneLine().contains("could not be compared at this start (psql exit 2)"));
        found.set(Optional.of(new CollationDrift.Findings(List.of(), "")));
        assertTrue(checks.evaluate("collation").up());
        assertFalse(checks.evaluate("collation").json().contains("details"), "no details when there is nothing to say");

        found.set(Optional.of(new CollationDrift.Findings(List.of(new Drift("shop", "2.31", "2.36"),
                new Drift("we\"ird", "", "153.1")), "")));
        HealthChecks.Report all = checks.evaluate(HealthChecks.Probe.ALL);
        assertEquals("DEGRADED", all.status());
        assertTrue(checks.evaluate(HealthChecks.Probe.READY).up(), "a drift leaves readiness alone");
        assertTrue(all.oneLine().startsWith("collation: the collation version changed in database(s) shop, we\"ird"),
                all.oneLine());
        Map<String, Object> json = TestJson.parseObject(all.json());
        Map<?, ?> collation = (Map<?, ?>) ((List<?>) json.get("checks")).get(1);
        assertEquals("DEGRADED", collation.get("status"));
        List<?> drifted = (List<?>) ((Map<?, ?>) collation.get("details")).get("drifted");
        assertEquals(Map.of("database", "shop", "recorded", "2.31", "actual", "2.36", "fix",
                List.of("REINDEX DATABASE \"shop\"", "ALTER DATABASE \"shop\" REFRESH COLLATION VERSION")), drifted.get(0));
        assertEquals(List.of("REINDEX DATABASE \"we\"\"ird\"", "ALTER DATABASE \"we\"\"ird\" REFRESH COLLATION VERSION"),
                ((Map<?, ?>) drifted.get(1)).get("fix"));
        assertFalse(((Map<?, ?>) ((List<?>) json.get("checks")).get(0)).containsKey("details"));
    }

    @Test
    void aDegradedBackupIsReportedAsSuchAndLeavesReadinessAlone() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run/state.pgbackrest"));
        Files.writeString(run.resolve("status.json"), "{\"healthy\":false,\"status\":\"DEGRADED\",\"reason\":"
                + "\"repository 1 cannot be reached: connection refused\"}\n");
        dev.pgentrypoint.settings.Settings settings = new dev.pgentrypoint.settings.Settings(Map.of("BACKUP_ENABLED", "true",
                "STATE_FILE", tmp.resolve("run/state.json").toString()), List.of(), tmp);
        AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
        HealthChecks checks = new HealthChecks(List.of(new StateCheck(state::get, true),
                new BackupCheck(new dev.pgentrypoint.backup.BackupSettings(settings))));
        assertTrue(checks.evaluate(HealthChecks.Probe.READY).up());
        HealthChecks.Report all = checks.evaluate(HealthChecks.Probe.ALL);
        assertFalse(all.up());
        assertEquals("DEGRADED", all.status());
        assertEquals("backup: repository 1 cannot be reached: connection refused", all.oneLine());
        Map<String, Object> json = TestJson.parseObject(all.json());
        assertEquals("DEGRADED", json.get("status"));
        assertEquals("DEGRADED", ((Map<?, ?>) ((List<?>) json.get("checks")).get(1)).get("status"));
        Files.writeString(run.resolve("status.json"), "{\"healthy\":false,\"status\":\"DOWN\",\"reason\":\"x\"}\n");
        assertEquals("DOWN", checks.evaluate(HealthChecks.Probe.ALL).status());
    }
}
