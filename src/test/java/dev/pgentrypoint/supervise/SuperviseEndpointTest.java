package dev.pgentrypoint.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.junit.jupiter.api.Test;

class SuperviseEndpointTest extends SuperviseTestSupport {

    @Test
    void bindsUriParametersWithoutGeneratedConfigurer() {
        SuperviseEndpoint endpoint = context.getEndpoint("supervise:postgres?action=stop&readyCheck=#bean:readyFile"
                + "&readyPollMillis=20&readyTimeout=3&stopSignal=TERM&stopTimeout=4&escalateSignal=SIGQUIT"
                + "&escalateTimeout=2&escalateTarget=#serverPid&workingDir=/tmp", SuperviseEndpoint.class);

        assertEquals("postgres", endpoint.getName());
        // the options compare as a record: the bean references by identity, the others by value
        ReadinessCheck readyCheck = context.getRegistry().lookupByNameAndType("readyFile", ReadinessCheck.class);
        EscalationTarget escalateTarget = context.getRegistry().lookupByNameAndType("serverPid", EscalationTarget.class);
        assertEquals(new SuperviseOptions("stop", readyCheck, escalateTarget, "/tmp", 20, 3, "TERM", 4, "SIGQUIT", 2),
                endpoint.options());

        SuperviseEndpoint defaults = context.getEndpoint("supervise:patroni?readyCheck=#readyFile", SuperviseEndpoint.class);
        assertEquals(new SuperviseOptions(null, readyCheck, null, null, 50, 60, "INT", 30, "QUIT", 5), defaults.options());
    }

    @Test
    void rejectsUnknownParameter() {
        assertThrows(ResolveEndpointFailedException.class, () -> context.getEndpoint("supervise:postgres?actoin=start"));
    }

    @Test
    void bindsOptionsInAnyCaseAndTheGeneralEndpointOptions() {
        SuperviseEndpoint endpoint = context.getEndpoint(
                "supervise:postgres?ACTION=start&readytimeout=7&lazyStartProducer=true", SuperviseEndpoint.class);

        assertEquals("start", endpoint.options().action());
        assertEquals(7, endpoint.options().readyTimeout());
        assertEquals(50, endpoint.options().readyPollMillis());
        assertTrue(endpoint.isLazyStartProducer());
    }

    @Test
    void rejectsAValueOfTheWrongTypeAndAMissingBean() {
        assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("supervise:postgres?readyTimeout=soon"));
        assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("supervise:postgres?readyCheck=#noSuchCheck"));
    }

    @Test
    void statusAndDuplicateStartAndIdleStop() throws Exception {
        Path script = script("graceful", "trap 'exit 0' INT\ntouch \"$READY_FILE\"\n" + loopForever());
        Exchange idle = call("supervise:graceful?action=status");
        assertEquals(false, idle.getMessage().getHeader("SuperviseRunning"));

        long pid = pidOf(start("supervise:graceful?action=start&" + READY_CHECK, script));
        Exchange running = call("supervise:graceful?action=status");
        assertEquals(true, running.getMessage().getHeader("SuperviseRunning"));
        assertEquals(pid, running.getMessage().getHeader("SupervisePid"));

        Exchange again = start("supervise:graceful?action=start&" + READY_CHECK, script);
        SuperviseException duplicate = assertInstanceOf(SuperviseException.class, again.getException());
        assertTrue(duplicate.getMessage().contains("already running"), duplicate.getMessage());
        assertEquals(1, checkedPids.size(), "no second child may be started");
        assertAlive(pid);

        assertEquals(true, call("supervise:graceful?action=stop").getMessage().getHeader("SuperviseStopped"));
        assertGone(pid);
        Exchange noop = call("supervise:graceful?action=stop");
        assertEquals(false, noop.getMessage().getHeader("SuperviseStopped"));
        assertEquals(false, call("supervise:graceful?action=status").getMessage().getHeader("SuperviseRunning"));
    }

    @Test
    void startGuardEndsAStartInProgressAndStopsTheChildGracefully() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean();
        context.getRegistry().bind("guard", StartGuard.class, (StartGuard) name -> {
            if (stopping.get()) {
                throw new IllegalStateException("shutting down while " + name + " starts");
            }
        });
        Path script = script("graceful", "trap 'echo bye; exit 0' INT\necho started\n" + loopForever());
        CompletableFuture<Exchange> started = CompletableFuture.supplyAsync(
                () -> start("supervise:graceful?action=start&" + READY_CHECK + "&readyTimeout=60", script));
        // the trap is set once the script says so
        while (component.pid("graceful").isEmpty()
                || childEvents("graceful").stream().noneMatch(e -> e.getFormattedMessage().equals("started"))) {
            Thread.sleep(10);
        }
        long pid = component.pid("graceful").getAsLong();
        stopping.set(true);

        Exchange result = started.get(10, TimeUnit.SECONDS);

        assertEquals("shutting down while graceful starts", result.getException().getMessage());
        assertGone(pid);
        assertTrue(childEvents("graceful").stream().anyMatch(e -> e.getFormattedMessage().equals("bye")),
                "stopped with its stop signal");
        assertNull(exits.poll(300, TimeUnit.MILLISECONDS), "a requested stop is not an exit");
    }

    @Test
    void startGuardRefusesStart() throws Exception {
        Path marker = dir.resolve("was-started");
        Path script = script("graceful", "touch \"" + marker + "\"\n" + loopForever());
        context.getRegistry().bind("guard", StartGuard.class, (StartGuard) name -> {
            throw new IllegalStateException("shutting down, refusing " + name);
        });

        Exchange started = start("supervise:graceful?action=start", script);

        IllegalStateException refused = assertInstanceOf(IllegalStateException.class, started.getException());
        assertEquals("shutting down, refusing graceful", refused.getMessage());
        Thread.sleep(300);
        assertFalse(Files.exists(marker), "child must not have been started");
        assertTrue(component.running().isEmpty());
        assertEquals(0, ProcessHandle.current().children().count());
    }
}
