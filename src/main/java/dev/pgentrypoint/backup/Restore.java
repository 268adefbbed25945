package dev.pgentrypoint.backup;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.pgdata.DataDirectory;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecResult;

/**
 * Bootstrap from a backup: on an empty PGDATA with {@code BACKUP_RESTORE=true}, {@code pgbackrest
 * restore} replaces initdb, guarded by the same init marker; after the configuration is applied a
 * socket-only server replays WAL until recovery ends (or pauses at the target). A requested restore
 * that cannot happen fails the start with exit 2; it never falls back to initdb.
 */
public final class Restore {
    static final String RECOVERY_QUERY = "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'done' "
            + "WHEN pg_is_wal_replay_paused() THEN 'paused' ELSE 'recovering' END";

    private final BackupSettings backup;
    private final Backup commands;
    private final DataDirectory data;
    private volatile boolean recovering;
    private volatile Instant recoveryDeadline = Instant.MAX;
    private volatile String recoveryState = "";

    public Restore(BackupSettings backup, Backup commands, DataDirectory data) {
        this.backup = backup;
        this.commands = commands;
        this.data = data;
    }

    public List<String> infoArgs() {
        return backup.restoreRepo() > 0 ? commands.pgbackrest(backup.restoreStanza(), "info", "--output=json",
                "--repo=" + backup.restoreRepo()) : commands.pgbackrest(backup.restoreStanza(), "info", "--output=json");
    }

    /** Fails with exit 2, before anything is written, when the repository holds no backup of the restore stanza. */
    public void checkRestorable(String infoJson) {
        StanzaInfo info = StanzaInfo.parse(infoJson, backup.restoreStanza());
        if (info.code() != StanzaInfo.OK || info.labels().isEmpty()) {
            String variable = backup.settings().raw("BACKUP_RESTORE_STANZA").isPresent() ? "BACKUP_RESTORE_STANZA"
                    : "PGBACKREST_STANZA";
            throw new EntrypointException("init-backup-restore", ExitCode.INIT_FAILED, "BACKUP_RESTORE=true but "
                    + "the repository has no backup of stanza '" + backup.restoreStanza() + "' (" + variable
                    + "; pgBackRest says: " + info.message() + "). Nothing was restored, initdb was not run and PGDATA "
                    + data.path() + " is untouched: check " + variable + " and the repository settings "
                    + "(PGBACKREST_REPO1_*, CONFIG_DIR/pgbackrest.conf), or unset BACKUP_RESTORE to start an empty database");
        }
    }

    public List<String> restoreArgs() {
        List<String> options = new ArrayList<>();
        backup.targetTimeRaw().ifPresent(t -> {
            options.add("--type=time");
            options.add("--target=" + BackupSettings.normalizeTargetTime(t));
            options.add("--target-action=" + backup.targetAction());
        });
        if (backup.restoreRepo() > 0) {
            options.add("--repo=" + backup.restoreRepo());
        }
        options.add("--log-level-console=info");
        return commands.pgbackrest(backup.restoreStanza(), "restore", options.toArray(String[]::new));
    }

    /** Before the restore: the marker next to PGDATA, so a restore cut short is not taken for a database. */
    public void markBefore() {
        data.markBeforeInitdb(facts());
    }

    /** After the restore: the marker inside PGDATA, removed only when recovery has ended. */
    public void markAfter() throws IOException {
        data.markAfterInitdb(facts());
        Audit.event("restore", Map.of("pgdata", data.path().toString(), "stanza", backup.restoreStanza(),
                "target", backup.targetTimeRaw().orElse("end of archive")));
    }

    private String facts() {
        return "started=" + Instant.now() + " pid=" + ProcessHandle.current().pid() + " restore=" + backup.restoreStanza();
    }

    /** Whether this start restored PGDATA and recovery has yet to run: a restore was requested and the marker is there. */
    public boolean restoredNow() {
        return backup.restore() && data.marked();
    }

    public void beginRecovery() {
        recovering = true;
        recoveryState = "recovering";
        recoveryDeadline = Instant.now().plus(Duration.ofSeconds(backup.timeoutSeconds()));
    }

    /** Whether the recovery loop goes on. */
    public boolean recovering() {
        return recovering;
    }

    public List<String> recoveryQueryArgs() {
        return commands.psql(RECOVERY_QUERY);
    }

    /** Reads one answer of {@link #RECOVERY_QUERY}; fails when the server went away or the time is up. */
    public void observe(Exchange exchange) throws IOException {
        ExecResult result = exchange.getIn().getBody(ExecResult.class);
        int exit = exchange.getIn().getHeader(ExecBinding.EXEC_EXIT_VALUE, -1, Integer.class);
        String out = result == null || result.getStdout() == null ? "" : new String(result.getStdout().readAllBytes()).strip();
        if (exit != 0) {
            String err = result == null || result.getStderr() == null ? ""
                    : Masking.masked(new String(result.getStderr().readAllBytes()).strip());
            throw new EntrypointException("init-backup-recover", ExitCode.INIT_FAILED, "the server stopped answering during "
                    + "recovery (psql exit " + exit + ": " + err + "); its own output above (postgres-recovery) says why. "
                    + "PGDATA keeps the init marker: see docs/backup.md before starting again");
        }
        recoveryState = out;
        if (out.equals("done") || out.equals("paused")) {
            recovering = false;
        } else if (Instant.now().isAfter(recoveryDeadline)) {
            throw new EntrypointException("init-backup-recover", ExitCode.INIT_FAILED, "recovery did not end within "
                    + "BACKUP_TIMEOUT=" + backup.timeoutSeconds() + " s");
        }
    }

    /**
     * Whether the stanza archived to must be made before the recovery server stops: backups are on,
     * the server was promoted, and it archives to another stanza than the one restored from (which
     * is not created yet, so the new timeline's WAL would wait).
     */
    public boolean needsStanzaNow() {
        return backup.enabled() && "done".equals(recoveryState) && !backup.stanza().equals(backup.restoreStanza());
    }

    /** {@code done} (promoted) or {@code paused} (at the target, read-only). */
    public String recoveryState() {
        return recoveryState;
    }

    /** Recovery ended: the restore is a complete initialization; the init scripts do not run on restored data. */
    public void complete() throws IOException {
        data.unmark();
        Audit.event("recovery-complete", Map.of("pgdata", data.path().toString(), "state", recoveryState));
    }

    public List<String> plan() {
        if (!backup.restore()) {
            return List.of();
        }
        if (!data.needsInit()) {
            return List.of("skip the restore: PGDATA holds a database");
        }
        return List.of("check that stanza " + backup.restoreStanza() + " has a backup (else exit 2; never initdb)",
                "run pgbackrest restore" + backup.targetTimeRaw().map(t -> " to " + t + " then "
                        + backup.targetAction()).orElse(" to the end of the archive"),
                "after the configuration: start a socket-only server, wait until recovery ends, stop it");
    }
}
