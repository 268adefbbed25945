package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket and the CLI that talks to it, against a stand-in for the manual backup route. */
class BackupControlTest {
    @TempDir
    Path dir;

    @Test
    void aRequestReachesTheManualBackupRouteAndItsOutcomeComesBack() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(BackupControl.ROUTE).setBody(simple("ok type=${body} label=L"));
                }
            });
            context.start();
            Path socket = dir.resolve("control.sock");
            BackupControl control = new BackupControl(socket);
            control.open(new DefaultExchange(context));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("ok type=diff label=L", BackupCli.request(socket, "backup diff"));
            assertEquals("ok type=full:2 label=L", BackupCli.request(socket, "backup full repo2"));
            assertTrue(BackupCli.request(socket, "backup full repo2; rm").startsWith("failed: unknown request"));
            assertTrue(BackupCli.request(socket, "backup weekly").startsWith("failed: unknown request 'backup weekly'"));
            assertTrue(BackupCli.request(socket, "drop database").startsWith("failed: unknown request"));
            control.close();
            control.close();
            assertFalse(Files.exists(socket));
            assertTrue(BackupCli.request(socket, "backup full").startsWith("failed: no running entrypoint with backups answers"));
        }
    }

    @Test
    void theCommandWaitsForASocketThatOpensAfterTheServerStarted() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(BackupControl.ROUTE).setBody(simple("ok type=${body}"));
                }
            });
            context.start();
            Path socket = dir.resolve("control.sock");
            Path state = Files.writeString(dir.resolve("state.json"), "{\"state\":\"RUNNING\",\"since\":\"x\"}");
            BackupControl control = new BackupControl(socket);
            Thread opener = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    control.open(new DefaultExchange(context));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            opener.start();
            try {
                assertEquals("ok type=full", BackupCli.awaitAndRequest(socket, "backup full", state, Duration.ofSeconds(60)));
            } finally {
                opener.join();
                control.close();
            }
        }
    }

    @Test
    void theCommandFailsAtOnceWithoutAnEntrypointOnItsWayAndAfterItsTimeout() {
        Path socket = dir.resolve("control.sock");
        Path state = dir.resolve("state.json");
        long start = System.nanoTime();
        String none = BackupCli.awaitAndRequest(socket, "backup full", state, Duration.ofSeconds(60));
        assertTrue(none.startsWith(BackupCli.NO_ANSWER) && none.endsWith("(state: no entrypoint has written " + state + ")"), none);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 30, "did not wait");
        assertEquals("", BackupCli.state(state));

        writeState(state, "STOPPED");
        assertTrue(BackupCli.awaitAndRequest(socket, "backup full", state, Duration.ofSeconds(60)).endsWith("(state: STOPPED)"));

        writeState(state, "STARTING");
        String late = BackupCli.awaitAndRequest(socket, "backup full", state, Duration.ofSeconds(1));
        assertTrue(late.endsWith("(still STARTING after waiting 1 s, BACKUP_TIMEOUT)"), late);
    }

    private static void writeState(Path state, String value) {
        try {
            Files.writeString(state, "{\"state\": \"" + value + "\"}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
