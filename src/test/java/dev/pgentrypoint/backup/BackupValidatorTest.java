package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupValidatorTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private Path bin;

    @BeforeEach
    void setUp() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("pgbackrest"), "#!/bin/sh\n");
        fake.toFile().setExecutable(true);
        env.put("PATH", bin.toString());
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("STATE_FILE", dir.resolve("run/state.json").toString());
        env.put("CONFIG_DIR", dir.resolve("config").toString());
        env.put("BACKUP_ENABLED", "true");
        for (String p : List.of("REPO1_PATH", "LOG_PATH", "LOCK_PATH", "SPOOL_PATH")) {
            env.put("PGBACKREST_" + p, dir.resolve(p.toLowerCase()).toString());
        }
    }

    private Map<String, String> errors() {
        Settings settings = new Settings(env, List.of(), dir);
        Backup backup = new Backup(new BackupSettings(settings), Optional.empty(), new Privileges("postgres"),
                new DataDirectory(settings.pgdataPath()));
        ValidationReport report = new ValidationReport();
        backup.validate(report);
        Map<String, String> errors = new HashMap<>();
        for (ValidationError e : report.errors()) {
            errors.merge(e.subject(), e.message(), (a, b) -> a + " | " + b);
        }
        return errors;
    }

    @Test
    void aValidSetupPasses() {
        env.put("BACKUP_SCHEDULE_FULL", "0 1 * * 0");
        env.put("BACKUP_SCHEDULE_INCR", "*/30 * * * * ?");
        assertEquals(Map.of(), errors());
    }

    @Test
    void offMeansOnlyTheFlagsAndTheTimeoutAreChecked() {
        env.put("BACKUP_ENABLED", "maybe");
        env.put("PGBACKREST_REPO1_TYPE", "tape");
        env.put("BACKUP_TIMEOUT", "-1");
        assertEquals(Map.of("BACKUP_ENABLED", "'maybe' is not a boolean: use true or false (also accepted: 1/0, yes/no, on/off)",
                "BACKUP_TIMEOUT", "-1 is out of range: give seconds between 1 and 604800"), errors());
    }

    @Test
    void repositoryTypesAndPaths() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        env.put("PGBACKREST_REPO1_TYPE", "tape");
        env.put("PGBACKREST_REPO2_PATH", file.resolve("repo").toString());
        env.put("PGBACKREST_LOG_PATH", "relative/log");
        env.put("PGBACKREST_SPOOL_PATH", dir.resolve("data/spool").toString());
        env.put("PGBACKREST_LOCK_PATH", file.toString());
        Map<String, String> errors = errors();
        assertTrue(errors.get("PGBACKREST_REPO1_TYPE").startsWith("'tape' is not a repository type: use one of azure, cifs"), errors.toString());
        assertFalse(errors.get("PGBACKREST_REPO1_TYPE").contains(" | "), "reported once: " + errors);
        assertTrue(errors.get("PGBACKREST_REPO2_PATH").startsWith("cannot create " + file.resolve("repo")), errors.toString());
        assertTrue(errors.get("PGBACKREST_LOG_PATH").contains("is not an absolute path"), errors.toString());
        assertTrue(errors.get("PGBACKREST_SPOOL_PATH").contains("lies inside PGDATA"), errors.toString());
        assertTrue(errors.get("PGBACKREST_LOCK_PATH").contains("exists and is not a directory"), errors.toString());
    }

    @Test
    void schedulesStanzasTimeoutAndTheExecutable() throws IOException {
        env.put("BACKUP_SCHEDULE_DIFF", "0 2 * *");
        env.put("PGBACKREST_STANZA", "my stanza");
        env.put("BACKUP_TIMEOUT", "soon");
        env.put("PATH", Files.createDirectories(dir.resolve("empty")).toString());
        Map<String, String> errors = errors();
        assertTrue(errors.get("BACKUP_SCHEDULE_DIFF").contains("has 4 fields"), errors.toString());
        assertTrue(errors.get("PGBACKREST_STANZA").contains("is not a stanza name"), errors.toString());
        assertTrue(errors.get("BACKUP_TIMEOUT").contains("is not a number"), errors.toString());
        assertTrue(errors.get("BACKUP_ENABLED").contains("pgbackrest is not on PATH"), errors.toString());
    }

    @Test
    void restoreTargets() {
        env.put("BACKUP_RESTORE", "true");
        env.put("BACKUP_RESTORE_TARGET_ACTION", "shutdown");
        env.put("POSTGRES_INITDB_WALDIR", dir.resolve("wal").toString());
        Map<String, String> errors = errors();
        assertTrue(errors.get("BACKUP_RESTORE_TARGET_ACTION").contains("use promote"), errors.toString());
        assertTrue(errors.get("POSTGRES_INITDB_WALDIR").contains("applies to initdb only"), errors.toString());
        env.put("BACKUP_RESTORE_TARGET_ACTION", "pause");
        assertTrue(errors().get("BACKUP_RESTORE_TARGET_ACTION").contains("set BACKUP_RESTORE_TARGET_TIME too"));
        env.put("BACKUP_RESTORE_TARGET_TIME", "last tuesday");
        assertTrue(errors().get("BACKUP_RESTORE_TARGET_TIME").contains("not a point in time"));
        env.put("BACKUP_RESTORE_TARGET_TIME", "2024-05-01 12:00:00+00");
        env.remove("POSTGRES_INITDB_WALDIR");
        assertEquals(Map.of(), errors());
    }

    @Test
    void restoreIsRefusedInPatroniMode() {
        env.put("BACKUP_RESTORE", "true");
        env.put("STARTUP_MODE", "patroni");
        assertTrue(errors().get("BACKUP_RESTORE").contains("not supported with STARTUP_MODE=patroni"));
    }

    @Test
    void aSecretFileMustBeReadableNonEmptyAndAlone() throws IOException {
        Path pass = Files.writeString(dir.resolve("pass"), "secret\n");
        env.put("PGBACKREST_REPO1_CIPHER_PASS_FILE", pass.toString());
        assertEquals(Map.of(), errors());
        env.put("PGBACKREST_REPO1_CIPHER_PASS", "also");
        assertTrue(errors().get("PGBACKREST_REPO1_CIPHER_PASS").contains("exclusive"), errors().toString());
        env.remove("PGBACKREST_REPO1_CIPHER_PASS");
        env.put("PGBACKREST_REPO1_CIPHER_PASS_FILE", dir.resolve("missing").toString());
        assertTrue(errors().get("PGBACKREST_REPO1_CIPHER_PASS_FILE").startsWith("cannot read"), errors().toString());
        env.put("PGBACKREST_REPO1_CIPHER_PASS_FILE", Files.writeString(dir.resolve("empty"), "\n").toString());
        assertTrue(errors().get("PGBACKREST_REPO1_CIPHER_PASS_FILE").endsWith("is empty: put the secret in it"), errors().toString());
    }

    @Test
    void repositoryTwoSchedulesAndTheRestoreRepositoryMustBeConfigured() {
        env.put("BACKUP_SCHEDULE_FULL_REPO2", "@daily");
        assertEquals(Map.of("BACKUP_SCHEDULE_FULL_REPO2", "'2' is not a configured repository: use one of [1]"), errors());
        env.put("PGBACKREST_REPO2_TYPE", "s3");
        assertEquals(Map.of(), errors());
        env.put("BACKUP_SCHEDULE_INCR_REPO2", "sometimes");
        assertTrue(errors().get("BACKUP_SCHEDULE_INCR_REPO2").contains("has 1 fields"), errors().toString());
        env.remove("BACKUP_SCHEDULE_INCR_REPO2");
        env.put("BACKUP_RESTORE", "true");
        env.put("BACKUP_RESTORE_REPO", "3");
        assertEquals(Map.of("BACKUP_RESTORE_REPO", "'3' is not a configured repository: use one of [1, 2]"), errors());
        env.put("BACKUP_RESTORE_REPO", "2");
        assertEquals(Map.of(), errors());
    }
}
