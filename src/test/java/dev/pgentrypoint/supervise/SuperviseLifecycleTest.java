package dev.pgentrypoint.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

class SuperviseLifecycleTest extends SuperviseTestSupport {

    @Test
    void startWaitsForReadinessLogsOutputAndStopsGracefully() throws Exception {
        String removed = System.getenv().keySet().stream().filter(k -> !k.equals("PATH")).findFirst().orElseThrow();
        Path script = script("graceful", """
                trap 'echo bye; exit 0' INT
                echo "hello stdout greeting=$GREETING removed=${!REMOVED_NAME-unset}"
                echo "hello stderr" >&2
                sleep 0.2
                touch "$READY_FILE"
                """ + loopForever());
        long begin = System.nanoTime();
        Exchange started = start("supervise:graceful?action=start&" + READY_CHECK, List.of(script.toString()),
                Map.of("GREETING", "hi", "REMOVED_NAME", removed), List.of(removed));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertNull(started.getException());
        long pid = pidOf(started);
        assertTrue(Files.exists(readyFile), "start returned before the child was ready");
        assertTrue(elapsedMillis >= 200, "start returned after " + elapsedMillis + " ms");
        assertTrue(checkedPids.contains(pid));
        assertAlive(pid);
        assertEquals(Set.of("graceful"), component.running());
        assertEquals(pid, component.pid("graceful").orElseThrow());

        Exchange stopped = call("supervise:graceful?action=stop");

        assertEquals(true, stopped.getMessage().getHeader("SuperviseStopped"));
        assertEquals(0, stopped.getMessage().getHeader("SuperviseExitCode"));
        assertEquals(false, stopped.getMessage().getHeader("SuperviseForced"));
        assertGone(pid);
        assertTrue(component.running().isEmpty());
        assertTrue(component.pid("graceful").isEmpty());
        List<ILoggingEvent> lines = childEvents("graceful");
        assertLine(lines, "hello stdout greeting=hi removed=unset", "stdout");
        assertLine(lines, "hello stderr", "stderr");
        assertLine(lines, "bye", "stdout");
        assertNull(exits.poll(300, TimeUnit.MILLISECONDS), "requested stop must not reach the consumer");
    }

    @Test
    void escalatesToQuitWhenInterruptIsIgnored() throws Exception {
        Path script = script("quitter", """
                trap '' INT
                trap 'echo quitting; exit 5' QUIT
                touch "$READY_FILE"
                """ + loopForever());
        // JDK 17 starts children with SIGQUIT blocked (fixed in JDK 20 by JDK-8234262); env unblocks it
        List<String> command = List.of("env", "--default-signal=QUIT", script.toString());
        long pid = pidOf(start("supervise:quitter?action=start&" + READY_CHECK, command, Map.of(), List.of()));

        Exchange stopped = call("supervise:quitter?action=stop&stopTimeout=1&escalateTimeout=1");

        assertEquals(true, stopped.getMessage().getHeader("SuperviseForced"));
        assertEquals(5, stopped.getMessage().getHeader("SuperviseExitCode"));
        assertGone(pid);
        assertLine(childEvents("quitter"), "quitting", "stdout");
    }

    @Test
    void killsWhenInterruptAndQuitAreIgnored() throws Exception {
        Path script = script("stubborn", """
                trap '' INT QUIT
                touch "$READY_FILE"
                """ + loopForever());
        long pid = pidOf(start("supervise:stubborn?action=start&" + READY_CHECK, script));
        long begin = System.nanoTime();

        Exchange stopped = call("supervise:stubborn?action=stop&stopTimeout=1&escalateTimeout=1");

        assertTrue(System.nanoTime() - begin >= TimeUnit.SECONDS.toNanos(2), "escalation timeouts were not honoured");
        assertEquals(true, stopped.getMessage().getHeader("SuperviseForced"));
        assertEquals(128 + 9, stopped.getMessage().getHeader("SuperviseExitCode"));
        assertGone(pid);
    }

    @Test
    void escalatesToTheTargetSoTheSupervisorEndsByItself() throws Exception {
        Path server = script("server", """
                trap 'echo server quits; exit 0' QUIT
                """ + loopForever());
        Path supervisor = script("tree", """
                trap '' INT
                env --default-signal=QUIT %s &
                echo $! > %s
                touch "$READY_FILE"
                wait $!
                echo "server gone, supervisor exits"
                exit 7
                """.formatted(server, dir.resolve("server.pid")));
        long pid = pidOf(start("supervise:tree?action=start&" + READY_CHECK, supervisor));

        Exchange stopped = call("supervise:tree?action=stop&stopTimeout=1&escalateTimeout=5&escalateTarget=#serverPid");

        assertEquals(true, stopped.getMessage().getHeader("SuperviseForced"));
        assertEquals(7, stopped.getMessage().getHeader("SuperviseExitCode"), "the supervisor ended by itself");
        assertGone(pid);
        assertLine(childEvents("tree"), "server quits", "stdout");
        assertLine(childEvents("tree"), "server gone, supervisor exits", "stdout");
    }

    @Test
    void killTakesTheWholeTree() throws Exception {
        Path supervisor = script("tree", """
                trap '' INT QUIT
                bash -c 'trap "" QUIT; while :; do sleep 0.05; done' &
                echo $! > %s
                touch "$READY_FILE"
                """.formatted(dir.resolve("server.pid")) + loopForever());
        long pid = pidOf(start("supervise:tree?action=start&" + READY_CHECK, supervisor));
        long server = Long.parseLong(Files.readString(dir.resolve("server.pid")).strip());

        Exchange stopped = call("supervise:tree?action=stop&stopTimeout=1&escalateTimeout=1&escalateTarget=#serverPid");

        assertEquals(true, stopped.getMessage().getHeader("SuperviseForced"));
        assertGone(pid);
        assertGone(server);
    }

    @Test
    void unexpectedExitReachesConsumer() throws Exception {
        Path script = script("exiter", """
                touch "$READY_FILE"
                sleep 0.3
                echo "about to exit"
                exit 7
                """);
        long pid = pidOf(start("supervise:exiter?action=start&" + READY_CHECK, script));

        Exchange exit = exits.poll(5, TimeUnit.SECONDS);

        assertNotNull(exit, "no exit exchange");
        assertEquals(7, exit.getMessage().getBody());
        assertEquals("exiter", exit.getMessage().getHeader("SuperviseName"));
        assertEquals(pid, exit.getMessage().getHeader("SupervisePid"));
        assertEquals(7, exit.getMessage().getHeader("SuperviseExitCode"));
        assertTrue(exit.getMessage().getHeader("SuperviseLastOutput", String.class).endsWith("about to exit"));
        assertGone(pid);
        assertTrue(component.running().isEmpty());
        assertNull(exits.poll(300, TimeUnit.MILLISECONDS), "exactly one exit exchange expected");
    }

    @Test
    void exitBeforeReadyFailsStart() throws Exception {
        Path script = script("early", """
                echo "starting"
                echo "fatal: config broken" >&2
                exit 3
                """);

        Exchange started = start("supervise:early?action=start&" + READY_CHECK, script);

        ChildStartException failure = assertInstanceOf(ChildStartException.class, started.getException());
        assertTrue(failure.getMessage().contains("code 3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("fatal: config broken"), failure.getMessage());
        assertTrue(component.running().isEmpty());
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    @Test
    void aSecretInAFailingChildsOutputIsMaskedInTheLogAndTheFailure() throws Exception {
        dev.pgentrypoint.logging.Masking.register(List.of("child-s3cret-Xy"));
        Path script = script("early", """
                echo "connecting with password child-s3cret-Xy"
                echo "fatal: auth child-s3cret-Xy refused" >&2
                exit 3
                """);

        Exchange started = start("supervise:early?action=start&" + READY_CHECK, script);

        ChildStartException failure = assertInstanceOf(ChildStartException.class, started.getException());
        assertTrue(failure.getMessage().contains("fatal: auth **** refused"), failure.getMessage());
        assertFalse(failure.getMessage().contains("child-s3cret-Xy"), failure.getMessage());
        assertLine(childEvents("early"), "connecting with password ****", "stdout");
        assertLine(childEvents("early"), "fatal: auth **** refused", "stderr");
        assertTrue(childEvents("early").stream().noneMatch(e -> e.getFormattedMessage().contains("child-s3cret-Xy")));
    }

    @Test
    void readinessTimeoutStopsChild() throws Exception {
        Path script = script("slow", "trap 'exit 0' INT\necho waiting\n" + loopForever());

        Exchange started = start("supervise:slow?action=start&readyTimeout=1&stopTimeout=1&" + READY_CHECK, script);

        ChildStartException failure = assertInstanceOf(ChildStartException.class, started.getException());
        assertTrue(failure.getMessage().contains("timed out"), failure.getMessage());
        assertEquals(1, checkedPids.size());
        assertGone(checkedPids.iterator().next());
        assertTrue(component.running().isEmpty());
        assertNull(exits.poll(300, TimeUnit.MILLISECONDS), "a failed start must not reach the consumer");
    }

    @Test
    void stopWhileStartingFailsStartPromptlyAndStillEscalates() throws Exception {
        Path armed = dir.resolve("armed");
        Path script = script("slow", "trap '' INT\ntouch \"" + armed + "\"\n" + loopForever());
        CompletableFuture<Exchange> starting = CompletableFuture.supplyAsync(
                () -> start("supervise:slow?action=start&readyTimeout=30&" + READY_CHECK, script));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((checkedPids.isEmpty() || !Files.exists(armed)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long pid = checkedPids.iterator().next();

        CompletableFuture<Exchange> stopping = CompletableFuture.supplyAsync(
                () -> call("supervise:slow?action=stop&stopTimeout=1&escalateTimeout=1"));
        Exchange started = starting.get(1, TimeUnit.SECONDS);

        SuperviseException failure = assertInstanceOf(SuperviseException.class, started.getException());
        assertTrue(failure.getMessage().contains("stopped while starting"), failure.getMessage());
        assertFalse(stopping.isDone(), "stop should still be escalating");
        Exchange stopped = stopping.get(5, TimeUnit.SECONDS);
        assertEquals(true, stopped.getMessage().getHeader("SuperviseStopped"));
        assertEquals(true, stopped.getMessage().getHeader("SuperviseForced"));
        assertEquals(128 + 9, stopped.getMessage().getHeader("SuperviseExitCode"));
        assertGone(pid);
        assertTrue(component.running().isEmpty());
    }

    @Test
    void contextStopStopsLiveChildren() throws Exception {
        Path script = script("graceful", "trap 'echo bye; exit 0' INT\ntouch \"$READY_FILE\"\n" + loopForever());
        long pid = pidOf(start("supervise:graceful?action=start&" + READY_CHECK, script));
        assertAlive(pid);

        context.stop();

        assertGone(pid);
        assertLine(childEvents("graceful"), "bye", "stdout");
        assertTrue(exits.isEmpty());
    }

    private static void assertLine(List<ILoggingEvent> events, String line, String stream) {
        assertTrue(events.stream().anyMatch(e -> e.getFormattedMessage().equals(line)
                        && stream.equals(e.getMDCPropertyMap().get("stream"))
                        && e.getLoggerName().equals("child." + e.getMDCPropertyMap().get("source"))
                        && e.getLevel() == ch.qos.logback.classic.Level.INFO),
                () -> "missing " + stream + " line '" + line + "' in " + events.stream()
                        .map(e -> e.getMDCPropertyMap().get("stream") + ":" + e.getFormattedMessage()).toList());
    }
}
