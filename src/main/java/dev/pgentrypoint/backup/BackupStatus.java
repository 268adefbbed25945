package dev.pgentrypoint.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.json.Mappers;
import dev.pgentrypoint.lifecycle.Failures;
import dev.pgentrypoint.os.AtomicFiles;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts of backups: whether the stanza and {@code pgbackrest check} are fine, the outcome of
 * the last backup, and the guard that lets one backup run at a time. Every change is written to
 * {@link BackupSettings#statusFile()} for the backup health check, and exported as
 * {@code pg_entrypoint_backup_*} meters.
 */
public final class BackupStatus {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.backup");
    private static final Pattern LABEL = Pattern.compile("new backup label = (\\S+)");

    private final BackupSettings backup;
    private final StateMachine state;
    private final Clock clock;
    private String runningExchange;
    private String runningType = "";
    /** The repository the running backup goes to; 0 for pgBackRest's default (repo1). */
    private int runningRepo;
    private Instant runningSince;
    private volatile boolean setUp;
    private volatile boolean standby;
    private static final String NOT_CHECKED = "not checked yet";
    private volatile String setupProblem = NOT_CHECKED;
    private volatile Instant lastSuccess;
    private volatile double lastDurationSeconds = Double.NaN;
    private volatile String lastLabel = "";
    private volatile String lastError = "";
    private volatile MeterRegistry registry;
    private final BackupWatch watch;

    public BackupStatus(BackupSettings backup, StateMachine state, Clock clock) {
        this.watch = new BackupWatch(backup, clock);
        this.backup = backup;
        this.state = state;
        this.clock = clock;
    }

    /** Registers the backup meters; runs are counted from then on. */
    public void bindTo(MeterRegistry meters) {
        Gauge.builder("pg_entrypoint_backup_last_success_timestamp_seconds", this,
                        b -> b.lastSuccess == null ? Double.NaN : b.lastSuccess.toEpochMilli() / 1000.0)
                .description("Unix time the last successful backup ended").baseUnit("seconds").register(meters);
        Gauge.builder("pg_entrypoint_backup_last_duration_seconds", this, b -> b.lastDurationSeconds)
                .description("Seconds the last successful backup took").baseUnit("seconds").register(meters);
        Gauge.builder("pg_entrypoint_backup_ready", this, b -> b.setUp ? 1 : b.setupProblem.equals(NOT_CHECKED) ? Double.NaN : 0)
                .description("1 when the stanza exists and pgbackrest check passed, 0 when that failed").register(meters);
        Gauge.builder("pg_entrypoint_backup_verify_last_success_timestamp_seconds", this,
                        b -> b.lastVerify == null ? Double.NaN : b.lastVerify.toEpochMilli() / 1000.0)
                .description("Unix time the last successful pgbackrest verify ended").baseUnit("seconds").register(meters);
        registry = meters;
        watch.bindTo(meters);
    }

    private volatile Instant verifyStarted;
    private volatile Instant lastVerify;

    /**
     * Starts a scheduled {@code pgbackrest verify}; {@code inRecovery} is the answer of
     * {@code SELECT pg_is_in_recovery()}: only the primary verifies, so a cluster reads its repositories once.
     *
     * @return whether to run it
     */
    public boolean verifyBegin(String inRecovery) {
        if (!"f".equals(String.valueOf(inRecovery).strip())) {
            LOG.debug("verify skipped: the server is a standby");
            return false;
        }
        verifyStarted = clock.instant();
        return true;
    }

    /** {@code pgbackrest verify} passed. */
    public void verified() {
        lastVerify = clock.instant();
        countVerify("success");
        LOG.info("verify passed seconds={}", String.format(Locale.ROOT, "%.1f",
                Duration.between(verifyStarted, lastVerify).toMillis() / 1000.0));
    }

    /** {@code pgbackrest verify} failed or could not run: logged at WARN and counted. */
    public void verifyFailed(Exchange exchange) {
        countVerify("failure");
        LOG.warn("verify failed: {}", reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    private void countVerify(String outcome) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("pg_entrypoint_backup_verify_runs").tag("outcome", outcome)
                    .description("Runs of pgbackrest verify by outcome (success, failure)").register(meters).increment();
        }
    }

    /** Whether the watch routes should ask the server and the repositories now: the server is RUNNING. */
    public boolean serving() {
        return state.current() == State.RUNNING;
    }

    /** A row of {@code pg_stat_archiver} (the body); the health check's facts are written again. */
    public void observeArchiver(String row) {
        watch.observeArchiver(row);
        write();
    }

    /** The output of {@code pgbackrest info --output=json} (the body): each repository reachable or not, its newest backups. */
    public void observeInfo(String json) {
        watch.observeInfo(json, backup.stanza());
        write();
    }

    /** {@code pgbackrest info} failed: every repository counts as unreachable with that reason. */
    public void infoFailed(Exchange exchange) {
        watch.infoFailed(reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
        write();
    }

    private void count(String type, String outcome) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("pg_entrypoint_backup_runs").tag("type", type).tag("outcome", outcome)
                    .description("Backup runs by type and outcome (success, failure, skipped)").register(meters).increment();
        }
    }

    /** A backup that did not run, for a reason that is not a failure (another one runs, not a primary, not running). */
    static final class Skipped extends RuntimeException {
        Skipped(String reason) {
            super(reason);
        }
    }

    /**
     * Starts a backup of {@code type} for this exchange; returns the type.
     *
     * @throws Skipped when the server is not running or another backup runs
     */
    public synchronized String begin(String type, Exchange exchange) {
        String spec = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
        int colon = spec.indexOf(':');
        String t = colon < 0 ? spec : spec.substring(0, colon);
        if (!BackupSettings.TYPES.contains(t)) {
            throw new IllegalArgumentException("unknown backup type '" + type + "': use full, diff or incr");
        }
        int repo = colon < 0 ? 0 : backup.repository(spec.substring(colon + 1));
        if (state.current() != State.RUNNING) {
            throw new Skipped(t + " backup skipped: the server is not running (state " + state.current() + ")");
        }
        if (runningExchange != null) {
            throw new Skipped(t + " backup skipped: another backup (" + runningType + ") runs since " + runningSince);
        }
        runningExchange = exchange.getExchangeId();
        runningType = t;
        runningRepo = repo;
        runningSince = clock.instant();
        write();
        return t;
    }

    /** The repository the running backup goes to ({@code <type>:<N>} given to {@link #begin}); 0 for pgBackRest's default. */
    public synchronized int runningRepository() {
        return runningRepo;
    }

    /** Continues only on a primary; {@code inRecovery} is the answer of {@code SELECT pg_is_in_recovery()}. */
    public void requirePrimary(String inRecovery) {
        if (!"f".equals(inRecovery.strip())) {
            throw new Skipped(runningType + " backup skipped: the server is a standby (in recovery); backups run on the primary only");
        }
    }

    public boolean isSetUp() {
        return setUp;
    }

    /**
     * Records whether the server is a standby from the answer of {@code SELECT pg_is_in_recovery()} in
     * the body, and sets the exchange variable {@code standby} for the route to branch on.
     */
    public void recordRole(Exchange exchange) {
        standby = "t".equals(String.valueOf(exchange.getIn().getBody(String.class)).strip());
        exchange.setVariable("standby", standby);
        write();
    }

    public void setupSucceeded() {
        setUp = true;
        standby = false;
        setupProblem = "";
        write();
    }

    /**
     * The stanza or {@code pgbackrest check} failed after PostgreSQL came up. With
     * {@code BACKUP_REQUIRED=true} the start fails with exit 2; otherwise the entrypoint keeps
     * serving and the backup health check reports the reason.
     */
    public void setupFailed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(e);
        setUp = false;
        setupProblem = reason;
        write();
        if (backup.required()) {
            throw new EntrypointException("runtime-backup-start", ExitCode.INIT_FAILED, "pgBackRest is not usable and "
                    + "BACKUP_REQUIRED=true: " + reason, e);
        }
        LOG.warn("pgBackRest is not usable; serving without backups until a scheduled backup succeeds: {}", reason);
    }

    /** The backup of this exchange succeeded; the body becomes the one-line outcome. */
    public synchronized void succeeded(Exchange exchange) {
        String output = exchange.getIn().getBody(String.class);
        Matcher m = LABEL.matcher(output == null ? "" : output);
        lastLabel = m.find() ? m.group(1) : "";
        lastSuccess = clock.instant();
        lastDurationSeconds = Duration.between(runningSince, lastSuccess).toMillis() / 1000.0;
        lastError = "";
        count(runningType, "success");
        String outcome = String.format(Locale.ROOT, "ok type=%s%s label=%s seconds=%.1f", runningType,
                runningRepo > 0 ? " repo=" + runningRepo : "", lastLabel, lastDurationSeconds);
        release(exchange);
        exchange.getIn().setBody(outcome);
        LOG.info("backup done {}", outcome.substring(3));
    }

    /** Error policy of the backup routes: a skip is logged, a failure recorded; the entrypoint goes on. */
    public synchronized void failed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String type = runningExchange != null && runningExchange.equals(exchange.getExchangeId()) ? runningType
                : String.valueOf(exchange.getIn().getBody());
        String outcome;
        if (e instanceof Skipped) {
            count(type, "skipped");
            outcome = e.getMessage();
            LOG.info("{}", e.getMessage());
        } else {
            lastError = reason(e);
            count(type, "failure");
            outcome = "failed: " + type + " backup: " + lastError;
            LOG.warn("{}", outcome);
        }
        release(exchange);
        exchange.getIn().setBody(outcome);
    }

    private void release(Exchange exchange) {
        if (runningExchange != null && runningExchange.equals(exchange.getExchangeId())) {
            runningExchange = null;
            runningType = "";
            runningSince = null;
        }
        write();
    }

    /** One line: the message, or for a command its exit value and the end of its output. */
    static String reason(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        String text = Failures.reason(e).strip().replaceAll("\\s*\n\\s*", "; ");
        return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
    }

    /** Healthy when the stanza and check passed (or this is a standby) and the last backup, if any, did not fail. */
    public boolean healthy() {
        return (setUp || standby) && lastError.isEmpty();
    }

    /** The backup health: DOWN (not usable, last backup failed), DEGRADED (see {@link BackupWatch#degradation}) or UP. */
    public Health health() {
        if (!setUp && standby) {
            return new Health(Health.UP, "standby: the stanza is checked and backups run on the primary");
        }
        if (!setUp) {
            return new Health(Health.DOWN, "pgBackRest is not usable: " + setupProblem);
        }
        if (!lastError.isEmpty()) {
            return new Health(Health.DOWN, "last backup failed: " + lastError);
        }
        return watch.degradation(lastSuccess).map(reason -> new Health(Health.DEGRADED, reason))
                .orElseGet(() -> new Health(Health.UP, "stanza " + backup.stanza() + " ok" + (lastSuccess == null
                        ? ", no backup yet" : ", last backup " + lastLabel + " at " + lastSuccess)));
    }

    /** The backup health: {@link #UP}, {@link #DEGRADED} (serving, but backups are at risk) or {@link #DOWN}, and why. */
    public record Health(String status, String reason) {
        public static final String UP = "UP";
        public static final String DEGRADED = "DEGRADED";
        public static final String DOWN = "DOWN";
    }

    /** The JSON object of the status file, one line (the repository facts of {@link BackupWatch} follow). */
    record StatusFile(Boolean healthy, String status, String reason, String running,
            @JsonProperty("last_success_epoch_seconds") Long lastSuccessEpochSeconds,
            @JsonProperty("last_duration_seconds") Double lastDurationSeconds,
            @JsonProperty("last_label") String lastLabel, @JsonProperty("last_error") String lastError) {
    }

    private synchronized void write() {
        Map<String, Object> record = new LinkedHashMap<>();
        Health health = health();
        record.put("healthy", health.status().equals(Health.UP));
        record.put("status", health.status());
        record.put("reason", health.reason());
        record.put("running", runningType);
        record.put("last_success_epoch_seconds", lastSuccess == null ? null : lastSuccess.getEpochSecond());
        record.put("last_duration_seconds", Double.isNaN(lastDurationSeconds) ? null : lastDurationSeconds);
        record.put("last_label", lastLabel);
        record.put("last_error", lastError);
        record.putAll(watch.facts());
        Path file = backup.statusFile();
        try {
            AtomicFiles.write(file, Mappers.json().writeValueAsString(record) + "\n");
        } catch (IOException e) {
            LOG.warn("cannot write the backup status {}: {}", file, e.getMessage());
        }
    }

    /** The health recorded in a status file, for the health check. */
    public static Health readHealth(Path statusFile) {
        try {
            StatusFile json = Mappers.json().readValue(statusFile.toFile(), StatusFile.class);
            if (json == null) {
                throw new IOException("empty");
            }
            return new Health(json.status() != null ? json.status() : Boolean.TRUE.equals(json.healthy()) ? Health.UP
                    : Health.DOWN, String.valueOf(json.reason()));
        } catch (IOException e) {
            return new Health(Health.DOWN, "no backup status in " + statusFile
                    + ": backups are off or the entrypoint is not running");
        }
    }
}
