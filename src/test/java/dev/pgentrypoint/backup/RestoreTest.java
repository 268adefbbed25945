package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() {
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("STATE_FILE", dir.resolve("state.json").toString());
        env.put("BACKUP_RESTORE", "true");
    }

    private Restore restore() {
        Settings settings = new Settings(env, List.of(), dir);
        BackupSettings backup = new BackupSettings(settings);
        DataDirectory data = new DataDirectory(settings.pgdataPath());
        return new Restore(backup, new Backup(backup, Optional.empty(), new Privileges("postgres"), data), data);
    }

    private static Exchange answer(int exit, String stdout, String stderr) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        ExecCommand psql = new ExecCommand("psql", List.of(), null, 1000L, Set.of(0), null, null, false, LoggingLevel.OFF);
        exchange.getIn().setBody(new ExecResult(psql, new ByteArrayInputStream(stdout.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)), exit));
        exchange.getIn().setHeader(ExecBinding.EXEC_EXIT_VALUE, exit);
        return exchange;
    }

    @Test
    void withoutABackupTheStartFailsWithExit2NamingTheStanzaVariable() {
        EntrypointException e = assertThrows(EntrypointException.class, () -> restore().checkRestorable(StanzaInfoTest.MISSING));
        assertEquals(ExitCode.INIT_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("no backup of stanza 'db' (PGBACKREST_STANZA; pgBackRest says: missing stanza path)"));
        assertTrue(e.getMessage().contains("initdb was not run"));
        assertThrows(EntrypointException.class, () -> restore().checkRestorable(StanzaInfoTest.NO_BACKUP));
        env.put("BACKUP_RESTORE_STANZA", "db");
        assertTrue(assertThrows(EntrypointException.class, () -> restore().checkRestorable(StanzaInfoTest.MISSING))
                .getMessage().contains("(BACKUP_RESTORE_STANZA;"));
        restore().checkRestorable(StanzaInfoTest.ONE_BACKUP);
    }

    @Test
    void aPointInTimeRestoreNamesTypeTargetAndAction() {
        List<String> plain = restore().restoreArgs();
        assertEquals("restore", plain.get(plain.size() - 1));
        assertFalse(plain.stream().anyMatch(a -> a.startsWith("--type")), plain.toString());
        env.put("BACKUP_RESTORE_TARGET_TIME", "2024-05-01T12:00:00Z");
        env.put("BACKUP_RESTORE_STANZA", "prod");
        List<String> args = restore().restoreArgs();
        assertTrue(args.containsAll(List.of("--stanza=prod", "--type=time", "--target=2024-05-01 12:00:00+00",
                "--target-action=promote")), args.toString());
    }

    @Test
    void recoveryEndsWhenPromotedOrPausedAndFailsWhenTheServerGoesAway() throws IOException {
        Restore restore = restore();
        restore.beginRecovery();
        restore.observe(answer(0, "recovering\n", ""));
        assertTrue(restore.recovering());
        restore.observe(answer(0, "done\n", ""));
        assertFalse(restore.recovering());
        assertEquals("done", restore.recoveryState());
        restore.beginRecovery();
        restore.observe(answer(0, "paused", ""));
        assertFalse(restore.recovering());
        EntrypointException gone = assertThrows(EntrypointException.class,
                () -> restore.observe(answer(2, "", "psql: error: connection refused")));
        assertTrue(gone.getMessage().contains("connection refused"), gone.getMessage());
    }

    @Test
    void recoveryThatTakesTooLongFails() throws Exception {
        env.put("BACKUP_TIMEOUT", "1");
        Restore restore = restore();
        restore.beginRecovery();
        Thread.sleep(1100);
        assertTrue(assertThrows(EntrypointException.class, () -> restore.observe(answer(0, "recovering", "")))
                .getMessage().contains("BACKUP_TIMEOUT=1"));
    }

    @Test
    void theArchiveStanzaIsMadeRightAfterPromotionOnlyWhenItIsAnotherOne() throws IOException {
        env.put("BACKUP_ENABLED", "true");
        Restore same = restore();
        same.beginRecovery();
        same.observe(answer(0, "done", ""));
        assertFalse(same.needsStanzaNow());
        env.put("PGBACKREST_STANZA", "clone");
        env.put("BACKUP_RESTORE_STANZA", "db");
        Restore other = restore();
        other.beginRecovery();
        other.observe(answer(0, "paused", ""));
        assertFalse(other.needsStanzaNow(), "a paused server is still in recovery");
        other.observe(answer(0, "done", ""));
        assertTrue(other.needsStanzaNow());
    }

    @Test
    void restoredNowMeansRequestedAndMarked() throws IOException {
        assertFalse(restore().restoredNow());
        Files.createDirectories(dir.resolve("data"));
        restore().markAfter();
        assertTrue(restore().restoredNow());
        env.put("BACKUP_RESTORE", "false");
        assertFalse(restore().restoredNow());
    }
}
