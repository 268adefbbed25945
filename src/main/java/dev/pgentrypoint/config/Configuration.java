package dev.pgentrypoint.config;

import dev.pgentrypoint.config.ConfigRenderer.Rendering;
import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Module 03-config, applied at every start. After initdb, PGDATA/postgresql.conf and PGDATA/pg_hba.conf
 * belong to the user. The entrypoint's settings (its defaults, CONFIG_DIR, the parameters of other modules)
 * live in PGDATA/pg-entrypoint.conf, a file it owns, which postgresql.conf includes with one line added once.
 * pg_hba.conf is written at the first initialization, or replaced by CONFIG_DIR/pg_hba.conf when the user puts
 * one there. What the files hold comes from {@link ConfigRenderer}; every change is checked with
 * {@code postgres -C} first ({@link ConfigCheck}), then logged with the previous version kept ({@link ConfigChange}).
 */
public final class Configuration {
    private final Settings settings;
    private final boolean canCheck;
    private final Supplier<Map<String, String>> moduleParameters;
    private final ConfigSources sources;
    private final ConfigRenderer renderer;
    private final ConfigCheck checker;
    private final ConfigChange changes;
    /** The staged files that passed postgres -C during validation; apply need not check them again. */
    private volatile String checkedRendering;
    /** PGDATA had no cluster when the start was validated: a cluster found at apply was made by this start. */
    private volatile boolean emptyAtStart;

    /**
     * @param moduleParameters parameters other modules put into our defaults (WAL archiving of
     *     04-backup); the user's files still override them
     */
    public Configuration(Settings settings, Optional<PgBinaries> binaries, Privileges privileges,
            Supplier<Map<String, String>> moduleParameters) {
        this(settings, binaries, privileges, moduleParameters, Clock.systemUTC());
    }

    Configuration(Settings settings, Optional<PgBinaries> binaries, Privileges privileges,
            Supplier<Map<String, String>> moduleParameters, Clock clock) {
        this.settings = settings;
        this.canCheck = binaries.isPresent();
        this.moduleParameters = moduleParameters;
        this.sources = new ConfigSources(settings);
        this.renderer = new ConfigRenderer(settings, sources, moduleParameters);
        this.checker = new ConfigCheck(settings, binaries, privileges);
        this.changes = new ConfigChange(clock);
    }

    private Path pgdata() {
        return Path.of(settings.pgdata());
    }

    public void validate(ValidationReport report) {
        emptyAtStart = !Files.exists(pgdata().resolve("PG_VERSION"));
        int before = report.errors().size();
        String method = settings.hostAuthMethod();
        if (!HbaRules.METHODS.contains(method) || method.equals("peer") || method.equals("ident")) {
            report.invalid("POSTGRES_HOST_AUTH_METHOD", "'" + method + "' is not an authentication method for host "
                    + "connections: use scram-sha-256 (default), md5, password, trust, reject, cert, ldap, radius, pam, gss or sspi");
        }
        Path dir = settings.configDir();
        if (settings.configDirExplicit() && !Files.isDirectory(dir)) {
            report.invalid("CONFIG_DIR", dir + " is not a directory: create it or unset CONFIG_DIR");
            return;
        }
        for (Path file : sources.all()) {
            if (!Files.isReadable(file)) {
                report.invalid("CONFIG_DIR", file + " is not readable: fix its mode");
                return;
            }
        }
        Path hba = sources.file("pg_hba.conf");
        if (Files.isRegularFile(hba)) {
            try {
                HbaRules.check(Files.readString(hba, StandardCharsets.UTF_8))
                        .forEach(p -> report.invalid(hba.toString(), p));
            } catch (IOException e) {
                report.invalid(hba.toString(), "cannot read: " + e.getMessage());
            }
        }
        if (!canCheck || report.errors().size() > before
                || !dev.pgentrypoint.settings.RefusedArguments.of(settings.postgresArgs(), "postgres").isEmpty()) {
            return;
        }
        try {
            stage();
            List<Map.Entry<String, String>> problems = checker.check();
            problems.forEach(p -> report.invalid(p.getKey(), p.getValue()));
            if (problems.isEmpty()) {
                checkedRendering = checker.stagedFiles();
            }
        } catch (IOException e) {
            report.invalid("CONFIG_DIR", "cannot render the configuration: " + e.getMessage());
        } finally {
            try {
                cleanup();
            } catch (IOException e) {
                report.warn("cannot remove the configuration staging directory: " + e.getMessage());
            }
        }
    }

    /** Marks the cluster found at apply as made by this start (validate does this from PGDATA itself). */
    void emptyAtStart(boolean empty) {
        emptyAtStart = empty;
    }

    /** Renders every file to check into a fresh staging directory, readable by the user PostgreSQL runs as. */
    Path stage() throws IOException {
        return checker.stage(renderer.render(emptyAtStart));
    }

    /** Patroni mode: the PostgreSQL parameters of direct mode's pg-entrypoint.conf ({@link ConfigRenderer#parameters}). */
    public Map<String, String> parameters() throws IOException {
        return renderer.parameters();
    }

    /** Patroni mode: the pg_hba.conf rules, CONFIG_DIR/pg_hba.conf or the generated ones, without comments. */
    public List<String> hbaRules() throws IOException {
        return renderer.hbaRules();
    }

    /**
     * Renders again over the real PGDATA (after initdb), checks, and writes what changed: pg-entrypoint.conf,
     * the include line in postgresql.conf (once), pg_hba.conf at first initialization or from CONFIG_DIR.
     */
    public void apply() throws IOException {
        Path pgdata = pgdata();
        Rendering r = renderer.render(emptyAtStart);
        checker.stage(r);
        List<Map.Entry<String, String>> problems = checker.stagedFiles().equals(checkedRendering) ? List.of() : checker.check();
        if (!problems.isEmpty()) {
            boolean firstInit = Files.exists(pgdata.resolve(dev.pgentrypoint.pgdata.DataDirectory.MARKER_NAME));
            throw new EntrypointException("init-config-main", firstInit ? ExitCode.INIT_FAILED : ExitCode.INVALID_INPUT,
                    "the configuration does not pass postgres -C; the configuration files in PGDATA are unchanged: "
                    + problems);
        }
        changes.write(pgdata.resolve(ConfigRenderer.OWNED), r.owned(), ConfigChange.Keep.PREVIOUS,
                "pg-entrypoint's settings: defaults, CONFIG_DIR, other modules");
        if (r.postgresqlConf().isPresent()) {
            changes.write(pgdata.resolve("postgresql.conf"), r.postgresqlConf().get().content(),
                    ConfigChange.Keep.TIMESTAMPED, r.postgresqlConf().get().reason());
        }
        if (r.hba().isPresent()) {
            changes.write(pgdata.resolve("pg_hba.conf"), r.hba().get().content(), ConfigChange.Keep.TIMESTAMPED,
                    r.hba().get().reason());
        }
        removeLegacy(pgdata);
        Audit.event("config-applied", Map.of("pgdata", pgdata.toString(), "user_files",
                String.valueOf(sources.all().size()), "host_auth", settings.hostAuthMethod(),
                "defaults_left_out", String.join(",", r.leftOutDefaults())));
    }

    /** The files earlier versions owned, no longer included by anything. */
    private void removeLegacy(Path pgdata) throws IOException {
        String reason = "owned by an earlier pg-entrypoint, replaced by " + ConfigRenderer.OWNED;
        changes.remove(pgdata.resolve(ConfigRenderer.LEGACY_DEFAULTS), reason);
        Path dir = pgdata.resolve(ConfigRenderer.LEGACY_SNIPPETS);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isRegularFile(p)) {
                        changes.remove(p, reason);
                    } else {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    /** Removes the staging directory. Idempotent. */
    public void cleanup() throws IOException {
        checker.cleanup();
    }

    public List<String> plan() {
        List<String> lines = new ArrayList<>();
        lines.add("write " + pgdata().resolve(ConfigRenderer.OWNED) + " (owned by pg-entrypoint): listen_addresses='*', port="
                + settings.port() + ", unix_socket_directories=" + settings.socketDir() + ", password_encryption=scram-sha-256"
                + (moduleParameters.get().isEmpty() ? "" : ", " + String.join(", ", moduleParameters.get().keySet()))
                + " unless postgresql.conf sets them, then " + (Files.isRegularFile(sources.file("postgresql.conf"))
                ? sources.file("postgresql.conf") + " and " : "") + sources.snippets().size() + " snippet(s) from "
                + sources.snippetDir());
        lines.add("postgresql.conf: add \"" + ConfigRenderer.INCLUDE + "\" once if it is missing (logged, previous version kept)");
        Path hba = sources.file("pg_hba.conf");
        lines.add("pg_hba.conf: " + (Files.isRegularFile(hba) ? "replaced by " + hba + " if it differs (logged, previous "
                + "version kept)" : "written at the first initialization (local trust, host all all all "
                + settings.hostAuthMethod() + "), then left alone"));
        lines.add("check the result with postgres -C (done now: it passed)");
        return lines;
    }
}
