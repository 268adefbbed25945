package dev.pgentrypoint.pgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.pgdata.DataDirectory.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path dir;

    private Path pgdata;
    private DataDirectory data;

    @BeforeEach
    void setUp() {
        pgdata = dir.resolve("data");
        data = new DataDirectory(pgdata);
    }

    @Test
    void markerLocations() {
        assertEquals(pgdata.resolve("pg-entrypoint.init-incomplete"), data.innerMarker());
        assertEquals(dir.resolve(".data.pg-entrypoint.init-incomplete"), data.siblingMarker());
        assertEquals(pgdata, data.path());
        DataDirectory root = new DataDirectory(Path.of("/"));
        assertEquals(root.innerMarker(), root.siblingMarker());
    }

    @Test
    void missing() {
        assertEquals(Status.MISSING, data.status());
        assertTrue(data.needsInit());
        assertEquals(List.of(), data.entries());
    }

    @Test
    void empty() throws IOException {
        Files.createDirectories(pgdata);
        assertEquals(Status.EMPTY, data.status());
        assertTrue(data.needsInit());
    }

    @Test
    void initialized() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        assertEquals(Status.INITIALIZED, data.status());
        assertFalse(data.needsInit());
        assertEquals(Optional.of("15"), data.version());
        assertEquals(List.of("PG_VERSION", "base"), data.entries());
    }

    @Test
    void foreign() throws IOException {
        Files.createDirectories(pgdata.resolve("lost+found"));
        assertEquals(Status.FOREIGN, data.status());
        assertFalse(data.needsInit());
        Files.writeString(pgdata.resolve("PG_VERSION"), "\n");
        assertEquals(Status.FOREIGN, data.status(), "a blank PG_VERSION is no version");
    }

    @Test
    void incompleteWithInnerMarker() throws IOException {
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.writeString(data.innerMarker(), "started=x\n");
        assertEquals(Status.INCOMPLETE, data.status());
        assertFalse(data.needsInit());
        assertTrue(data.marked());
    }

    @Test
    void incompleteWithSiblingMarkerAndContent() throws IOException {
        Files.createDirectories(pgdata.resolve("global"));
        Files.writeString(data.siblingMarker(), "started=x\n");
        assertEquals(Status.INCOMPLETE, data.status());
        assertFalse(data.needsInit());
    }

    @Test
    void incompleteEmptyWithSiblingMarker() throws IOException {
        Files.createDirectories(pgdata);
        Files.writeString(data.siblingMarker(), "started=x\n");
        assertEquals(Status.INCOMPLETE_EMPTY, data.status());
        assertTrue(data.needsInit());
    }

    @Test
    void incompleteEmptyWhenPgdataIsMissingButMarked() throws IOException {
        Files.writeString(data.siblingMarker(), "started=x\n");
        assertEquals(Status.INCOMPLETE_EMPTY, data.status());
        assertTrue(data.needsInit());
    }

    @Test
    void markBeforeInitdbWritesTheSiblingMarker() throws IOException {
        data.markBeforeInitdb("started=now pid=1");
        assertEquals("started=now pid=1\n", Files.readString(data.siblingMarker()));
        assertTrue(data.marked());
        assertEquals(Status.INCOMPLETE_EMPTY, data.status());
        assertTrue(data.needsInit());
    }

    @Test
    void markBeforeInitdbWithoutWritableParentIsQuiet() {
        DataDirectory unwritable = new DataDirectory(dir.resolve("no/such/parent/data"));
        unwritable.markBeforeInitdb("facts");
        assertFalse(unwritable.marked());
    }

    @Test
    void markAfterInitdbAndUnmark() throws IOException {
        data.markBeforeInitdb("before");
        Files.createDirectories(pgdata);
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        data.markAfterInitdb("after");
        assertEquals("after\n", Files.readString(data.innerMarker()));
        assertEquals(Status.INCOMPLETE, data.status());

        data.unmark();
        assertFalse(Files.exists(data.innerMarker()));
        assertFalse(Files.exists(data.siblingMarker()));
        assertFalse(data.marked());
        assertEquals(Status.INITIALIZED, data.status());
        data.unmark();
    }

    @Test
    void unmarkRemovesALoneSiblingMarker() throws IOException {
        Files.createDirectories(pgdata);
        Files.writeString(data.siblingMarker(), "x\n");
        data.unmark();
        assertFalse(data.marked());
        assertEquals(Status.EMPTY, data.status());
    }

    @Test
    void aPgdataHoldingOnlyTheInnerMarkerCanBeInitializedAgain() throws IOException {
        Files.createDirectories(pgdata);
        Files.writeString(data.innerMarker(), "started");
        assertEquals(DataDirectory.Status.INCOMPLETE_EMPTY, data.status());
        assertTrue(data.needsInit());
        data.markBeforeInitdb("again");
        assertFalse(Files.exists(data.innerMarker()), "a stale inner marker would make initdb refuse the directory");
    }
}
