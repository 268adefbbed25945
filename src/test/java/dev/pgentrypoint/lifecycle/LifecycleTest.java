package dev.pgentrypoint.lifecycle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationException;
import dev.pgentrypoint.json.TestJson;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.SettingsValidator;
import dev.pgentrypoint.settings.ValidationReport;
import dev.pgentrypoint.state.InstanceLock;
import dev.pgentrypoint.state.LockHeldException;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T19:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path stateFile;
    private StateMachine state;
    private final List<String> transitions = new CopyOnWriteArrayList<>();
    private Lifecycle lifecycle;

    @BeforeEach
    void setUp() {
        stateFile = dir.resolve("state");
        state = new StateMachine(stateFile, CLOCK);
        state.addListener((from, to) -> transitions.add(from + "->" + to));
        lifecycle = new Lifecycle(state, 30, code -> { });
    }

    private Map<String, Object> written() throws IOException {
        return TestJson.parseObject(Files.readString(stateFile));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> facts() throws IOException {
        return (Map<String, Object>) written().get("facts");
    }

    @Test
    void codeOfAnEntrypointExceptionIsItsOwn() {
        for (ExitCode code : ExitCode.values()) {
            assertEquals(code, Failures.codeOf(new EntrypointException("step", code, "reason"), 3));
        }
    }

    @Test
    void codeOfAValidationExceptionIsItsMostSevereError() {
        ValidationReport report = new ValidationReport();
        new SettingsValidator(new Settings(Map.of("PGPORT", "0"), List.of(), dir), Optional.empty()).validate(report);
        ValidationException e = assertThrows(ValidationException.class, report::conclude);
        assertEquals(ExitCode.INVALID_INPUT, Failures.codeOf(e, 2));
    }

    @Test
    void codeOfALockHeldExceptionIsInvalidInput() {
        Path lockFile = dir.resolve("lock");
        try (InstanceLock held = InstanceLock.acquire(lockFile, "/data")) {
            LockHeldException e = assertThrows(LockHeldException.class, () -> InstanceLock.acquire(lockFile, "/data"));
            assertEquals(ExitCode.INVALID_INPUT, Failures.codeOf(e, 2));
            assertEquals(ExitCode.INVALID_INPUT, Failures.codeOf(new RuntimeException("wrapped", e), 3));
        }
    }

    @Test
    void codeOfAWrappedCauseIsFound() {
        Throwable e = new IllegalStateException("outer", new UncheckedIOException("middle",
                new IOException("inner", new EntrypointException("x", ExitCode.SHUTDOWN_FORCED, "forced"))));
        assertEquals(ExitCode.SHUTDOWN_FORCED, Failures.codeOf(e, 2));
    }

    @Test
    void theOutermostEntrypointExceptionWins() {
        Throwable e = new EntrypointException("outer", ExitCode.RUNTIME_FAILED, "outer",
                new EntrypointException("inner", ExitCode.INVALID_INPUT, "inner"));
        assertEquals(ExitCode.RUNTIME_FAILED, Failures.codeOf(e, 2));
    }

    @Test
    void codeOfAnUnknownExceptionIsThePhaseCode() {
        assertEquals(ExitCode.INIT_FAILED, Failures.codeOf(new IllegalStateException("boom"), 2));
        assertEquals(ExitCode.RUNTIME_FAILED, Failures.codeOf(new IllegalStateException("boom"), 3));
        assertEquals(ExitCode.RUNTIME_FAILED, Failures.codeOf(null, 3));
        assertEquals(ExitCode.INIT_FAILED, Failures.codeOf(new IllegalStateException("boom"), 42));
    }

    @Test
    void decideKeepsTheFirstCode() {
        assertFalse(lifecycle.decided());
        assertEquals(ExitCode.SUCCESS, lifecycle.exitCode());
        lifecycle.decide(ExitCode.RUNTIME_FAILED);
        lifecycle.decide(ExitCode.SUCCESS);
        lifecycle.decide(ExitCode.SHUTDOWN_FORCED);
        assertTrue(lifecycle.decided());
        assertEquals(ExitCode.RUNTIME_FAILED, lifecycle.exitCode());
        assertEquals(3, lifecycle.exitStatus());
    }

    @Test
    void forcedStopEndsWithShutdownForced() throws IOException {
        state.transition(State.READY);
        state.transition(State.RUNNING);
        lifecycle.beginShutdown();
        lifecycle.recordStop(null);
        lifecycle.recordStop(true);
        lifecycle.recordStop(false);
        lifecycle.stopped();

        assertEquals(ExitCode.SHUTDOWN_FORCED, lifecycle.exitCode());
        assertEquals(4, lifecycle.exitStatus());
        assertEquals(List.of("UNINITIALIZED->READY", "READY->RUNNING", "RUNNING->STOPPING", "STOPPING->STOPPED"),
                transitions);
        assertEquals("STOPPED", written().get("state"));
        assertEquals("STOPPING", written().get("previous"));
        assertEquals(Map.of("exit", "4"), facts());
    }

    @Test
    void cleanStopEndsWithSuccess() throws IOException {
        state.transition(State.READY);
        lifecycle.beginShutdown();
        lifecycle.recordStop(false);
        lifecycle.recordStop(null);
        lifecycle.stopped();

        assertEquals(ExitCode.SUCCESS, lifecycle.exitCode());
        assertTrue(lifecycle.decided());
        assertEquals(List.of("UNINITIALIZED->READY", "READY->STOPPING", "STOPPING->STOPPED"), transitions);
        assertEquals(Map.of("exit", "0"), facts());
    }

    @Test
    void aFailureDecidedBeforeTheStopIsKept() throws IOException {
        lifecycle.decide(ExitCode.INIT_FAILED);
        state.transition(State.ERROR);
        lifecycle.beginShutdown();
        lifecycle.recordStop(true);
        lifecycle.stopped();
        assertEquals(ExitCode.INIT_FAILED, lifecycle.exitCode());
        assertEquals(List.of("UNINITIALIZED->ERROR", "ERROR->STOPPED"), transitions);
        assertEquals(Map.of("exit", "2"), facts());
    }

    @Test
    void checkStartThrowsOnceStopping() {
        assertFalse(lifecycle.isStopping());
        assertDoesNotThrow(() -> lifecycle.checkStart("postgres"));
        lifecycle.beginShutdown();
        assertTrue(lifecycle.isStopping());
        EntrypointException e = assertThrows(EntrypointException.class, () -> lifecycle.checkStart("postgres"));
        assertEquals("supervise-postgres", e.step());
        assertEquals(ExitCode.SUCCESS, e.exitCode());
        assertTrue(e.getMessage().contains("shutdown in progress"), e.getMessage());
        assertEquals(State.STOPPING, state.current());
    }

    @Test
    void failInitRecordsErrorWithStepAndExitCode() throws Exception {
        state.transition(State.INITIALIZING);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("initdb crashed"));
            exchange.setProperty(Exchange.FAILURE_ROUTE_ID, "init-database-initdb");
            lifecycle.failInit(exchange);
        }
        assertEquals(ExitCode.INIT_FAILED, lifecycle.exitCode());
        assertEquals(List.of("UNINITIALIZED->INITIALIZING", "INITIALIZING->ERROR"), transitions);
        assertEquals(Map.of("step", "init-database-initdb", "exit", "2"), facts());

        lifecycle.stopped();
        assertEquals(ExitCode.INIT_FAILED, lifecycle.exitCode());
        assertEquals("STOPPED", written().get("state"));
        assertEquals(Map.of("exit", "2"), facts());
    }

    @Test
    void invalidInputDecidesExitOneButLeavesTheStateFileAlone() throws Exception {
        state.transition(State.READY);
        String before = Files.readString(stateFile);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeException("wrapper",
                    new EntrypointException("init-config-apply", ExitCode.INVALID_INPUT, "bad config")));
            exchange.setProperty(Exchange.FAILURE_ROUTE_ID, "init-config-main");
            lifecycle.failInit(exchange);
        }
        assertEquals(ExitCode.INVALID_INPUT, lifecycle.exitCode());
        assertEquals(State.READY, state.current());
        assertEquals(List.of("UNINITIALIZED->READY"), transitions);
        assertEquals(before, Files.readString(stateFile));
    }

    @Test
    void failRuntimeUsesTheFailedRouteWhenTheCauseIsWrapped() throws Exception {
        state.transition(State.READY);
        state.transition(State.RUNNING);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeException("wrapper",
                    new EntrypointException("inner-step", ExitCode.INIT_FAILED, "inner")));
            exchange.setProperty(Exchange.FAILURE_ROUTE_ID, "runtime-startup-direct");
            lifecycle.failRuntime(exchange);
        }
        assertEquals(ExitCode.INIT_FAILED, lifecycle.exitCode());
        assertEquals(Map.of("step", "runtime-startup-direct", "exit", "2"), facts());
    }

    @Test
    void failRuntimeTakesTheStepOfAnEntrypointException() throws Exception {
        state.transition(State.READY);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT,
                    new EntrypointException("supervise-postgres", ExitCode.RUNTIME_FAILED, "exited"));
            lifecycle.failRuntime(exchange);
        }
        assertEquals(3, lifecycle.exitStatus());
        assertEquals(Map.of("step", "supervise-postgres", "exit", "3"), facts());
    }

    @Test
    void transitionsByName() throws IOException {
        lifecycle.transition("READY");
        lifecycle.transition("RUNNING", "postmaster_pid", "42");
        assertEquals(State.RUNNING, state.current());
        assertEquals(Map.of("postmaster_pid", "42"), facts());
        assertThrows(IllegalArgumentException.class, () -> lifecycle.transition("NOT_A_STATE"));
    }

    @Test
    void reexecDecidesTheInternalCodeUnlessDecidedBefore() {
        lifecycle.reexecUnprivileged();
        assertEquals(ExitCode.REEXEC_UNPRIVILEGED, lifecycle.exitCode());
        Lifecycle other = new Lifecycle(state, 30, code -> { });
        other.decide(ExitCode.INVALID_INPUT);
        other.reexecUnprivileged();
        assertEquals(ExitCode.INVALID_INPUT, other.exitCode());
    }

    @Test
    void exitRunsTheCompleterWithSuccessWhenNothingWasDecided() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        lifecycle.attach(null, done::countDown);
        lifecycle.exit();
        assertTrue(done.await(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(lifecycle.decided());
        assertEquals(ExitCode.SUCCESS, lifecycle.exitCode());
    }

    /** Also the sample of docs/operations.md ("Logs"), so the documented line cannot drift. */
    @Test
    void aFailedCommandIsNamedByItsCommandLineAndOutputNeverByCamelsDescription() throws IOException {
        String camel = "The command ExecCommand [args=[--pgdata=/srv/data, --username=postgres], "
                + "executable=/usr/lib/postgresql/15/bin/initdb, timeout=600000, exitValues=[0], outFile=null, "
                + "workingDir=null, commandLogLevel=DEBUG, useStderrOnEmptyStdout=false] had exit value 1";
        var exec = new org.apache.camel.component.exec.ExecException(camel,
                new java.io.ByteArrayInputStream(new byte[0]),
                new java.io.ByteArrayInputStream("initdb: error: directory exists\n".getBytes()), 1);
        String reason = Failures.reason(new org.apache.camel.RuntimeCamelException("wrapped", exec));
        List<String> doc = Files.readAllLines(Path.of("docs/operations.md"));
        int at = 0;
        while (!doc.get(at).contains("reason=command ")) {
            at++;
        }
        String documented = doc.get(at).substring(doc.get(at).indexOf("reason=") + "reason=".length()) + "\n" + doc.get(at + 1);
        assertEquals(documented, reason);
        assertEquals("command /usr/lib/postgresql/15/bin/initdb --pgdata=/srv/data --username=postgres failed "
                + "(exit value 1)\ninitdb: error: directory exists", reason);

        var secret = new org.apache.camel.component.exec.ExecException(camel.replace("--username=postgres",
                "password=hunter2"), null, null, 1);
        assertTrue(Failures.reason(secret).contains("password=****") && !Failures.reason(secret).contains("hunter2"),
                Failures.reason(secret));
        assertEquals("plain", Failures.reason(new IllegalStateException("plain")));
        assertEquals("unknown", Failures.reason(null));
    }
}
