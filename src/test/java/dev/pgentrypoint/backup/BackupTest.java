package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private Path pgbackrest;

    @BeforeEach
    void setUp() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        pgbackrest = Files.writeString(bin.resolve("pgbackrest"), "#!/bin/sh\n");
        pgbackrest.toFile().setExecutable(true);
        env.put("PATH", bin.toString());
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("STATE_FILE", dir.resolve("run/state.json").toString());
        env.put("BACKUP_ENABLED", "true");
        env.put("PGBACKREST_REPO1_PATH", dir.resolve("repo").toString());
        env.put("PGBACKREST_LOG_PATH", dir.resolve("log").toString());
        env.put("PGBACKREST_LOCK_PATH", dir.resolve("lock").toString());
        env.put("PGBACKREST_SPOOL_PATH", dir.resolve("spool").toString());
    }

    private Backup backup() {
        Settings settings = new Settings(env, List.of(), dir);
        return new Backup(new BackupSettings(settings), Optional.empty(), new Privileges("postgres"),
                new DataDirectory(settings.pgdataPath()));
    }

    private String config() {
        return dir.resolve("run/state.pgbackrest/pgbackrest.conf").toString();
    }

    @Test
    void archivingWithPgBackRestOrNotAtAll() {
        assertEquals(Map.of("archive_mode", "on",
                "archive_command", pgbackrest + " --config=" + config() + " --stanza=db archive-push %p",
                "restore_command", pgbackrest + " --config=" + config() + " --stanza=db archive-get %f \"%p\""),
                backup().postgresParameters());
        env.put("BACKUP_ENABLED", "false");
        assertEquals(Map.of(), backup().postgresParameters(), "archive_mode keeps PostgreSQL's default, off");
    }

    @Test
    void commandsRunWithoutThePgBackRestVariablesAndWithTheRenderedFile() {
        List<String> args = backup().backupArgs("diff");
        assertEquals(List.of("-u", "BACKUP_ENABLED", "-u", "PGBACKREST_LOCK_PATH", "-u", "PGBACKREST_LOG_PATH", "-u",
                "PGBACKREST_REPO1_PATH", "-u", "PGBACKREST_SPOOL_PATH", pgbackrest.toString(), "--config=" + config(),
                "--stanza=db", "--type=diff", "--log-level-console=info", "backup"), args);
        assertThrows(IllegalArgumentException.class, () -> backup().backupArgs("weekly"));
        List<String> toRepo2 = backup().backupArgs("full", 2);
        assertEquals(List.of("--type=full", "--repo=2", "--log-level-console=info", "backup"),
                toRepo2.subList(toRepo2.size() - 4, toRepo2.size()));
        DefaultExchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader("CamelExecCommandArgs", backup().stanzaArgs("create"));
        assertEquals(pgbackrest + " --config=" + config() + " --stanza=db stanza-create", backup().commandLine(exchange));
    }

    @Test
    void theStanzaIsCreatedWhenMissingAndUpgradedAfterAMajorUpgrade() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/PG_VERSION"), "15\n");
        assertEquals("create", backup().stanzaAction(StanzaInfoTest.MISSING));
        assertEquals("none", backup().stanzaAction(StanzaInfoTest.NO_BACKUP));
        Files.writeString(dir.resolve("data/PG_VERSION"), "16\n");
        assertEquals("upgrade", backup().stanzaAction(StanzaInfoTest.NO_BACKUP));
        String mismatch = StanzaInfoTest.NO_BACKUP.replace("\"code\":2", "\"code\":4").replace("no valid backups", "different cipher type");
        assertTrue(assertThrows(IllegalStateException.class, () -> backup().stanzaAction(mismatch)).getMessage()
                .contains("different cipher type"));
    }

    @Test
    void theConfigurationIsPrivateAndOutsidePgdata() throws IOException {
        env.put("PGBACKREST_REPO1_S3_KEY_SECRET", "s3cret");
        backup().prepareDirectories();
        backup().writeConfig();
        Path file = Path.of(config());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        String text = Files.readString(file);
        assertTrue(text.startsWith(Backup.HEADER), text);
        assertTrue(text.contains("\nrepo1-s3-key-secret=s3cret\n"), text);
        assertTrue(text.contains("[db]\npg1-user=postgres\npg1-path=" + dir.resolve("data") + "\n"), text);
        for (String name : List.of("repo", "log", "lock", "spool", "run/state.pgbackrest")) {
            assertTrue(Files.isDirectory(dir.resolve(name)), name);
            if (new Privileges("postgres").isRoot()) {
                assertEquals("postgres", Files.getOwner(dir.resolve(name), LinkOption.NOFOLLOW_LINKS).getName(), name);
            }
        }
    }
}
