package dev.pgentrypoint.patroni;

import dev.pgentrypoint.config.Configuration;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.database.InitScripts;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.os.Executables;
import dev.pgentrypoint.os.PostmasterPid;
import dev.pgentrypoint.os.Signals;
import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STARTUP_MODE=patroni: renders Patroni's configuration directory, says how to start Patroni, waits for
 * etcd, and knows where the member's REST API answers. Patroni itself runs initdb, creates replicas and
 * elects the leader.
 */
public final class Patroni {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.runtime");
    static final String CONFIG_SUBDIR = "config";
    static final int DEFAULT_DCS_TIMEOUT = 60;
    /** Removed from Patroni's environment: the rendered files carry them. */
    static final List<String> SECRET_ENVIRONMENT = List.of("POSTGRES_PASSWORD", "PGPASSWORD", "PATRONI_SUPERUSER_PASSWORD",
            "PATRONI_REPLICATION_PASSWORD", "PATRONI_RESTAPI_PASSWORD", "PATRONI_CONFIGURATION");

    /** Top-level keys shown first, in this order. */
    static final List<String> DISPLAY_ORDER = List.of("scope", "namespace", "name", "etcd3", "restapi", "bootstrap",
            "postgresql");

    private final Settings settings;
    private final Database database;
    private final InitScripts scripts;
    private final PatroniConfig config;
    private final Optional<Path> executable;
    private final Clock clock;
    private volatile Map<String, Object> effective;
    private volatile PatroniHealth health;

    public Patroni(Settings settings, Configuration configuration, Database database, InitScripts scripts,
            Optional<PgBinaries> binaries, Clock clock) {
        this.settings = settings;
        this.database = database;
        this.scripts = scripts;
        this.config = new PatroniConfig(settings, configuration, binaries);
        this.executable = Executables.onPath("patroni", settings.raw("PATH").orElse(""));
        this.clock = clock;
    }

    public boolean enabled() {
        return settings.startupMode() == StartupMode.PATRONI;
    }

    public void validate(ValidationReport report) {
        if (!enabled()) {
            return;
        }
        if (executable.isEmpty()) {
            report.invalid("STARTUP_MODE", "patroni needs the patroni executable on PATH: install Patroni "
                    + "(Debian package patroni) or choose another STARTUP_MODE");
        }
        new PatroniValidator(settings, config).validate(report);
        database.checkInitdbArgs(report);
        if (!scripts.scripts().isEmpty() || settings.raw("POSTGRES_DB").isPresent()) {
            report.warn("STARTUP_MODE=patroni: Patroni initializes the cluster, so INITDB_SCRIPTS_DIR scripts and "
                    + "POSTGRES_DB are not applied; use Patroni's bootstrap.post_bootstrap in CONFIG_DIR/patroni.yml");
        }
    }

    /** The merged configuration Patroni will run with. */
    Map<String, Object> effective() throws IOException {
        Map<String, Object> e = effective;
        if (e == null) {
            e = PatroniConfig.effective(config.layers());
            effective = e;
        }
        return e;
    }

    Path configDir() {
        return settings.patroniRunDir().resolve(CONFIG_SUBDIR);
    }

    /** Writes the layers into PATRONI_RUN_DIR/config (0700, files 0600), replacing what an earlier start left. */
    public void render() throws IOException {
        Path dir = configDir();
        removeConfigDir();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<PatroniConfig.Layer> layers = config.layers();
        for (PatroniConfig.Layer layer : layers) {
            Path file = dir.resolve(layer.file());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "# " + layer.source() + "\n" + layer.text(), StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
        effective = PatroniConfig.effective(layers);
        Masking.register(PatroniYaml.secrets(effective));
        Audit.event("patroni-config-rendered", Map.of("dir", dir.toString(), "files",
                String.join(",", layers.stream().map(PatroniConfig.Layer::file).toList()), "scope", scope(),
                "member", memberName()));
    }

    /** The effective configuration with secrets masked, and where it came from: for DEBUG and DRY_RUN. */
    public String effectiveForDisplay() throws IOException {
        List<String> sources = config.layers().stream().map(l -> l.file() + " (" + l.source() + ")").toList();
        Map<String, Object> effective = effective();
        Map<String, Object> ordered = new LinkedHashMap<>();
        DISPLAY_ORDER.stream().filter(effective::containsKey).forEach(k -> ordered.put(k, effective.get(k)));
        ordered.putAll(effective);
        return "Patroni configuration " + configDir() + " (0600 files, removed at exit), merged in this order: " + String.join(", ", sources) + "\n"
                + PatroniYaml.dump(PatroniYaml.masked(ordered));
    }

    public List<String> command() {
        return List.of(executable.map(Path::toString).orElse("patroni"), configDir().toString());
    }

    /**
     * Removed from the environment of Patroni and so of PostgreSQL; every PGBACKREST_* too (the rendered file has
     * them), and the entrypoint's own BACKUP_* variables.
     */
    public List<String> secretEnvironment() {
        List<String> names = new ArrayList<>(SECRET_ENVIRONMENT);
        names.addAll(settings.backupEnvironment());
        return names;
    }

    /** Waits until an etcd host accepts connections, up to DCS_TIMEOUT; a runtime failure (exit 3) otherwise. */
    public void awaitDcs() throws IOException, InterruptedException {
        new DcsProbe(clock).await(DcsProbe.hosts(effective()), Duration.ofSeconds(dcsTimeout()));
    }

    int dcsTimeout() {
        try {
            return Integer.parseInt(settings.raw("DCS_TIMEOUT").orElse(String.valueOf(DEFAULT_DCS_TIMEOUT)).strip());
        } catch (NumberFormatException e) {
            return DEFAULT_DCS_TIMEOUT;
        }
    }

    public String scope() throws IOException {
        return PatroniValidator.string(effective(), "scope");
    }

    public String memberName() throws IOException {
        return PatroniValidator.string(effective(), "name");
    }

    /** The member's REST API as this host reaches it: the listen address, loopback for a wildcard. */
    public URI restApi() throws IOException {
        String listen = PatroniValidator.string(effective(), "restapi", "listen");
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, Math.max(colon, 0));
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("*") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + host + ":" + listen.substring(colon + 1));
    }

    /** The member's health and metric facts from its REST API; empty outside Patroni mode or without a configuration. */
    public Optional<PatroniHealth> health() {
        if (!enabled()) {
            return Optional.empty();
        }
        PatroniHealth h = health;
        if (h == null) {
            try {
                h = new PatroniHealth(restApi(), memberName(), clock);
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
            health = h;
        }
        return Optional.of(h);
    }

    /**
     * After Patroni is gone: a postmaster it left running (Patroni died or was killed) gets a fast shutdown,
     * then an immediate one. Returns whether there was one to stop.
     */
    public boolean stopOrphanedPostgres() throws InterruptedException {
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isEmpty()) {
            return false;
        }
        ProcessHandle p = postmaster.get();
        for (String signal : List.of("INT", "QUIT", "KILL")) {
            LOG.warn("PostgreSQL (pid {}) outlived Patroni: sending SIG{}", p.pid(), signal);
            signal(p.pid(), signal);
            try {
                p.onExit().get(signal.equals("INT") ? settings.shutdownTimeout() : 5, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                // still running: escalate
            }
        }
        return true;
    }

    /** The live postmaster of PGDATA: Patroni starts it detached, so it is not Patroni's child. */
    public OptionalLong postmasterPid() {
        return postmaster().map(h -> OptionalLong.of(h.pid())).orElse(OptionalLong.empty());
    }

    private Optional<ProcessHandle> postmaster() {
        try {
            OptionalLong pid = PostmasterPid.pidOf(Path.of(settings.pgdata()));
            return pid.isEmpty() ? Optional.empty() : ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void signal(long pid, String signal) throws InterruptedException {
        try {
            Signals.kill(pid, signal);
        } catch (IOException e) {
            LOG.warn("cannot run kill -{} {}: {}", signal, pid, e.getMessage());
        }
    }

    /** Removes the rendered configuration (it holds passwords) and the member's pgpass. Idempotent. */
    public void cleanup() throws IOException {
        removeConfigDir();
        Files.deleteIfExists(settings.patroniRunDir().resolve("pgpass"));
    }

    private void removeConfigDir() throws IOException {
        Trees.delete(configDir());
    }

    /** DRY_RUN: the Patroni part of the plan. */
    public List<String> plan() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("write " + String.join("\n        ", effectiveForDisplay().lines().toList()));
        lines.add("wait up to " + dcsTimeout() + " s (DCS_TIMEOUT) for etcd on " + String.join(", ", DcsProbe.hosts(effective())));
        lines.add("start and supervise " + String.join(" ", command()) + " (Patroni runs initdb or creates a replica)");
        lines.add("wait until " + restApi() + "/patroni reports the member running (START_TIMEOUT "
                + settings.startTimeout() + " s)");
        lines.add("on SIGTERM/SIGINT: SIGTERM to Patroni (it stops PostgreSQL and releases the leader key), after "
                + "SHUTDOWN_TIMEOUT " + settings.shutdownTimeout() + " s SIGQUIT to PostgreSQL, then kill");
        return lines;
    }
}
