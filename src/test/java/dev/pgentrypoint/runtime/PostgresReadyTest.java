package dev.pgentrypoint.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresReadyTest {

    @TempDir
    Path pgdata;

    private void pidFile(String firstLine, String status) throws IOException {
        Files.writeString(pgdata.resolve("postmaster.pid"), firstLine + "\n" + pgdata + "\n1732647600\n5432\n"
                + "/var/run/postgresql\n*\n  5432001    131072\n" + status + "\n");
    }

    @Test
    void readyWhenThePidMatchesAndTheStatusIsReady() throws IOException {
        pidFile("4242", "ready   ");
        assertTrue(new PostgresReady(pgdata).isReady(4242));
    }

    @Test
    void notReadyForAnotherPid() throws IOException {
        pidFile("4242", "ready");
        assertFalse(new PostgresReady(pgdata).isReady(4243));
        assertFalse(new PostgresReady(pgdata).isReady(424));
    }

    @Test
    void notReadyWhileStartingOrStopping() throws IOException {
        for (String status : new String[] {"starting", "stopping", "standby", ""}) {
            pidFile("4242", status);
            assertFalse(new PostgresReady(pgdata).isReady(4242), status);
        }
    }

    @Test
    void notReadyWithoutTheStatusLine() throws IOException {
        Files.writeString(pgdata.resolve("postmaster.pid"), "4242\n" + pgdata + "\n1732647600\n5432\n");
        assertFalse(new PostgresReady(pgdata).isReady(4242));
    }

    @Test
    void notReadyWhenReadyIsOnAnotherLine() throws IOException {
        Files.writeString(pgdata.resolve("postmaster.pid"), "4242\nready\nready\nready\nready\nready\nready\n\nready\n");
        assertFalse(new PostgresReady(pgdata).isReady(4242));
    }

    @Test
    void notReadyWithoutPidFile() {
        assertFalse(new PostgresReady(pgdata).isReady(4242));
        assertFalse(new PostgresReady(pgdata.resolve("missing")).isReady(4242));
    }
}
