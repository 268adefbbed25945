package dev.pgentrypoint.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import dev.pgentrypoint.state.LockHeldException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LOCK_FILE's place with the data, the dry run that writes nothing, and a lock that cannot be created. */
class LockHolderTest {
    @TempDir
    Path tmp;

    @Test
    void theDefaultLockLivesBesidePgdataOnItsFileSystemOrInsideAMountPoint() {
        Path pgdata = tmp.resolve("data");
        Settings settings = new Settings(Map.of("PGDATA", pgdata.toString()), List.of(), Path.of("/opt"));
        assertEquals(tmp.resolve(".data.pg-entrypoint.lock"), settings.lockFile());
        Settings root = new Settings(Map.of("PGDATA", "/"), List.of(), Path.of("/opt"));
        assertEquals(Path.of("/pg-entrypoint.lock"), root.lockFile());
        Settings proc = new Settings(Map.of("PGDATA", "/proc"), List.of(), Path.of("/opt"));
        assertEquals(Path.of("/proc/pg-entrypoint.lock"), proc.lockFile(), "/proc is a mount point of its own");
        Settings patroni = new Settings(Map.of("PGDATA", "/proc", "STARTUP_MODE", "patroni"), List.of(), Path.of("/opt"));
        assertEquals(Path.of("/.proc.pg-entrypoint.lock"), patroni.lockFile(), "Patroni needs PGDATA empty");
        Settings explicit = new Settings(Map.of("PGDATA", pgdata.toString(), "LOCK_FILE", "/x/y.lock"), List.of(),
                Path.of("/opt"));
        assertEquals(Path.of("/x/y.lock"), explicit.lockFile());
    }

    @Test
    void aDryRunCreatesNothingAndIsRefusedLikeARealStart() {
        Path file = tmp.resolve("data/pg-entrypoint.lock");
        LockHolder dry = new LockHolder(file, "/d", true);
        dry.acquire();
        assertFalse(Files.exists(file.getParent()), "a dry run created the lock's directory");
        ValidationReport report = new ValidationReport().begin();
        dry.validate(report);
        assertEquals(List.of(), report.errors());

        LockHolder real = new LockHolder(file, "/d", false);
        real.acquire();
        try {
            assertTrue(real.held());
            assertTrue(Files.exists(file));
            LockHeldException e = assertThrows(LockHeldException.class, new LockHolder(file, "/d", false)::acquire);
            assertTrue(e.getMessage().startsWith("PGDATA /d in use by pid " + ProcessHandle.current().pid()), e.getMessage());
        } finally {
            real.release();
        }
        assertFalse(Files.exists(file), "released and removed");
    }

    @Test
    void aLockFileThatCannotBeCreatedIsAValidationError() throws Exception {
        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "not a directory");
        LockHolder holder = new LockHolder(blocker.resolve("pg.lock"), "/d", false);
        holder.acquire();
        assertFalse(holder.held());
        ValidationReport report = new ValidationReport().begin();
        holder.validate(report);
        assertEquals(1, report.errors().size());
        assertEquals("LOCK_FILE", report.errors().get(0).subject());
    }
}
