package dev.pgentrypoint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {

    @TempDir
    Path dir;

    private Path stateFile;
    private Path pgdata;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        stateFile = dir.resolve("container-state");
        pgdata = Files.createDirectories(dir.resolve("data"));
        env.put("STATE_FILE", stateFile.toString());
        env.put("PGDATA", pgdata.toString());
        env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
        env.put("PGPORT", "5999");
    }

    private HealthCheck check() {
        return new HealthCheck(new Settings(env, List.of(), Path.of("/opt")), Optional.empty());
    }

    private void state(State... path) {
        StateMachine machine = new StateMachine(stateFile, Clock.systemUTC());
        for (State s : path) {
            machine.transition(s);
        }
    }

    private void pidFile(long pid, String status) throws IOException {
        Files.writeString(pgdata.resolve("postmaster.pid"), pid + "\n" + pgdata + "\n1732647600\n5999\n"
                + dir.resolve("sock") + "\n*\n  5999001    131072\n" + status + "\n");
    }

    @Test
    void missingStateFileIsUnhealthyAndNamesStateFile() {
        for (String type : List.of("state", "all")) {
            HealthCheck.Result r = check().run(type);
            assertFalse(r.healthy(), type);
            assertTrue(r.reason().contains("STATE_FILE " + stateFile), r.reason());
        }
    }

    @Test
    void garbageStateFileIsUnhealthy() throws IOException {
        Files.writeString(stateFile, "not json");
        assertFalse(check().run("state").healthy());
    }

    @Test
    void runningStateIsHealthy() {
        state(State.READY, State.RUNNING);
        HealthCheck.Result r = check().run("state");
        assertTrue(r.healthy(), r.reason());
        assertTrue(r.reason().startsWith("state RUNNING since "), r.reason());
    }

    @Test
    void runningStateWithoutPostmasterPidIsUnhealthyOnProcess() {
        state(State.READY, State.RUNNING);
        HealthCheck.Result process = check().run("process");
        assertFalse(process.healthy());
        assertTrue(process.reason().contains("no postmaster"), process.reason());
        assertTrue(process.reason().contains(pgdata.resolve("postmaster.pid").toString()), process.reason());

        HealthCheck.Result all = check().run("all");
        assertFalse(all.healthy());
        assertEquals(process.reason(), all.reason());
    }

    @Test
    void processIsHealthyWhenThePidIsAliveAndReady() throws IOException {
        pidFile(ProcessHandle.current().pid(), "ready   ");
        HealthCheck.Result r = check().run("process");
        assertTrue(r.healthy(), r.reason());
        assertEquals("postmaster pid " + ProcessHandle.current().pid() + " ready", r.reason());
    }

    @Test
    void processIsUnhealthyWhileStarting() throws IOException {
        pidFile(ProcessHandle.current().pid(), "starting");
        HealthCheck.Result r = check().run("process");
        assertFalse(r.healthy());
        assertTrue(r.reason().endsWith("status starting"), r.reason());
    }

    @Test
    void processIsUnhealthyWhenThePidIsGone() throws IOException, InterruptedException {
        Process gone = new ProcessBuilder("true").start();
        try {
            gone.waitFor();
        } finally {
            gone.destroyForcibly();
        }
        pidFile(gone.pid(), "ready");
        HealthCheck.Result r = check().run("process");
        assertFalse(r.healthy());
        assertTrue(r.reason().contains("is not running"), r.reason());
    }

    @Test
    void sleepModeReadyIsHealthy() {
        env.put("STARTUP_MODE", "sleep");
        state(State.READY);
        for (String type : List.of("state", "all")) {
            HealthCheck.Result r = check().run(type);
            assertTrue(r.healthy(), r.reason());
            assertTrue(r.reason().contains("sleep mode"), r.reason());
        }
    }

    @Test
    void readyInDirectModeIsNotHealthy() {
        state(State.READY);
        HealthCheck.Result r = check().run("state");
        assertFalse(r.healthy());
        assertTrue(r.reason().startsWith("state READY since "), r.reason());
    }

    @Test
    void stoppingIsNotHealthy() {
        state(State.READY, State.RUNNING, State.STOPPING);
        assertFalse(check().run("state").healthy());
    }

    @Test
    void connectivityWithoutBinaries() {
        HealthCheck.Result r = check().run("connectivity");
        assertFalse(r.healthy());
        assertTrue(r.reason().contains("pg_isready"), r.reason());
    }

    @Test
    void connectivityWithNoServerListening() {
        Optional<PgBinaries> real = PgBinaries.discover(Optional.empty(), System.getenv("PATH"),
                Path.of("/usr/lib/postgresql"));
        HealthCheck.Result r = new HealthCheck(new Settings(env, List.of(), Path.of("/opt")), real).run("connectivity");
        assertFalse(r.healthy());
        assertTrue(r.reason().contains("no response from the server on " + dir.resolve("sock") + " port 5999"),
                r.reason());
    }

    @Test
    void unknownType() {
        HealthCheck.Result r = check().run("vibes");
        assertFalse(r.healthy());
        assertTrue(r.reason().contains("unknown check type vibes"), r.reason());
    }
}
