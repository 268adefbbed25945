package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
}
