package dev.pgentrypoint.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class InstanceLockTest {

    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void acquireRecordsPidAndPgdataWithMode0644() throws IOException {
        Path file = dir.resolve("pg.lock");
        try (InstanceLock lock = InstanceLock.acquire(file, "/var/lib/postgresql/data")) {
            assertEquals("pid=" + PID + "\npgdata=/var/lib/postgresql/data\n", readWhileLocked(file));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void acquireTruncatesStaleContentAndCreatesParents() throws IOException {
        Path file = dir.resolve("a/b/pg.lock");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "pid=999999999\npgdata=/some/very/long/old/data/directory/path\n");
        try (InstanceLock lock = InstanceLock.acquire(file, "/d")) {
            assertEquals("pid=" + PID + "\npgdata=/d\n", readWhileLocked(file));
        }
    }

    @Test
    void closeDeletesTheFileAndIsIdempotent() {
        Path file = dir.resolve("pg.lock");
        InstanceLock lock = InstanceLock.acquire(file, "/d");
        lock.close();
        assertFalse(Files.exists(file));
        lock.close();
        InstanceLock.acquire(file, "/d").close();
    }

    @Test
    void closeKeepsAFileThatNoLongerRecordsUs() throws IOException {
        Path file = dir.resolve("pg.lock");
        InstanceLock lock = InstanceLock.acquire(file, "/d");
        Files.writeString(file, "pid=1\npgdata=/other\n");
        lock.close();
        assertEquals("pid=1\npgdata=/other\n", Files.readString(file));
    }

    @Test
    void closeKeepsAReplacementFileEvenIfItNamesUs() throws IOException {
        Path file = dir.resolve("pg.lock");
        InstanceLock lock = InstanceLock.acquire(file, "/d");
        Files.delete(file);
        Files.writeString(file, "pid=" + PID + "\npgdata=/d\n");
        lock.close();
        assertTrue(Files.exists(file));
    }

    @Test
    void secondAcquireInTheSameJvmIsRefusedWithoutLosingTheLock() throws Exception {
        Path file = dir.resolve("pg.lock");
        try (InstanceLock lock = InstanceLock.acquire(file, "/d")) {
            LockHeldException e = assertThrows(LockHeldException.class,
                () -> InstanceLock.acquire(dir.resolve("./pg.lock"), "/e"));
            assertEquals("another pg-entrypoint (pid " + PID + ", PGDATA /d) holds LOCK_FILE " + dir.resolve("./pg.lock")
                + "; stop it first, or point LOCK_FILE elsewhere if it serves a different data directory", e.getMessage());
            Process child = startHolder(file);
            try {
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child should give up at once");
                String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(output.contains("LockHeldException"), output);
                assertTrue(output.contains("(pid " + PID + ", PGDATA /d)"), output);
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    @Timeout(60)
    void lockHeldByAnotherProcessIsReportedWithItsPid() throws Exception {
        Path file = dir.resolve("pg.lock");
        Process child = startHolder(file);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertEquals(LockHolderMain.READY + " " + child.pid(), line);

            LockHeldException e = assertThrows(LockHeldException.class, () -> InstanceLock.acquire(file, "/mine"));
            assertEquals("another pg-entrypoint (pid " + child.pid() + ", PGDATA /child/data) holds LOCK_FILE " + file
                + "; stop it first, or point LOCK_FILE elsewhere if it serves a different data directory", e.getMessage());

            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
            assertFalse(Files.exists(file), "child removes its lock file on close");
        } finally {
            child.destroyForcibly().waitFor();
        }
        InstanceLock.acquire(file, "/mine").close();
    }

    @Test
    @Timeout(60)
    void lockOfAKilledProcessIsFreeAgain() throws Exception {
        Path file = dir.resolve("pg.lock");
        Process child = startHolder(file);
        try {
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertTrue(Files.exists(file), "a killed holder leaves its file behind");
        try (InstanceLock lock = InstanceLock.acquire(file, "/mine")) {
            assertEquals("pid=" + PID + "\npgdata=/mine\n", readWhileLocked(file));
        }
    }

    @Test
    void unknownHolderDetailsWhenTheFileSaysNothingUseful() throws Exception {
        Path file = dir.resolve("pg.lock");
        Process child = startHolder(file);
        try {
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
            Files.writeString(file, "garbage");
            LockHeldException e = assertThrows(LockHeldException.class, () -> InstanceLock.acquire(file, "/mine"));
            assertTrue(e.getMessage().startsWith("another pg-entrypoint (pid unknown, PGDATA unknown) holds"),
                e.getMessage());
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void unusableLocationNamesLockFileAndPath() throws IOException {
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path file = blocker.resolve("pg.lock");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> InstanceLock.acquire(file, "/d"));
        assertTrue(e.getMessage().startsWith("cannot create LOCK_FILE " + file + ": "), e.getMessage());
    }

    /** Reads the lock file from another process: opening it in this JVM would drop our lock. */
    private static String readWhileLocked(Path file) throws IOException {
        Process cat = new ProcessBuilder("cat", file.toString()).start();
        return new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static Process startHolder(Path file) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
            LockHolderMain.class.getName(), file.toString(), "/child/data");
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
