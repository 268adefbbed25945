package dev.pgentrypoint.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.state.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM or SIGINT in each state: the shutdown route stops the server, runs the cleanups, records
 * STOPPED and exits 0, or 4 when the server had to be forced down, or 2 when a first initialization
 * was interrupted (the next start finishes it). The signal is delivered the way
 * Main delivers it (Lifecycle.onSignal); an interrupted step fails the way an interrupted command does.
 */
class WorkflowStopTest extends WorkflowTestSupport {

    private void signalDuring(String step, String... transitions) {
        onStep(step, exchange -> {
            for (String next : transitions) {
                lifecycle.transition(next);
            }
            lifecycle.onSignal("TERM");
            fail(exchange, "interrupted by SIGTERM");
        });
    }

    private void assertStoppedCleanly(String lastStep) {
        List<String> after = steps.subList(steps.indexOf(lastStep) + 1, steps.size());
        assertEquals("supervise:postgres",
                after.get(0), "the server is stopped first: " + steps);
        assertEquals(CLEANUP_ORDER, after.subList(1, after.size()));
        assertEquals(State.STOPPED, fileState());
        assertEquals(List.of(), halted);
    }

    @Test
    void duringValidationUninitializedExits0() throws Exception {
        boot(Map.of());
        recordSteps();
        signalDuring("init-database-validate");
        assertEquals(ExitCode.SUCCESS, runWorkflow());
        assertFalse(steps.contains("init-directories-main"), "no init step after the stop: " + steps);
        assertStoppedCleanly("init-database-validate");
    }

    @Test
    void duringInitdbInitializingExits2() throws Exception {
        boot(Map.of());
        recordSteps();
        signalDuring("init-database-main", "INITIALIZING");
        assertEquals(ExitCode.INIT_FAILED, runWorkflow(), "an interrupted first initialization is not a success");
        assertFalse(steps.contains("init-config-main"), steps.toString());
        assertStoppedCleanly("init-database-main");
    }

    @Test
    void whenReadyBeforeTheStartExits0() throws Exception {
        boot(Map.of());
        recordSteps();
        onStep("init-database-complete", exchange -> {
            lifecycle.transition("READY");
            lifecycle.onSignal("INT");
            lifecycle.checkNotStopping();
        });
        assertEquals(ExitCode.SUCCESS, runWorkflow());
        assertFalse(steps.contains("runtime-startup-direct"), "not started: " + steps);
        assertStoppedCleanly("init-database-complete");
    }

    @Test
    void whileStartingExits0() throws Exception {
        boot(Map.of());
        recordSteps();
        onStep("runtime-startup-direct", exchange -> {
            lifecycle.transition("READY");
            lifecycle.transition("STARTING");
            lifecycle.onSignal("TERM");
            lifecycle.checkStart("postgres");
        });
        assertEquals(ExitCode.SUCCESS, runWorkflow());
        assertFalse(steps.contains("runtime-backup-start"), steps.toString());
        assertStoppedCleanly("runtime-startup-direct");
    }

    @Test
    void whenRunningExits0() throws Exception {
        bootRunning();
        lifecycle.onSignal("TERM");
        assertEquals(ExitCode.SUCCESS, awaitExit());
        assertStoppedCleanly("runtime-collation-check");
    }

    @Test
    void whenRunningAndTheServerHadToBeForcedExits4() throws Exception {
        bootRunning();
        step("supervise:postgres")
                .whenAnyExchangeReceived(exchange -> {
                    steps.add("forced stop");
                    exchange.getMessage().setHeader("SuperviseForced", true);
                });
        lifecycle.onSignal("TERM");
        assertEquals(ExitCode.SHUTDOWN_FORCED, awaitExit());
        assertTrue(steps.contains("forced stop"), steps.toString());
        assertEquals(State.STOPPED, fileState());
    }

    @Test
    void aSecondSignalDoesNotRunTheShutdownTwice() throws Exception {
        bootRunning();
        lifecycle.onSignal("TERM");
        lifecycle.onSignal("INT");
        assertEquals(ExitCode.SUCCESS, awaitExit());
        assertEquals(1, steps.stream().filter(s -> s.equals("util-lock-cleanup")).count(), steps.toString());
    }

    private void bootRunning() throws Exception {
        boot(Map.of());
        recordSteps();
        onStep("runtime-startup-direct", exchange -> {
            lifecycle.transition("READY");
            lifecycle.transition("STARTING");
            lifecycle.transition("RUNNING");
        });
        context.getRouteController().startRoute("entrypoint");
        awaitWorkflowEnd();
        assertEquals(State.RUNNING, fileState());
        assertEquals(1, exited.getCount(), "running: the entrypoint has not exited");
    }
}
