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
 * Module collation: PostgreSQL (15 and later) records each database's collation version, the C
 * library's or ICU's, when the database is created. At each start the recorded versions are compared
 * with what the libraries of this image report; a database whose version changed may have corrupt
 * indexes on text. It is named in a warning with the commands that fix it, and counted in a metric;
 * {@code COLLATION_DRIFT=refuse} refuses to start instead, checked before TCP is open.
 */
public final class CollationDrift {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.collation");
    /** One line per database whose recorded collation version differs: name|recorded|actual. */
    static final String QUERY = "SELECT datname || '|' || coalesce(datcollversion, '') || '|' || "
            + "coalesce(pg_database_collation_actual_version(oid), '') FROM pg_database "
            + "WHERE datallowconn AND datcollversion IS DISTINCT FROM pg_database_collation_actual_version(oid) "
            + "ORDER BY datname;\n";

    private final Settings settings;
    private final DataDirectory data;
    private final Optional<PgBinaries> binaries;
    private final Database database;
    private volatile Boolean existedAtStart;
    private volatile boolean checked;
    private volatile List<String> drifted = List.of();

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
                && binaries.flatMap(PgBinaries::majorVersion).map(m -> m >= 15).orElse(false);
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
        List<String> args = new ArrayList<>(List.of("/usr/bin/env", "PGHOST=" + settings.socketDir(),
                "PGPORT=" + settings.port(), "PGUSER=" + settings.superuser(), "PGDATABASE=template1",
                "PGCONNECT_TIMEOUT=10"));
        database.pgpass().ifPresent(p -> args.add("PGPASSFILE=" + p));
        args.addAll(List.of(binaries.map(b -> b.tool("psql").toString()).orElse("psql"), "--no-psqlrc", "--no-password",
                "-tAX", "-v", "ON_ERROR_STOP=1", "-f", "-"));
        return args;
    }

    public String queryInput() {
        return QUERY;
    }

    /** The query's answer: logs every drifted database with its fix; with COLLATION_DRIFT=refuse, ends the start. */
    public void inspect(String output, Integer exitValue) {
        checked = true;
        if (exitValue == null || exitValue != 0) {
            LOG.warn("cannot compare the collation versions (psql exit {}); see the credentials warning, if any", exitValue);
            return;
        }
        List<String> found = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            String[] parts = line.split("\\|", -1);
            if (parts.length != 3) {
                continue;
            }
            found.add(parts[0]);
            LOG.warn("collation drift in database \"{}\": created with collation version {}, the libraries now report {}. "
                    + "Indexes on text may be corrupt: connect to it and run REINDEX DATABASE \"{}\"; then ALTER DATABASE "
                    + "\"{}\" REFRESH COLLATION VERSION", parts[0], parts[1].isEmpty() ? "none" : parts[1],
                    parts[2].isEmpty() ? "none" : parts[2], parts[0], parts[0]);
        }
        drifted = List.copyOf(found);
        if (!found.isEmpty() && "refuse".equals(mode())) {
            throw new EntrypointException("init-collation-main", ExitCode.INVALID_INPUT, "COLLATION_DRIFT=refuse: the "
                    + "collation version of database(s) " + String.join(", ", found) + " changed (see the warnings above); "
                    + "start with COLLATION_DRIFT=warn, REINDEX and REFRESH COLLATION VERSION, then restart");
        }
    }

    /** Names of the databases found drifted at this start. */
    public List<String> drifted() {
        return drifted;
    }

    /** {@code pg_entrypoint_collation_drift_databases}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("pg_entrypoint_collation_drift_databases", this, c -> c.checked ? c.drifted.size() : Double.NaN)
                .description("Databases whose collation version differs from the one recorded at their creation; NaN "
                        + "before the check").register(registry);
    }

    public List<String> plan() {
        if (!applies()) {
            return List.of("no check: a new cluster, Patroni mode, or PostgreSQL before 15 (no recorded collation version)");
        }
        return List.of("compare each database's recorded collation version with the libraries' ("
                + ("refuse".equals(mode()) ? "on a temporary socket-only server; a drift refuses the start"
                : "after the start; a drift is a warning") + ")");
    }
}
