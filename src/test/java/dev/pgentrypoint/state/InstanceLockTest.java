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

    /** pid, pgdata, host and a parseable start time, in this order. */
    private static void assertContent(String pgdata, String content) {
        String[] lines = content.split("\n");
        assertEquals(4, lines.length, content);
        assertEquals("pid=" + PID, lines[0]);
        assertEquals("pgdata=" + pgdata, lines[1]);
        assertEquals("host=" + InstanceLock.host(), lines[2]);
        java.time.Instant.parse(lines[3].substring("since=".length()));
    }

    @Test
    void probeOfAFreeOrMissingLockFindsNobodyAndCreatesNothing() throws IOException {
        Path file = dir.resolve("missing/pg.lock");
        assertTrue(InstanceLock.probe(file).isEmpty());
        assertFalse(Files.exists(file.getParent()), "a probe must not create anything");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "pid=1\n");
        assertTrue(InstanceLock.probe(file).isEmpty());
        assertEquals("pid=1\n", Files.readString(file));
    }

    @Test
    void acquireRecordsPidAndPgdataWithMode0644() throws IOException {
        Path file = dir.resolve("pg.lock");
        try (InstanceLock lock = InstanceLock.acquire(file, "/var/lib/postgresql/data")) {
            assertContent("/var/lib/postgresql/data", readWhileLocked(file));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void acquireTruncatesStaleContentAndCreatesParents() throws IOException {
        Path file = dir.resolve("a/b/pg.lock");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "pid=999999999\npgdata=/some/very/long/old/data/directory/path\n");
        try (InstanceLock lock = InstanceLock.acquire(file, "/d")) {
            assertContent("/d", readWhileLocked(file));
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
            assertEquals("PGDATA /d in use by pid " + PID + " on host " + InstanceLock.host() + " since now"
                + " (LOCK_FILE " + dir.resolve("./pg.lock") + "): another pg-entrypoint serves it, so nothing was changed; stop that one first, or point LOCK_FILE elsewhere if it serves a different data directory", e.getMessage());
            Process child = startHolder(file);
            try {
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child should give up at once");
                String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(output.contains("LockHeldException"), output);
                assertTrue(output.contains("PGDATA /d in use by pid " + PID + " on host "), output);
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
            String since = readWhileLocked(file).lines().filter(l -> l.startsWith("since=")).findFirst().orElseThrow()
                .substring("since=".length());
            assertEquals("PGDATA /child/data in use by pid " + child.pid() + " on host " + InstanceLock.host() + " since " + since
                + " (LOCK_FILE " + file + "): another pg-entrypoint serves it, so nothing was changed; stop that one first, or point LOCK_FILE elsewhere if it serves a different data directory", e.getMessage());
            assertEquals(e.getMessage(), InstanceLock.probe(file).orElseThrow().getMessage(), "a dry run sees the same holder");

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
            assertContent("/mine", readWhileLocked(file));
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
            assertTrue(e.getMessage().startsWith("PGDATA unknown in use by pid unknown on host unknown since unknown"),
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
