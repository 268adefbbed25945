package dev.pgentrypoint.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {

    @TempDir
    Path dir;

    private Path file(String path, String mode) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void theFirstExecutableRegularFileAlongPathWins() throws IOException {
        file("plain/tool", "rw-r--r--");
        Files.createDirectories(dir.resolve("dir/tool"));
        Path first = file("first/tool", "rwxr-xr-x");
        file("second/tool", "rwxr-xr-x");
        String path = String.join(":", "", dir.resolve("missing").toString(), dir.resolve("plain").toString(),
                dir.resolve("dir").toString(), dir.resolve("first").toString(), dir.resolve("second").toString());
        assertEquals(Optional.of(first), Executables.onPath("tool", path));
    }

    @Test
    void nothingFoundWithoutPathOrOutsideIt() throws IOException {
        file("bin/tool", "rwxr-xr-x");
        assertEquals(Optional.empty(), Executables.onPath("tool", null));
        assertEquals(Optional.empty(), Executables.onPath("tool", ""));
        assertEquals(Optional.empty(), Executables.onPath("other", dir.resolve("bin").toString()));
    }
}
