package dev.pgentrypoint.health;

import dev.pgentrypoint.os.PostmasterPid;
import dev.pgentrypoint.patroni.PatroniHealth;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import dev.pgentrypoint.state.StateRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code pg-entrypoint healthcheck [--type=...]}: exit 0 when healthy, 1 with one line of reason
 * otherwise. Runs the same checks as the HTTP endpoint directly, without a Camel context: the state
 * comes from STATE_FILE, the supervised postmaster from postmaster.pid (its parent must be the
 * entrypoint recorded in STATE_FILE), and in Patroni mode the member's REST API from STATE_FILE's facts.
 */
public final class HealthCheckCli {
    static final Set<String> TYPES = Set.of("alive", "state", "process", "connectivity", "disk", "patroni", "backup", "all");
    static final String USAGE = """
            Usage: pg-entrypoint healthcheck [--type=TYPE]

            Runs the health checks of the entrypoint that writes STATE_FILE, the same as GET /observe/health,
            without an HTTP request. Prints one line: healthy: ... or unhealthy: ... naming the check.
            Exit codes: 0 every selected check is up, 1 otherwise.

            --type=TYPE  all (default, all seven checks) or one check: alive (liveness), state, process,
                         connectivity, disk, patroni (readiness), backup
            --help, -h   this text

            Variables: the entrypoint's own (same values as the entrypoint's): STATE_FILE, PGDATA, PGPORT,
            PG_SOCKET_DIR, STARTUP_MODE, HEALTH_DISK_MIN_FREE, BACKUP_ENABLED.
            Docs: docs/operations.md (health checks)""";

    private HealthCheckCli() {
    }

    public static void main(String[] args) {
        String type = "all";
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (arg.startsWith("--type=") && TYPES.contains(arg.substring(7))) {
                type = arg.substring(7);
            } else {
                System.out.println("unhealthy: unknown argument " + arg + " (use --type=alive|state|process|connectivity|disk|patroni|backup|all, or --help)");
                System.exit(1);
            }
        }
        Settings settings = new Settings(System.getenv(), List.of(), Path.of("."));
        Optional<StateRecord> record = StateMachine.read(settings.stateFile());
        boolean patroni = settings.startupMode() == StartupMode.PATRONI;
        HealthChecks checks = HealthChecks.of(settings, () -> record.map(StateRecord::state).orElse(null),
                () -> ourPostmaster(settings.pgdataPath(), record, patroni),
                () -> patroni ? PatroniHealth.fromStateFile(settings.stateFile(), Clock.systemUTC()) : Optional.empty());
        HealthChecks.Report report = type.equals("all") ? checks.evaluate(HealthChecks.Probe.ALL) : checks.evaluate(type);
        System.out.println((report.up() ? "healthy: " : report.status().equals("DEGRADED") ? "degraded: " : "unhealthy: ")
                + report.oneLine() + " " + instance(settings, record));
        System.exit(report.up() ? 0 : 1);
    }

    /** Which instance was checked: "[PGDATA=... STATE_FILE=...]", with "(missing)" when no entrypoint wrote it. */
    static String instance(Settings settings, Optional<StateRecord> record) {
        return "[PGDATA=" + settings.pgdataPath() + " STATE_FILE=" + settings.stateFile()
                + (record.isEmpty() ? " (missing)" : "") + "]";
    }

    /**
     * The postmaster of PGDATA when it belongs to the entrypoint of STATE_FILE: its child, or in Patroni
     * mode (Patroni runs the postmaster detached) while the entrypoint's Patroni child runs.
     */
    static OptionalLong ourPostmaster(Path pgdata, Optional<StateRecord> record, boolean patroni) {
        if (record.isEmpty() || record.get().state() == State.STOPPED || record.get().state() == State.ERROR) {
            return OptionalLong.empty();
        }
        try {
            OptionalLong named = PostmasterPid.pidOf(pgdata);
            if (named.isEmpty()) {
                return OptionalLong.empty();
            }
            long pid = named.getAsLong();
            boolean ours = patroni
                    ? ProcessHandle.of(record.get().pid()).map(entrypoint -> entrypoint.children().anyMatch(
                            c -> c.info().commandLine().orElse("").contains("patroni"))).orElse(false)
                    : ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                            .map(parent -> parent.pid() == record.get().pid()).orElse(false);
            return ours ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
