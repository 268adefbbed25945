package dev.pgentrypoint.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheContentWithExactlyTheMode() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFiles.write(file, "new", PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("new", Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("state.json"), names());
    }

    @Test
    void createsAPrivateFile() throws IOException {
        Path file = dir.resolve("pgbackrest.conf");
        AtomicFiles.write(file, "secret".getBytes(), PosixFilePermissions.fromString("rw-------"));
        assertEquals("secret", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void withoutAModeTheFileGetsTheDefaultOfANewFile() throws IOException {
        Path fresh = dir.resolve("fresh");
        Files.writeString(fresh, "x");
        Path file = dir.resolve("status.json");
        AtomicFiles.write(file, "{}\n");
        assertEquals("{}\n", Files.readString(file));
        assertEquals(Files.getPosixFilePermissions(fresh), Files.getPosixFilePermissions(file));
    }

    @Test
    void aFailedWriteLeavesTheFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("taken");
        Files.createDirectory(file);
        Files.writeString(file.resolve("inside"), "x");
        assertThrows(IOException.class, () -> AtomicFiles.write(file, "new"));
        assertEquals(List.of("taken"), names());
        assertEquals("x", Files.readString(file.resolve("inside")));
    }
}
