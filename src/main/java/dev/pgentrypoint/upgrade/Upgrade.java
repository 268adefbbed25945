package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Module init-upgrade: with {@code POSTGRES_UPGRADE=auto}, a PGDATA of an older major is upgraded with
 * pg_upgrade before the server starts. The routes run the commands; this bean runs pg_upgrade's part:
 * the work directory and the journal's first phase, the old cluster's settings, the arguments of the
 * new initdb and of pg_upgrade, the swap of the two clusters. The other concerns have their classes:
 * {@link UpgradeChecks} (validation and the DRY_RUN plan), {@link UpgradeRecovery} (the journal at
 * the next start, rollback) and {@link AfterUpgrade} (the first start and the background work, a bean
 * of its own); {@link UpgradeProgress} holds what they share.
 */
public final class Upgrade {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.upgrade");
    static final List<String> OLD_TOOLS = UpgradeChecks.OLD_TOOLS;
    static final long NEW_CLUSTER_BYTES = UpgradeChecks.NEW_CLUSTER_BYTES;
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final UpgradeOptions options;
    private final UpgradeProgress progress;
    private final UpgradeChecks checks;
    private final UpgradeRecovery recovery;
    private final AfterUpgrade after;
    private final Database database;
    private final Clock clock;
    private final Settings settings;
    private final DataDirectory data;

    public Upgrade(Settings settings, DataDirectory data, Optional<PgBinaries> binaries, Database database,
            Path versionsRoot, Clock clock) {
        this.options = new UpgradeOptions(settings, data, binaries, versionsRoot, clock);
        this.progress = new UpgradeProgress(data.upgradeJournal());
        this.checks = new UpgradeChecks(options);
        this.recovery = new UpgradeRecovery(options, progress);
        this.after = new AfterUpgrade(options, progress, database);
        this.database = database;
        this.clock = clock;
        this.settings = settings;
        this.data = data;
    }

    /** The bean of the runtime routes: the first start of the new cluster and the background work. */
    public AfterUpgrade afterUpgrade() {
        return after;
    }

    // ---- settings and what to do

    /** {@code POSTGRES_UPGRADE=auto}. */
    public boolean requested() {
        return options.requested();
    }

    /** Properties the route file reads: the timeout of pg_upgrade and the analysis, in milliseconds. */
    public Map<String, String> properties() {
        return options.properties();
    }

    /** Whether an upgrade stopped earlier (a journal next to PGDATA). */
    public boolean pending() {
        return options.pending();
    }

    /** Whether PGDATA holds an older major than the binaries and the upgrade was requested. */
    public boolean needed() {
        return options.needed();
    }

    /** A size such as 512MB or 2GB in bytes; -1 when it does not parse. */
    static long bytes(String value) {
        return UpgradeOptions.bytes(value);
    }

    // ---- planning: validation before anything changes, and DRY_RUN

    /** Validation: every check of an upgrade, before anything changes. */
    public void validate(ValidationReport report) {
        checks.validate(report);
    }

    /** The bytes the upgrade writes next to PGDATA. */
    long requiredBytes() throws IOException {
        return checks.requiredBytes();
    }

    /** DRY_RUN: the steps of the upgrade of this start. */
    public List<String> plan() {
        return checks.plan();
    }

    // ---- the steps, in the order of routes/init/02-upgrade.camel.yaml

    /** Chooses the work directory and the dated name of the old cluster; writes the journal (PLANNED). */
    public void begin() {
        progress.beganMillis = System.currentTimeMillis();
        String oldVersion = options.olderOnDisk().orElseThrow(() -> new EntrypointException("init-upgrade-main",
                ExitCode.INIT_FAILED, "PGDATA no longer holds an older major"));
        String stamp = STAMP.format(clock.instant());
        Path pgdata = data.path();
        String name = pgdata.getFileName().toString();
        Path work = pgdata.resolveSibling(name + ".upgrade-" + stamp);
        Path aside = pgdata.resolveSibling(name + ".pg" + oldVersion + "-" + stamp);
        try {
            Files.createDirectory(work);
            Files.createDirectories(options.upgradeSocketDir());
            Files.setPosixFilePermissions(options.upgradeSocketDir(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw UpgradeProgress.failed("cannot create the work directory " + work + ": " + e.getMessage(), e);
        }
        progress.record(new Journal(Phase.PLANNED, oldVersion, options.newMajor(), pgdata,
                work, aside, options.mode(), "", clock.instant().toString()));
        Audit.event("upgrade-begin", Map.of("pgdata", pgdata.toString(), "from", oldVersion,
                "to", String.valueOf(progress.journal.newMajor()), "mode", options.mode(), "work", work.toString()));
    }

    /** {@code setsid} arguments of the old {@code postgres --single}, reading template0's settings. */
    public List<String> inspectArgs() {
        return List.of(options.oldBinDir(progress.journal.oldVersion()).resolve("postgres").toString(), "--single", "-D",
                data.path().toString(), "template1");
    }

    public String inspectInput() {
        return OldCluster.query(UpgradeOptions.major(progress.journal.oldVersion()));
    }

    /** The old backend's printout; records the superuser in the journal. */
    public void inspected(String output) {
        try {
            progress.old = OldCluster.parse(output);
        } catch (IllegalArgumentException e) {
            throw UpgradeProgress.failed(e.getMessage(), e);
        }
        progress.record(progress.journal.withSuperuser(progress.old.superuser()));
        LOG.info("old cluster: version={} encoding={} lc_collate={} lc_ctype={} provider={} checksums={} superuser={}",
                progress.journal.oldVersion(), progress.old.encoding(), progress.old.collate(), progress.old.ctype(), progress.old.provider(), progress.old.checksums(),
                progress.old.superuser());
    }

    /** Records a phase in the journal (the routes call it before each command). */
    public void phase(String next) {
        progress.record(progress.journal.at(Phase.valueOf(next)));
        LOG.info("upgrade phase={}", next);
    }

    /** {@code setsid} arguments of the new initdb: the old cluster's encoding, locale, checksums and superuser. */
    public List<String> initdbArgs() {
        List<String> args = new ArrayList<>(List.of(options.newBinDir().resolve("initdb").toString(),
                "--pgdata=" + progress.journal.newCluster(), "--username=" + progress.old.superuser(), "--auth=trust"));
        args.addAll(progress.old.initdbOptions());
        return args;
    }

    /** {@code setsid} arguments of pg_upgrade, with {@code --check} or for the upgrade itself. */
    public List<String> pgUpgradeArgs(boolean check) throws IOException {
        List<String> args = new ArrayList<>(List.of("/usr/bin/env"));
        Optional<Path> pgpass = database.pgpass();
        pgpass.ifPresent(p -> args.add("PGPASSFILE=" + p));
        args.addAll(command(options, progress.journal, check));
        return args;
    }

    /** pg_upgrade's command line for a journal: {@code --check}, or the upgrade itself. */
    static List<String> command(UpgradeOptions options, Journal j, boolean check) {
        Settings settings = options.settings;
        List<String> args = new ArrayList<>(List.of(options.newBinDir().resolve("pg_upgrade").toString(),
                "--old-bindir=" + options.oldBinDir(j.oldVersion()), "--new-bindir=" + options.newBinDir(),
                "--old-datadir=" + j.pgdata(), "--new-datadir=" + j.newCluster(),
                "--username=" + (j.superuser().isEmpty() ? "<old superuser>" : j.superuser()),
                "--old-port=" + settings.port(), "--new-port=" + settings.port(), "--socketdir=" + options.upgradeSocketDir(),
                "--jobs=" + Math.max(1, Runtime.getRuntime().availableProcessors()), "--retain"));
        if (!"copy".equals(j.mode())) {
            args.add("--" + j.mode());
        }
        if (check) {
            args.add("--check");
        }
        return args;
    }

    /** pg_upgrade's working directory: its scripts (update_extensions.sql) land there. */
    public String workDir() {
        return progress.journal.work().toString();
    }

    /** After pg_upgrade: the user's files carried over, the logs kept, old aside and new in place (SWAPPED). */
    public void swap() {
        Journal j = progress.journal;
        Path pgdata = j.pgdata();
        Path fresh = j.newCluster();
        try {
            if (Files.isDirectory(fresh)) {
                Path oldNow = Files.isDirectory(j.aside()) ? j.aside() : pgdata;
                List<String> carried = ClusterFiles.carry(oldNow, fresh);
                LOG.info("carried to the new cluster: {}", String.join(", ", carried));
                Path logs = fresh.resolve("pg_upgrade_output.d");
                if (Files.isDirectory(logs)) {
                    Files.move(logs, j.work().resolve("pg_upgrade_output.d"), StandardCopyOption.REPLACE_EXISTING);
                }
                // its rm -rf names the old path, which is about to hold the new cluster
                Files.deleteIfExists(j.work().resolve("delete_old_cluster.sh"));
                if (Files.exists(pgdata) && !Files.exists(j.aside())) {
                    Files.move(pgdata, j.aside(), StandardCopyOption.ATOMIC_MOVE);
                }
                if (!Files.exists(pgdata)) {
                    Files.move(fresh, pgdata, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw UpgradeProgress.failed("cannot swap the clusters: " + e.getMessage() + " (the journal " + data.upgradeJournal()
                    + " lets the next start finish the swap)", e);
        }
        progress.record(j.at(Phase.SWAPPED));
        try {
            Files.deleteIfExists(options.upgradeSocketDir());
        } catch (IOException e) {
            LOG.debug("{} stays: {}", options.upgradeSocketDir(), e.getMessage());
        }
        if (progress.beganMillis > 0) {
            progress.upgradeSeconds = (System.currentTimeMillis() - progress.beganMillis) / 1000.0;
        }
        Audit.event("upgrade-swap", Map.of("pgdata", pgdata.toString(), "old", j.aside().toString(),
                "version", String.valueOf(j.newMajor())));
    }

    /** A facts line for the READY transition. */
    public String summary() {
        Journal j = progress.journal;
        return j == null ? "" : j.oldVersion() + "->" + j.newMajor() + " mode=" + j.mode() + " old=" + j.aside();
    }

    // ---- the journal at the next start, and after a failure or a stop

    /** Resumes or rolls back an interrupted upgrade: {@code rolled-back} or {@code resumed}. */
    public String recover() {
        return recovery.recover(this::swap);
    }

    /** After a failure or a stop: rolls back an upgrade that pg_upgrade had not finished. */
    public void cleanup() {
        recovery.cleanup();
    }

    /** Meters: the journal's phase, the upgrade's duration, the background analysis. */
    public void bindTo(MeterRegistry registry) {
        after.bindTo(registry);
    }
}
