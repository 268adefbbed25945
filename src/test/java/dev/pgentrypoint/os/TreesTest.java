package dev.pgentrypoint.os;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreesTest {

    @TempDir
    Path dir;

    @Test
    void deletesTheTreeButNotWhatALinkPointsTo() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "x");
        Files.writeString(dir.resolve("tree/top"), "x");
        Files.createSymbolicLink(dir.resolve("tree/a/link"), outside);
        Trees.delete(dir.resolve("tree"));
        assertFalse(Files.exists(dir.resolve("tree")));
        assertTrue(Files.exists(outside.resolve("keep")));
    }

    @Test
    void aMissingTreeIsNothingToDo() throws IOException {
        Trees.delete(dir.resolve("missing"));
        assertTrue(Files.isDirectory(dir));
    }
}
