package dev.pgentrypoint;

import dev.pgentrypoint.backup.Backup;
import dev.pgentrypoint.backup.BackupControl;
import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.backup.BackupStatus;
import dev.pgentrypoint.backup.Restore;
import dev.pgentrypoint.camel.BeanInfoCache;
import dev.pgentrypoint.collation.CollationDrift;
import dev.pgentrypoint.config.Configuration;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.credentials.Credentials;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.database.InitScripts;
import dev.pgentrypoint.health.HealthChecks;
import dev.pgentrypoint.lifecycle.Lifecycle;
import dev.pgentrypoint.lifecycle.LockHolder;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.management.ManagementServer;
import dev.pgentrypoint.metrics.Metrics;
import dev.pgentrypoint.patroni.Patroni;
import dev.pgentrypoint.patroni.PatroniMetrics;
import dev.pgentrypoint.patroni.PatroniReady;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.pgdata.Directories;
import dev.pgentrypoint.plan.Plan;
import dev.pgentrypoint.runtime.Postgres;
import dev.pgentrypoint.runtime.PostgresReady;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.SettingsValidator;
import dev.pgentrypoint.settings.ValidationReport;
import dev.pgentrypoint.state.StateMachine;
import dev.pgentrypoint.supervise.EscalationTarget;
import dev.pgentrypoint.upgrade.Upgrade;
import dev.pgentrypoint.workflow.WorkflowChecker;
import dev.pgentrypoint.workflow.WorkflowProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntConsumer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the settings, binds the beans the YAML routes call, and runs Camel Main over the
 * workflows and routes on disk. The exit code is decided by the routes through {@link Lifecycle}.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.main");
    /** Camel Main's settings, in the distribution's home directory. */
    static final String PROPERTIES_FILE = "application.properties";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Camel Main with every bean the routes call and the properties they read, not started. */
    static Wiring wire(Map<String, String> env, List<String> args, Path home) {
        return wire(env, args, home, Lifecycle.HALT_JVM);
    }

    /** The same, with another last resort for the shutdown watchdog than halting the JVM (route tests). */
    static Wiring wire(Map<String, String> env, List<String> args, Path home, IntConsumer halt) {
        Settings settings = new Settings(env, args, home);
        Masking.register(settings.secretValues());
        Optional<PgBinaries> binaries = PgBinaries.discover(settings.pgBinDir(), env.get("PATH"),
                Path.of("/usr/lib/postgresql"));
        StateMachine state = new StateMachine(settings.dryRun() ? null : settings.stateFile(), Clock.systemUTC());
        Lifecycle lifecycle = new Lifecycle(state, settings.shutdownTimeout(), halt);
        Privileges privileges = new Privileges(settings.osUser());
        DataDirectory data = new DataDirectory(settings.pgdataPath());
        Directories directories = new Directories(settings, privileges);
        Database database = new Database(settings, data, binaries);
        BackupSettings backupSettings = new BackupSettings(settings);
        Backup backup = new Backup(backupSettings, binaries, privileges, data);
        Restore restore = new Restore(backupSettings, backup, data);
        Configuration configuration = new Configuration(settings, binaries, privileges, backup::postgresParameters);
        InitScripts scripts = new InitScripts(settings, database);
        Postgres postgres = new Postgres(settings, binaries);
        Patroni patroni = new Patroni(settings, configuration, database, scripts, binaries, Clock.systemUTC());

        org.apache.camel.main.Main main = new org.apache.camel.main.Main();
        main.bind("settings", settings);
        main.bind("validationReport", new ValidationReport());
        main.bind("settingsValidator", new SettingsValidator(settings, binaries, privileges.isRoot() && !settings.dryRun()));
        main.bind("lifecycle", lifecycle);
        main.bind("stateMachine", state);
        main.bind("lock", new LockHolder(settings.lockFile(), settings.pgdata(), settings.dryRun()));
        main.bind("privileges", privileges);
        main.bind("dataDirectory", data);
        main.bind("directories", directories);
        main.bind("database", database);
        main.bind("configuration", configuration);
        main.bind("initScripts", scripts);
        main.bind("postgres", postgres);
        main.bind("postgresReady", new PostgresReady(settings.pgdataPath()));
        main.bind("patroni", patroni);
        main.bind("patroniReady", new PatroniReady(patroni));
        main.bind("patroniPostmaster", (EscalationTarget) child -> patroni.postmasterPid());
        main.bind("backup", backup);
        main.bind("restore", restore);
        BackupStatus backupStatus = new BackupStatus(backupSettings, state, Clock.systemUTC());
        main.bind("backupStatus", backupStatus);
        main.bind("backupControl", new BackupControl(backupSettings.controlSocket()));
        Upgrade upgrade = new Upgrade(settings, data, binaries, database, Path.of("/usr/lib/postgresql"), Clock.systemUTC());
        main.bind("upgrade", upgrade);
        main.bind("upgradeAfter", upgrade.afterUpgrade());
        Credentials credentials = new Credentials(settings, data, database);
        main.bind("credentials", credentials);
        CollationDrift collation = new CollationDrift(settings, data, binaries, database);
        main.bind("collationDrift", collation);
        main.bind("plan", new Plan(settings.startupMode(), directories, database, configuration, backup, restore, scripts, postgres, patroni,
                upgrade::plan, credentials::plan, collation::plan));
        HealthChecks health = HealthChecks.of(settings, lifecycle::effectiveState, () -> patroni.enabled()
                ? lifecycle.supervisedPid("patroni").isPresent() ? patroni.postmasterPid() : OptionalLong.empty()
                : lifecycle.supervisedPid("postgres"), patroni::health).withCollation(collation::findings);
        Metrics metrics = new Metrics(state, health, startedAt(env));
        if (patroni.enabled()) {
            PatroniMetrics.register(metrics.registry(), patroni::health);
        }
        backupStatus.bindTo(metrics.registry());
        upgrade.bindTo(metrics.registry());
        collation.bindTo(metrics.registry());
        main.bind("health", health);
        main.bind("metrics", metrics);
        main.bind("routePolicyFactory", metrics.routePolicyFactory());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                BeanInfoCache.enable(m.getCamelContext());
            }
        });

        // Camel Main's own settings are in HOME/application.properties; what comes from the environment is here
        main.setDefaultPropertyPlaceholderLocation("file:" + home.resolve(PROPERTIES_FILE));
        if (settings.debug()) {
            main.addOverrideProperty("camel.main.startupSummaryLevel", "Default");
        }
        main.addInitialProperty("entrypoint.workflows.dir", settings.workflowsDir().toString());
        main.addInitialProperty("entrypoint.routes.dir", settings.routesDir().toString());
        main.addInitialProperty("entrypoint.pgdata", settings.pgdata());
        main.addInitialProperty("entrypoint.pg.bindir", binaries.map(b -> b.binDir().toString()).orElse("/nonexistent"));
        main.addInitialProperty("entrypoint.startup.mode", settings.startupModeValue());
        main.addInitialProperty("entrypoint.shutdown.timeout", String.valueOf(settings.shutdownTimeout()));
        main.addInitialProperty("entrypoint.start.timeout", String.valueOf(settings.startTimeout()));
        main.addInitialProperty("entrypoint.dry.run", String.valueOf(settings.dryRun()));
        main.addInitialProperty("entrypoint.is.root", String.valueOf(privileges.isRoot()));
        main.addInitialProperty("entrypoint.exec.timeout", String.valueOf(settings.commandTimeout() * 1000L));
        main.addInitialProperty("entrypoint.script.timeout", String.valueOf(settings.scriptTimeout() * 1000L));
        main.addInitialProperty("entrypoint.health.interval", String.valueOf(settings.healthInterval() * 1000L));
        backupSettings.properties(settings.dryRun(), privileges.isRoot()).forEach(main::addInitialProperty);
        upgrade.properties().forEach(main::addInitialProperty);
        return new Wiring(main, settings, lifecycle, privileges, metrics, health);
    }

    /** When the entrypoint started: the launcher's time (before a privileged first run), else this JVM's. */
    static long startedAt(Map<String, String> env) {
        try {
            return Long.parseLong(env.getOrDefault("PG_ENTRYPOINT_STARTED_AT", ""));
        } catch (NumberFormatException e) {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        }
    }

    /** What {@link #wire} built. */
    record Wiring(org.apache.camel.main.Main main, Settings settings, Lifecycle lifecycle, Privileges privileges,
            Metrics metrics, HealthChecks health) {
    }

    /**
     * Checks the workflow YAML against the beans and properties just wired; logs every problem with
     * its file, line and route id. Runs before anything is changed.
     */
    static WorkflowChecker.Report checkWorkflow(Wiring wiring, Map<String, String> env) {
        Settings settings = wiring.settings();
        WorkflowChecker.Report report = new WorkflowChecker(wiring.main().lookupByType(Object.class),
                wiring.main().getInitialProperties(), env).check(settings.workflowsDir(), settings.routesDir());
        Logger log = LoggerFactory.getLogger("pg-entrypoint.workflow-check");
        for (WorkflowProblem problem : report.problems()) {
            log.error("{}", problem);
        }
        if (!report.problems().isEmpty()) {
            log.error("the workflow has {} problem(s) in WORKFLOWS_DIR={} and ROUTES_DIR={}: fix the YAML and start "
                    + "again; nothing was changed", report.problems().size(), settings.workflowsDir(), settings.routesDir());
        }
        return report;
    }

    static int run(String[] args) throws Exception {
        EarlySignals signals = EarlySignals.install();
        Path home = Path.of(System.getProperty("pgentrypoint.home", "."));
        Wiring wiring = wire(System.getenv(), List.of(args), home);
        Settings settings = wiring.settings();
        // after a root start, the privileged run checked the same files already
        boolean checked = !System.getenv().getOrDefault("PG_ENTRYPOINT_UNPRIVILEGED", "").isEmpty();
        if (!checked) {
            settings.deprecationWarnings().forEach(LOG::warn);
        }
        if (!checked && !checkWorkflow(wiring, System.getenv()).problems().isEmpty()) {
            return ExitCode.INVALID_INPUT.code();
        }
        Lifecycle lifecycle = wiring.lifecycle();
        org.apache.camel.main.Main main = wiring.main();
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                lifecycle.attach(m.getCamelContext(), main::completed);
            }
        });
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) {
            strategy.disableHangupSupport();
        }
        signals.attach(lifecycle);

        ManagementServer management = null;
        if (settings.managementEnabled() && !wiring.privileges().isRoot() && !settings.dryRun()) {
            try {
                management = ManagementServer.start(settings.managementBind(), settings.managementPort(),
                        wiring.metrics(), wiring.health());
            } catch (IOException e) {
                LOG.error("MANAGEMENT_PORT: cannot listen on {}:{}: {}; choose a free port with MANAGEMENT_PORT and "
                        + "MANAGEMENT_BIND, or set MANAGEMENT_ENABLED=false", settings.managementBind(),
                        settings.managementPort(), e.getMessage());
                return ExitCode.INVALID_INPUT.code();
            }
        }
        try {
            main.run();
        } catch (Exception e) {
            LOG.error("cannot load the workflow: {}", e.getMessage());
            LOG.debug("cause", e);
            return ExitCode.INVALID_INPUT.code();
        } finally {
            if (management != null) {
                management.close();
            }
        }
        if (!lifecycle.decided()) {
            LOG.error("the workflow did not start: check the YAML under WORKFLOWS_DIR={} and ROUTES_DIR={} "
                    + "(the error above names the file and line)", settings.workflowsDir(), settings.routesDir());
            return ExitCode.INVALID_INPUT.code();
        }
        return lifecycle.exitCode().code();
    }
}
