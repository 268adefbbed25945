package dev.pgentrypoint.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.collation.CollationDrift;
import dev.pgentrypoint.json.Mappers;
import dev.pgentrypoint.patroni.PatroniHealth;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.state.State;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health checks of the entrypoint, grouped into the probes of Camel Main's paths: all checks,
 * liveness ("alive": the entrypoint itself) and readiness (RUNNING, postmaster ready and ours,
 * accepting connections, disk space, Patroni); backups are in "all" only, as a server without
 * backups still serves. The HTTP endpoint and the CLI use the same checks.
 */
public final class HealthChecks {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.health");
    static final long CONNECT_TIMEOUT_MILLIS = 1000;

    /** Which checks a probe runs. */
    public enum Probe { ALL, LIVE, READY }

    private final List<Check> checks;
    private final Map<String, CheckResult> latest = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSuccess = new ConcurrentHashMap<>();
    private final List<java.util.function.BiConsumer<String, Boolean>> transitionListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    HealthChecks(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /**
     * The checks as the running entrypoint sees them: its state machine, its postmaster (supervised
     * directly, or run by the supervised Patroni) and, in Patroni mode, the member's REST API.
     */
    public static HealthChecks of(Settings settings, Supplier<State> state, Supplier<OptionalLong> supervisedPid,
            Supplier<Optional<PatroniHealth>> patroni) {
        List<Path> disks = new ArrayList<>(List.of(settings.pgdataPath()));
        settings.walDir().map(Path::of).ifPresent(disks::add);
        return new HealthChecks(List.of(
                new StateCheck(state, false),
                new StateCheck(state, true),
                new ProcessCheck(settings.pgdataPath(), supervisedPid),
                new ConnectivityCheck(settings.socketDir(), settings.port(), settings.superuser(), CONNECT_TIMEOUT_MILLIS),
                new DiskCheck(disks, DiskCheck.Threshold.parseOrDefault(settings.healthDiskMinFree())),
                new PatroniCheck(settings.startupMode(), patroni),
                new BackupCheck(new BackupSettings(settings))));
    }

    /**
     * These checks and {@code collation}: the drift the running entrypoint found at this start (not in
     * the healthcheck command, which has no running entrypoint to ask).
     */
    public HealthChecks withCollation(Supplier<Optional<CollationDrift.Findings>> findings) {
        List<Check> more = new ArrayList<>(checks);
        more.add(new CollationCheck(findings));
        return new HealthChecks(more);
    }

    public List<String> names() {
        return checks.stream().map(Check::name).toList();
    }

    /** Runs the checks of a probe. */
    public Report evaluate(Probe probe) {
        return run(checks.stream().filter(c -> probe == Probe.ALL || probe == Probe.LIVE && c.liveness()
                || probe == Probe.READY && c.readiness()).toList());
    }

    /** Runs one check by name. */
    public Report evaluate(String name) {
        return run(checks.stream().filter(c -> c.name().equals(name)).toList());
    }

    private Report run(List<Check> selected) {
        List<CheckResult> results = new ArrayList<>();
        for (Check check : selected) {
            CheckResult result;
            try {
                result = check.check();
            } catch (RuntimeException e) {
                result = CheckResult.down(check.name(), "check failed: " + e);
            }
            record(result);
            results.add(result);
        }
        return new Report(results);
    }

    private void record(CheckResult result) {
        CheckResult before = latest.put(result.name(), result);
        if (result.up()) {
            lastSuccess.put(result.name(), System.currentTimeMillis());
        }
        if (before != null && !before.status().equals(result.status())) {
            if (result.up()) {
                LOG.info("check={} status=UP {}", result.name(), result.message());
            } else {
                LOG.warn("check={} status={} {}", result.name(), result.status(), result.message());
            }
            transitionListeners.forEach(l -> l.accept(result.name(), result.up()));
        }
    }

    /** Called with (check, up) each time a check changes between up and down. */
    public void onTransition(java.util.function.BiConsumer<String, Boolean> listener) {
        transitionListeners.add(listener);
    }

    /** For the periodic route: runs every check so the health metrics stay current. */
    public void poll() {
        evaluate(Probe.ALL);
    }

    /** 1 when the last run of the check was up, 0 when down, NaN before its first run. */
    public double status(String name) {
        CheckResult r = latest.get(name);
        return r == null ? Double.NaN : r.up() ? 1 : 0;
    }

    /** Epoch seconds of the last successful run of the check, NaN if none. */
    public double lastSuccessSeconds(String name) {
        Long millis = lastSuccess.get(name);
        return millis == null ? Double.NaN : millis / 1000.0;
    }

    /** The outcome of a probe. */
    public record Report(List<CheckResult> results) {
        public boolean up() {
            return results.stream().allMatch(CheckResult::up);
        }

        /** {@code UP}; {@code DEGRADED} when every failing check is only degraded; else {@code DOWN}. */
        public String status() {
            return up() ? "UP" : results.stream().allMatch(r -> r.up() || r.degraded()) ? "DEGRADED" : "DOWN";
        }

        /** The first failing check's reason, or a summary when all are up. */
        public String oneLine() {
            return results.stream().filter(r -> !r.up()).findFirst()
                    .map(r -> r.name() + ": " + r.message())
                    .orElseGet(() -> String.join("; ", results.stream().map(r -> r.name() + ": " + r.message()).toList()));
        }

        public String json() {
            List<CheckJson> checks = results.stream()
                    .map(r -> new CheckJson(r.name(), r.status(), r.message(), r.details())).toList();
            try {
                return Mappers.json().writeValueAsString(new ReportJson(status(), Instant.now().toString(), checks));
            } catch (JacksonException e) {
                throw new IllegalStateException("cannot render the health report: " + e.getMessage(), e);
            }
        }
    }

    /** The health report as served at /observe/health: overall status, time, and each check. */
    record ReportJson(String status, String time, List<CheckJson> checks) {
    }

    /** One check of the report; {@code details} only when the check has any. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CheckJson(String name, String status, String message, Map<String, Object> details) {
    }
}
