package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.Settings;
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

class ConfigAssemblerTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        env.put("PGDATA", "/data/pg");
        env.put("PGPORT", "5433");
        env.put("PG_SOCKET_DIR", "/run/pg");
        env.put("CONFIG_DIR", Files.createDirectories(dir.resolve("config")).toString());
        env.put("BACKUP_ENABLED", "true");
    }

    private ConfigAssembler.Result assemble() {
        return ConfigAssembler.assemble(new BackupSettings(new Settings(env, List.of(), dir)));
    }

    @Test
    void defaultsThenFileThenIncludesThenVariablesThenOwnedOptions() throws IOException {
        Files.writeString(dir.resolve("config/pgbackrest.conf"), "[global]\nrepo1-path=/file\nprocess-max=2\n"
                + "[db]\nrepo1-retention-full=3\ncompress-type=lz4\n");
        Files.createDirectories(dir.resolve("config/pgbackrest.conf.d"));
        Files.writeString(dir.resolve("config/pgbackrest.conf.d/10-a.conf"), "[global]\nprocess-max=3\n");
        Files.writeString(dir.resolve("config/pgbackrest.conf.d/20-b.conf"), "[global]\nprocess-max=4\n");
        Files.writeString(dir.resolve("config/pgbackrest.conf.d/ignored.txt"), "[global]\nprocess-max=9\n");
        env.put("PGBACKREST_REPO1_RETENTION_FULL", "7");
        env.put("PGBACKREST_PG1_USER", "admin");
        ConfigAssembler.Result r = assemble();
        assertEquals(List.of(), r.problems());
        PgBackRestConfig c = r.config();
        assertEquals(Optional.of("/file"), c.effective("db", "repo1-path"));
        assertEquals(Optional.of("4"), c.effective("db", "process-max"));
        assertEquals(Optional.of("7"), c.effective("db", "repo1-retention-full"), "a variable beats the stanza section");
        assertEquals(Optional.of("lz4"), c.effective("db", "compress-type"));
        assertEquals(Optional.of("/var/log/pgbackrest"), c.effective("db", "log-path"));
        assertEquals(Optional.of("y"), c.effective("db", "start-fast"));
        assertEquals(Optional.of("admin"), c.effective("db", "pg1-user"));
        assertEquals(Optional.of("/data/pg"), c.effective("db", "pg1-path"));
        assertEquals(Optional.of("5433"), c.effective("db", "pg1-port"));
        assertEquals(Optional.of("/run/pg"), c.effective("db", "pg1-socket-path"));
        assertEquals(List.of("db"), c.sectionsWith("pg1-path"), "pg1-* options are valid in stanza sections only");
        assertEquals("PGBACKREST_REPO1_RETENTION_FULL", r.subject("repo1-retention-full"));
        assertTrue(r.subject("repo1-path").startsWith(dir.resolve("config/pgbackrest.conf").toString()), r.subject("repo1-path"));
        assertEquals("PGBACKREST_LOCK_PATH (default /tmp/pgbackrest)", r.subject("lock-path"));
    }

    @Test
    void theRestoreStanzaGetsThePostgresOptionsToo() {
        env.put("PGBACKREST_STANZA", "clone");
        env.put("BACKUP_RESTORE_STANZA", "prod");
        PgBackRestConfig c = assemble().config();
        assertEquals(Optional.of("/data/pg"), c.effective("prod", "pg1-path"));
        assertEquals(Optional.of("/data/pg"), c.effective("clone", "pg1-path"));
        assertEquals(Optional.empty(), c.effective("db", "pg1-path"));
    }

    @Test
    void ownVariablesAreNotOptionsAndOwnedOptionsAreRefused() throws IOException {
        env.put("BACKUP_SCHEDULE_FULL", "@daily");
        env.put("PGBACKREST_PG1_PATH", "/elsewhere");
        env.put("PGBACKREST_CONFIG", "/etc/pgbackrest.conf");
        Files.writeString(dir.resolve("config/pgbackrest.conf"), "[db]\npg1-port=6000\nstanza=x\n");
        ConfigAssembler.Result r = assemble();
        assertEquals(Optional.empty(), r.config().effective("db", "schedule-full"));
        assertEquals(Optional.of("/data/pg"), r.config().effective("db", "pg1-path"));
        List<String> subjects = r.problems().stream().map(ConfigAssembler.Problem::subject).toList();
        assertEquals(List.of(dir.resolve("config/pgbackrest.conf").toString(), dir.resolve("config/pgbackrest.conf").toString(),
                "PGBACKREST_CONFIG", "PGBACKREST_PG1_PATH"), subjects);
        assertTrue(r.problems().get(0).message().contains("pg1-port in [db]"), r.problems().toString());
    }

    @Test
    void anUnparseableFileIsAProblemNamingItsLine() throws IOException {
        Files.writeString(dir.resolve("config/pgbackrest.conf"), "[global]\nthis is not ini\n");
        ConfigAssembler.Result r = assemble();
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).message().endsWith("line 2: 'this is not ini' is neither a [section] nor option=value"));
    }

    @Test
    void repositoriesAreOneAndEveryNumberSet() {
        env.put("PGBACKREST_REPO3_TYPE", "s3");
        assertEquals(List.of(1, 3), ConfigAssembler.repositories(assemble().config()));
    }

    @Test
    void aSecretOptionComesFromItsFileAndOtherFileOptionsPassThrough() throws IOException {
        Path pass = Files.writeString(dir.resolve("cipher-pass"), "correct horse battery staple\n");
        env.put("PGBACKREST_REPO1_CIPHER_TYPE", "aes-256-cbc");
        env.put("PGBACKREST_REPO1_CIPHER_PASS_FILE", pass.toString());
        env.put("PGBACKREST_REPO2_S3_KEY_SECRET_FILE", pass.toString());
        env.put("PGBACKREST_REPO1_STORAGE_CA_FILE", "/etc/ssl/ca.pem");
        ConfigAssembler.Result r = assemble();
        assertEquals(List.of(), r.problems());
        assertEquals(Optional.of("correct horse battery staple"), r.config().effective("db", "repo1-cipher-pass"));
        assertEquals(Optional.of("correct horse battery staple"), r.config().effective("db", "repo2-s3-key-secret"));
        assertEquals(Optional.of("/etc/ssl/ca.pem"), r.config().effective("db", "repo1-storage-ca-file"));
        assertEquals(Optional.empty(), r.config().effective("db", "repo1-cipher-pass-file"));
    }

    @Test
    void everyRepositoryKeepsTwoFullBackupsUnlessItsRetentionIsSet() throws IOException {
        env.put("PGBACKREST_REPO2_PATH", "/backups/two");
        Files.writeString(dir.resolve("config/pgbackrest.conf"), "[db]\nrepo2-retention-full=5\n");
        PgBackRestConfig c = assemble().config();
        assertEquals(Optional.of("2"), c.effective("db", "repo1-retention-full"));
        assertEquals(Optional.of("5"), c.effective("db", "repo2-retention-full"));
        assertEquals(Optional.empty(), c.effective("db", "archive-async"), "local repositories archive synchronously");
    }

    @Test
    void aRemoteRepositoryArchivesAsynchronouslyUnlessSetOtherwise() {
        env.put("PGBACKREST_REPO2_TYPE", "s3");
        assertEquals(Optional.of("y"), assemble().config().effective("db", "archive-async"));
        env.put("PGBACKREST_ARCHIVE_ASYNC", "n");
        assertEquals(Optional.of("n"), assemble().config().effective("db", "archive-async"));
    }
}
