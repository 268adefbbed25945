package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupStatusTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private StateMachine state;
    private BackupSettings backup;

    @BeforeEach
    void setUp() throws IOException {
        env.put("STATE_FILE", dir.resolve("state.json").toString());
        env.put("BACKUP_ENABLED", "true");
        state = new StateMachine(dir.resolve("state.json"), Clock.systemUTC());
        backup = new BackupSettings(new Settings(env, List.of(), dir));
        Files.createDirectories(backup.runDir());
    }

    private BackupStatus status() {
        BackupStatus status = new BackupStatus(new BackupSettings(new Settings(env, List.of(), dir)), state, Clock.systemUTC());
        status.bindTo(meters);
        return status;
    }

    private Exchange failedWith(Exception e, Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody(body);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
        return exchange;
    }

    private double runs(String type, String outcome) {
        var counter = meters.find("pg_entrypoint_backup_runs").tag("type", type).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void oneBackupAtATimeAndOnlyWhileRunning() {
        BackupStatus status = status();
        Exchange first = new DefaultExchange(context);
        BackupStatus.Skipped notRunning = assertThrows(BackupStatus.Skipped.class, () -> status.begin("full", first));
        assertTrue(notRunning.getMessage().contains("not running (state UNINITIALIZED)"));
        state.transition(State.READY);
        state.transition(State.RUNNING);
        assertEquals("full", status.begin(" FULL ", first));
        Exchange second = new DefaultExchange(context);
        BackupStatus.Skipped busy = assertThrows(BackupStatus.Skipped.class, () -> status.begin("incr", second));
        assertTrue(busy.getMessage().startsWith("incr backup skipped: another backup (full) runs since"), busy.getMessage());
        Exchange skipped = failedWith(busy, "incr");
        status.failed(skipped);
        assertEquals(1, runs("incr", "skipped"));
        assertTrue(String.valueOf(skipped.getIn().getBody()).startsWith("incr backup skipped: another backup"));

        first.getIn().setBody("INFO: new backup label = 20240501-120000F\nINFO: backup command end");
        status.succeeded(first);
        assertTrue(String.valueOf(first.getIn().getBody()).startsWith("ok type=full label=20240501-120000F seconds="));
        assertEquals(1, runs("full", "success"));
        assertTrue(meters.get("pg_entrypoint_backup_last_success_timestamp_seconds").gauge().value() > 1.7e9);
        assertEquals("diff", status.begin("diff", second), "the guard is free again");
        assertThrows(IllegalArgumentException.class, () -> status.begin("weekly", new DefaultExchange(context)));
        IllegalArgumentException noRepo = assertThrows(IllegalArgumentException.class,
                () -> status.begin("full:2", new DefaultExchange(context)));
        assertEquals("'2' is not a configured repository: use one of [1]", noRepo.getMessage());
        env.put("PGBACKREST_REPO2_PATH", dir.resolve("repo2").toString());
        Exchange third = new DefaultExchange(context);
        BackupStatus two = status();
        assertEquals("full", two.begin("full:2", third));
        assertEquals(2, two.runningRepository());
    }

    @Test
    void aFailureIsRecordedAndMakesTheHealthDown() throws IOException {
        state.transition(State.READY);
        state.transition(State.RUNNING);
        BackupStatus status = status();
        assertTrue(Double.isNaN(meters.get("pg_entrypoint_backup_ready").gauge().value()));
        status.setupSucceeded();
        assertTrue(status.healthy());
        assertEquals(1.0, meters.get("pg_entrypoint_backup_ready").gauge().value());
        Exchange run = new DefaultExchange(context);
        status.begin("incr", run);
        status.failed(failedWith(new IllegalStateException("repository\nunreachable"), null));
        assertEquals(0, runs("incr", "failure"));
        run.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("repository\n  unreachable"));
        status.failed(run);
        assertEquals(1, runs("incr", "failure"));
        assertEquals("failed: incr backup: repository; unreachable", run.getIn().getBody());
        assertFalse(status.healthy());
        assertEquals(new BackupStatus.Health("DOWN", "last backup failed: repository; unreachable"),
                BackupStatus.readHealth(backup.statusFile()));
    }

    @Test
    void aSetupFailureFailsTheStartOnlyWhenBackupsAreRequired() {
        BackupStatus status = status();
        status.setupFailed(failedWith(new IllegalStateException("stanza-create failed"), null));
        assertEquals(0.0, meters.get("pg_entrypoint_backup_ready").gauge().value());
        assertEquals(new BackupStatus.Health("DOWN", "pgBackRest is not usable: stanza-create failed"),
                BackupStatus.readHealth(backup.statusFile()));
        env.put("BACKUP_REQUIRED", "true");
        EntrypointException e = assertThrows(EntrypointException.class,
                () -> status().setupFailed(failedWith(new IllegalStateException("check failed"), null)));
        assertEquals(ExitCode.INIT_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("BACKUP_REQUIRED=true: check failed"), e.getMessage());
    }

    @Test
    void withoutAStatusFileTheHealthSaysWhy() {
        assertEquals(new BackupStatus.Health("DOWN", "no backup status in " + dir.resolve("missing") + ": backups are off or the "
                + "entrypoint is not running"), BackupStatus.readHealth(dir.resolve("missing")));
    }

    @Test
    void aStandbyIsHealthyAndSetsUpOncePromoted() {
        BackupStatus status = status();
        Exchange replica = new DefaultExchange(context);
        replica.getIn().setBody("t\n");
        status.recordRole(replica);
        assertEquals(Boolean.TRUE, replica.getVariable("standby"));
        assertTrue(status.healthy());
        assertFalse(status.isSetUp());
        assertEquals(new BackupStatus.Health("UP", "standby: the stanza is checked and backups run on the primary"),
                BackupStatus.readHealth(backup.statusFile()));
        Exchange promoted = new DefaultExchange(context);
        promoted.getIn().setBody("f");
        status.recordRole(promoted);
        assertEquals(Boolean.FALSE, promoted.getVariable("standby"));
        assertFalse(status.healthy(), "a primary is healthy once the stanza and check passed");
        status.setupSucceeded();
        assertTrue(status.healthy());
    }

    @Test
    void verifyRunsOnThePrimaryAndIsCounted() {
        BackupStatus status = status();
        assertFalse(status.verifyBegin("t\n"), "a standby leaves verify to the primary");
        assertTrue(status.verifyBegin("f\n"));
        status.verified();
        assertEquals(1.0, meters.get("pg_entrypoint_backup_verify_runs").tag("outcome", "success").counter().count());
        assertTrue(meters.get("pg_entrypoint_backup_verify_last_success_timestamp_seconds").gauge().value() > 0);
        status.verifyFailed(failedWith(new IllegalStateException("checksum mismatch"), null));
        assertEquals(1.0, meters.get("pg_entrypoint_backup_verify_runs").tag("outcome", "failure").counter().count());
    }
}
