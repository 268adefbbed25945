package dev.pgentrypoint.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostmasterPidTest {

    @TempDir
    Path pgdata;

    private void write(String text) throws IOException {
        Files.writeString(pgdata.resolve("postmaster.pid"), text);
    }

    @Test
    void readsThePidAndTheStatusLine() throws IOException {
        write(" 4242 \n" + pgdata + "\n1732647600\n5432\n/var/run/postgresql\n*\n  5432001    131072\nready   \n");
        PostmasterPid file = PostmasterPid.read(pgdata);
        assertEquals(OptionalLong.of(4242), file.pid());
        assertTrue(file.names(4242));
        assertFalse(file.names(424));
        assertEquals(Optional.of("ready"), file.status());
        assertEquals(OptionalLong.of(4242), PostmasterPid.pidOf(pgdata));
    }

    @Test
    void aFileWithoutStatusLineHasNoStatus() throws IOException {
        write("4242\n" + pgdata + "\n");
        assertEquals(Optional.empty(), PostmasterPid.read(pgdata).status());
        assertTrue(PostmasterPid.read(pgdata).names(4242));
    }

    @Test
    void missingEmptyOrGarbledFilesNameNoPid() throws IOException {
        assertEquals(OptionalLong.empty(), PostmasterPid.pidOf(pgdata));
        assertThrows(NoSuchFileException.class, () -> PostmasterPid.read(pgdata));
        write("");
        assertEquals(OptionalLong.empty(), PostmasterPid.pidOf(pgdata));
        assertFalse(PostmasterPid.read(pgdata).names(0));
        write("not-a-pid\n");
        assertEquals(OptionalLong.empty(), PostmasterPid.pidOf(pgdata));
    }

    @Test
    void theFileLivesInPgdata() {
        assertEquals(pgdata.resolve("postmaster.pid"), PostmasterPid.in(pgdata));
    }
}
