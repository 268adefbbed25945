package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.logging.Audit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code upgradeAfter}, of the runtime routes of routes/init/02-upgrade.camel.yaml: after the
 * upgraded server started and answered, the journal ends, the old cluster goes only when asked, and
 * the extension update script and the analysis run in the background, measured.
 */
public final class AfterUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.upgrade");

    private final UpgradeOptions options;
    private final UpgradeProgress progress;
    private final Database database;
    private volatile double analyzeSeconds = Double.NaN;
    private volatile long analyzeBegan;
    private volatile boolean analyzing;
    private Counter analyzeFailures;

    AfterUpgrade(UpgradeOptions options, UpgradeProgress progress, Database database) {
        this.options = options;
        this.progress = progress;
        this.database = database;
    }

    /** The new cluster is PGDATA and has not answered yet. */
    public boolean awaitingFirstStart() {
        Journal j = progress.journal;
        return j != null && j.phase() == Phase.SWAPPED;
    }

    /** The new cluster answered: the journal ends (DONE) and the old cluster goes only when asked. */
    public void started() {
        Journal j = progress.journal.at(Phase.DONE);
        try {
            j.write(j.work().resolve("journal.properties"));
            Files.deleteIfExists(options.data.upgradeJournal());
            progress.journal = j;
            String old = j.aside().toString();
            if (!options.keepOld() && Files.isDirectory(j.aside())) {
                Trees.delete(j.aside());
                old = "removed (POSTGRES_UPGRADE_KEEP_OLD=false)";
            }
            LOG.info("upgrade done: PostgreSQL {} -> {} in {} mode; old cluster: {}; logs: {}", j.oldVersion(),
                    j.newMajor(), j.mode(), old, j.work());
            Audit.event("upgrade-done", Map.of("pgdata", j.pgdata().toString(), "old", old, "logs", j.work().toString()));
        } catch (IOException e) {
            throw UpgradeProgress.failed("cannot finish the upgrade's journal: " + e.getMessage(), e);
        }
    }

    /** Whether pg_upgrade wrote an extension update script. */
    public boolean hasExtensionScript() {
        Journal j = progress.journal;
        return j != null && Files.isRegularFile(j.work().resolve("update_extensions.sql"));
    }

    /** {@code setsid} arguments running pg_upgrade's extension update script against the new server. */
    public List<String> extensionScriptArgs() throws IOException {
        List<String> args = clientEnvironment();
        args.addAll(List.of(options.newBinDir().resolve("psql").toString(), "--no-psqlrc", "--no-password", "-v",
                "ON_ERROR_STOP=1", "--dbname=postgres", "-f", progress.journal.work().resolve("update_extensions.sql").toString()));
        return args;
    }

    /** {@code setsid} arguments of {@code vacuumdb --all --analyze-in-stages}. */
    public List<String> vacuumdbArgs() throws IOException {
        List<String> args = clientEnvironment();
        args.addAll(List.of(options.newBinDir().resolve("vacuumdb").toString(), "--no-password", "--all", "--analyze-in-stages"));
        return args;
    }

    private List<String> clientEnvironment() throws IOException {
        List<String> env = new ArrayList<>(List.of("/usr/bin/env", "PGHOST=" + options.settings.socketDir(),
                "PGPORT=" + options.settings.port(), "PGUSER=" + progress.journal.superuser()));
        database.pgpass().ifPresent(p -> env.add("PGPASSFILE=" + p));
        return env;
    }

    public void analyzeStarted() {
        analyzing = true;
        analyzeBegan = System.currentTimeMillis();
        LOG.info("post-upgrade analysis started: vacuumdb --all --analyze-in-stages in the background");
    }

    public void analyzeDone() {
        analyzing = false;
        analyzeSeconds = (System.currentTimeMillis() - analyzeBegan) / 1000.0;
        LOG.info("post-upgrade analysis done seconds={}", analyzeSeconds);
    }

    public void analyzeFailed(String reason) {
        analyzing = false;
        if (analyzeFailures != null) {
            analyzeFailures.increment();
        }
        LOG.warn("post-upgrade analysis failed: {}; run vacuumdb --all --analyze-in-stages by hand", reason);
    }

    /** Meters: the journal's phase, the upgrade's duration, the background analysis. */
    void bindTo(MeterRegistry registry) {
        Gauge.builder("pg_entrypoint_upgrade_phase", progress, p -> p.journal == null ? 0 : p.journal.phase().code())
                .description("Phase of the major-version upgrade of this start: 0 none, 1 PLANNED, 2 INITDB, 3 CHECKED, "
                        + "4 UPGRADING, 5 UPGRADED, 6 SWAPPED, 7 DONE").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_seconds", progress, p -> p.upgradeSeconds).baseUnit("seconds")
                .description("Seconds the major-version upgrade took (UPGRADING to the swap)").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_analyze_running", this, u -> u.analyzing ? 1 : 0)
                .description("1 while vacuumdb --analyze-in-stages runs after an upgrade").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_analyze_seconds", this, u -> u.analyzeSeconds).baseUnit("seconds")
                .description("Seconds the post-upgrade analysis took").register(registry);
        analyzeFailures = Counter.builder("pg_entrypoint_upgrade_analyze_failures")
                .description("Failures of the post-upgrade extension script or analysis").register(registry);
    }
}
