package dev.pgentrypoint.collation;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Module collation: PostgreSQL records the collation version (the C library's or ICU's) of each
 * collation created with CREATE COLLATION, and from 15 on of each database's default collation. At
 * each start the recorded versions are compared with what the libraries of this image report, in
 * every database that accepts connections; a collation whose version changed may have left indexes
 * on text corrupt. It is named in a warning with the commands that fix it, counted in a metric and
 * reported by the {@code collation} health check; {@code COLLATION_DRIFT=refuse} refuses to start
 * instead, checked before TCP is open. Two psql runs: the databases (and, from 15 on, their default
 * collations' drift) in template1, then each database's created collations.
 */
public final class CollationDrift {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.collation");
    /** Lines {@code name|recorded|actual}: databases whose default collation's version differs (15 and later). */
    static final String DATABASES_QUERY = "SELECT datname || '|' || coalesce(datcollversion, '') || '|' || "
            + "coalesce(pg_database_collation_actual_version(oid), '') FROM pg_database "
            + "WHERE datallowconn AND datcollversion IS DISTINCT FROM pg_database_collation_actual_version(oid) "
            + "ORDER BY datname;\n";
    /** Lines {@code connect|name}: the databases whose created collations are compared next. */
    static final String CONNECT_QUERY = "SELECT 'connect|' || datname FROM pg_database WHERE datallowconn ORDER BY datname;\n";
    /**
     * Lines {@code collation|database|schema.name|recorded|actual}: collations created with CREATE COLLATION
     * (the first normal object id on; not the ones initdb imported) whose version differs.
     */
    static final String COLLATIONS_QUERY = "SELECT 'collation|' || current_database() || '|' || quote_ident(n.nspname) "
            + "|| '.' || quote_ident(c.collname) || '|' || c.collversion || '|' || "
            + "coalesce(pg_collation_actual_version(c.oid), '') FROM pg_collation c "
            + "JOIN pg_namespace n ON n.oid = c.collnamespace WHERE c.oid >= 16384 AND c.collversion IS NOT NULL "
            + "AND c.collversion IS DISTINCT FROM pg_collation_actual_version(c.oid) ORDER BY 1;\n";
    /** The oldest major whose pg_collation records versions and has pg_collation_actual_version. */
    static final int OLDEST = 10;

    private final Settings settings;
    private final DataDirectory data;
    private final Optional<PgBinaries> binaries;
    private final Database database;
    private volatile Boolean existedAtStart;
    private volatile boolean checked;
    private volatile List<Drift> drifts = List.of();
    private volatile String failure = "";
    private volatile List<String> databases = List.of();
    private volatile List<Drift> databaseDrifts = List.of();
    private volatile String databasesFailure = "";

    public CollationDrift(Settings settings, DataDirectory data, Optional<PgBinaries> binaries, Database database) {
        this.settings = settings;
        this.data = data;
        this.binaries = binaries;
        this.database = database;
    }

    String mode() {
        return settings.raw("COLLATION_DRIFT").orElse("warn").toLowerCase(Locale.ROOT);
    }

    public void validate(ValidationReport report) {
        existedAtStart = !data.needsInit();
        if (!List.of("warn", "refuse").contains(mode())) {
            report.invalid("COLLATION_DRIFT", "'" + mode() + "' is not supported: use warn (default) or refuse");
        }
    }

    private boolean applies() {
        return Boolean.TRUE.equals(existedAtStart) && settings.startupMode() != StartupMode.PATRONI
                && major() >= OLDEST;
    }

    private int major() {
        return binaries.flatMap(PgBinaries::majorVersion).orElse(0);
    }

    /** Init phase: COLLATION_DRIFT=refuse, checked on the temporary socket-only server. */
    public boolean refuseCheckNeeded() {
        return applies() && "refuse".equals(mode());
    }

    /** Runtime: the check that only warns, once the server is up. */
    public boolean checkNeeded() {
        return applies() && !checked;
    }

    /** {@code setsid} arguments of psql reading {@link #QUERY} from its input, over the socket. */
    public List<String> queryArgs() throws IOException {
        return database.socketPsql("template1");
    }

    /** The first psql run's input, in template1: the databases and, from 15 on, their default collations' drift. */
    public String queryInput() {
        return (major() >= 15 ? DATABASES_QUERY : "") + CONNECT_QUERY;
    }

    /** The first run's answer: the databases to look into, and the drifted default collations. */
    public void databases(String output, Integer exitValue) {
        databases = List.of();
        databaseDrifts = List.of();
        databasesFailure = "";
        if (exitValue == null || exitValue != 0) {
            databasesFailure = "psql exit " + exitValue;
            return;
        }
        List<String> names = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            if (line.startsWith("connect|")) {
                names.add(line.substring("connect|".length()));
            }
        }
        databases = List.copyOf(names);
        databaseDrifts = parse(output);
    }

    /** The second psql run's input: in each database, its created collations whose version differs. */
    public String collationScript() {
        StringBuilder script = new StringBuilder();
        for (String name : databases) {
            script.append("\\connect -reuse-previous=on ").append(connectArgument(name)).append('\n')
                    .append(COLLATIONS_QUERY);
        }
        return script.toString();
    }

    /** {@code dbname='...'} for psql's \connect: a conninfo value in single quotes, itself quoted for psql. */
    static String connectArgument(String database) {
        String conninfo = "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
        return "'" + conninfo.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * The second run's answer, with the first's: logs every drift with its fix; with
     * COLLATION_DRIFT=refuse, ends the start.
     */
    public void inspect(String output, Integer exitValue) {
        String why = !databasesFailure.isEmpty() ? databasesFailure
                : exitValue == null || exitValue != 0 ? "psql exit " + exitValue : "";
        if (!why.isEmpty()) {
            LOG.warn("cannot compare the collation versions ({}); see the credentials warning, if any", why);
        }
        List<Drift> found = new ArrayList<>(databaseDrifts);
        if (exitValue != null && exitValue == 0) {
            found.addAll(parse(output));
        }
        drifts = List.copyOf(found);
        failure = why;
        databaseDrifts = List.of();
        databasesFailure = "";
        checked = true;
        for (Drift drift : found) {
            LOG.warn("collation drift in {}: created with collation version {}, the libraries now report {}. "
                    + "Indexes on text may be corrupt: connect to it and run {}; then {}", drift.what(),
                    Drift.shown(drift.recorded()), Drift.shown(drift.actual()), drift.fixes().get(0), drift.fixes().get(1));
        }
        if (!found.isEmpty() && "refuse".equals(mode())) {
            throw new EntrypointException("init-collation-main", ExitCode.INVALID_INPUT, "COLLATION_DRIFT=refuse: the "
                    + "collation version of database(s) " + String.join(", ", drifted()) + " changed (see the warnings above); "
                    + "start with COLLATION_DRIFT=warn, REINDEX and REFRESH COLLATION VERSION, then restart");
        }
    }

    /** Drifts in psql's answer: {@code name|recorded|actual} (a database) and {@code collation|db|name|recorded|actual}. */
    private static List<Drift> parse(String output) {
        List<Drift> found = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            String[] parts = line.split("\\|", -1);
            if (parts.length == 3) {
                found.add(new Drift(parts[0], parts[1], parts[2]));
            } else if (parts.length == 5 && parts[0].equals("collation")) {
                found.add(new Drift(parts[1], parts[2], parts[3], parts[4]));
            }
        }
        return found;
    }

    /** Names of the databases with a drift found at this start. */
    public List<String> drifted() {
        return drifts.stream().map(Drift::database).distinct().toList();
    }

    /** What the check of this start found; empty before it ran (or when it does not apply). */
    public Optional<Findings> findings() {
        return checked ? Optional.of(new Findings(drifts, failure)) : Optional.empty();
    }

    /** The drifted databases, or why the versions could not be compared ({@code failure} not empty). */
    public record Findings(List<Drift> drifts, String failure) {
    }

    /** {@code pg_entrypoint_collation_drift_databases}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("pg_entrypoint_collation_drift_databases", this, c -> c.checked ? c.drifted().size() : Double.NaN)
                .description("Databases with a collation (their default, or one created in them) whose version differs "
                        + "from the one recorded at its creation; NaN before the check").register(registry);
    }

    public List<String> plan() {
        if (!applies()) {
            return List.of("no check: a new cluster, Patroni mode, or PostgreSQL before " + OLDEST
                    + " (no recorded collation version)");
        }
        return List.of("compare the recorded collation versions with the libraries' ("
                + (major() >= 15 ? "each database's default collation and " : "")
                + "the collations created with CREATE COLLATION in each database; "
                + ("refuse".equals(mode()) ? "on a temporary socket-only server; a drift refuses the start"
                : "after the start; a drift is a warning") + ")");
    }
}
