package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad backup settings: exit 1 before anything is written, with a message naming the variable and the fix. */
class BackupValidationIT {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private EntrypointProcess entrypoint() throws Exception {
        return PgBackRest.enable(new EntrypointProcess(tmp), tmp).with("POSTGRES_PASSWORD", "pw");
    }

    private void assertRefused(EntrypointProcess e, String expected) throws Exception {
        assertEquals(1, e.run(RUN), e.log());
        assertTrue(e.log().contains(expected), "expected '" + expected + "' in:\n" + e.log());
        assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
        assertFalse(Files.exists(tmp.resolve("repo")), "the repository was created");
        assertFalse(Files.exists(e.stateFile()), "state file was written");
    }

    @Test
    void unknownRepositoryType() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            assertRefused(e.with("PGBACKREST_REPO1_TYPE", "tape"), "PGBACKREST_REPO1_TYPE: 'tape' is not a repository type");
        }
    }

    @Test
    void unwritableRepositoryPath() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
            e.with("PGBACKREST_REPO1_PATH", file.resolve("repo").toString());
            assertRefused(e, "PGBACKREST_REPO1_PATH: cannot create " + file.resolve("repo"));
        }
    }

    @Test
    void malformedSchedule() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            assertRefused(e.with("BACKUP_SCHEDULE_DIFF", "every sunday"), "BACKUP_SCHEDULE_DIFF: 'every sunday' has 2 fields");
        }
    }

    @Test
    void pointInTimeTargetThatDoesNotParse() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("BACKUP_RESTORE", "true").with("BACKUP_RESTORE_TARGET_TIME", "yesterday at noon");
            assertRefused(e, "BACKUP_RESTORE_TARGET_TIME: 'yesterday at noon' is not a point in time");
        }
    }

    @Test
    void optionsTheEntrypointOwns() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            Files.writeString(tmp.resolve("config/pgbackrest.conf"), "[db]\npg1-path=/elsewhere\n");
            e.with("PGBACKREST_PG1_PORT", "6000");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("PGBACKREST_PG1_PORT: is set by the entrypoint: unset it and use PGPORT"), e.log());
            assertTrue(e.log().contains(tmp.resolve("config/pgbackrest.conf") + ": sets pg1-path"), e.log());
        }
    }
}
