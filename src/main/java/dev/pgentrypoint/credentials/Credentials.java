package dev.pgentrypoint.credentials;

import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Module credentials: on an existing cluster, POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB are
 * compared with what the cluster holds, since initdb read them only once. A difference is logged
 * (never the passwords); with {@code POSTGRES_PASSWORD_SYNC=true} the role's password is set to the
 * variable's over the socket of the temporary server, before TCP is open.
 */
public final class Credentials {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.credentials");
    /** One line: the role's stored password (empty when none, {@code <no role>} when the role is missing) and whether POSTGRES_DB exists. */
    static final String QUERY = "SELECT coalesce((SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = :'u'), "
            + "'<no role>') || '|' || (SELECT count(*) FROM pg_database WHERE datname = :'d');\n";

    private final Settings settings;
    private final DataDirectory data;
    private final Database database;
    private final SecureRandom random = new SecureRandom();
    private volatile Boolean existedAtStart;
    private volatile boolean mismatch;
    private volatile boolean checked;

    public Credentials(Settings settings, DataDirectory data, Database database) {
        this.settings = settings;
        this.data = data;
        this.database = database;
    }

    public void validate(ValidationReport report) {
        existedAtStart = !data.needsInit();
        if (!settings.isBooleanOrUnset("POSTGRES_PASSWORD_SYNC")) {
            report.invalid("POSTGRES_PASSWORD_SYNC", "use true (set the superuser's password to POSTGRES_PASSWORD at each "
                    + "start) or false (default: only warn when they differ)");
        } else if (sync() && settings.password().isEmpty()) {
            report.invalid("POSTGRES_PASSWORD_SYNC", "is true but no password is given: set POSTGRES_PASSWORD or "
                    + "POSTGRES_PASSWORD_FILE, or unset POSTGRES_PASSWORD_SYNC");
        }
    }

    boolean sync() {
        return settings.flag("POSTGRES_PASSWORD_SYNC");
    }

    /** Whether the cluster existed before this start, so its credentials may differ from the environment. */
    private boolean existing() {
        return Boolean.TRUE.equals(existedAtStart) && settings.startupMode() != StartupMode.PATRONI;
    }

    /** Init phase: POSTGRES_PASSWORD_SYNC=true on an existing cluster: check and set through a socket-only server. */
    public boolean syncNeeded() {
        return existing() && sync() && settings.password().isPresent();
    }

    /** Runtime: the check without sync, after the server is up (it only warns). */
    public boolean checkNeeded() {
        return existing() && !checked;
    }

    /** {@code setsid} arguments of psql reading {@link #QUERY} from its input, over the socket. */
    public List<String> queryArgs() throws IOException {
        return database.socketPsql("template1", "u=" + settings.superuser(), "d=" + settings.database());
    }

    public String queryInput() {
        return QUERY;
    }

    /**
     * Compares the query's answer with the environment and logs what differs, without any password.
     * A psql that could not connect is reported too: it usually means POSTGRES_USER changed.
     */
    public void inspect(String output, Integer exitValue) {
        checked = true;
        String user = settings.superuser();
        if (exitValue == null || exitValue != 0 || output == null || !output.strip().contains("|")) {
            LOG.warn("cannot read the credentials of role \"{}\" (psql exit {}): if POSTGRES_USER changed since the "
                    + "database was initialized, note that it is read only then; the cluster keeps its roles", user,
                    exitValue);
            return;
        }
        String line = output.strip();
        String stored = line.substring(0, line.lastIndexOf('|'));
        boolean dbExists = !line.substring(line.lastIndexOf('|') + 1).trim().equals("0");
        if ("<no role>".equals(stored)) {
            LOG.warn("POSTGRES_USER={} names no role of this cluster: it is read only when the database is initialized. "
                    + "Set it back to the superuser created then, or create the role", user);
        } else {
            Optional<String> password = settings.password();
            mismatch = password.isPresent() && (stored.isEmpty() || !PasswordVerifier.matches(stored, user, password.get()));
            if (mismatch && !sync()) {
                LOG.warn("POSTGRES_PASSWORD does not match the password of role \"{}\": the variable is read only when "
                        + "the database is initialized, so logins need the role's own password. Set "
                        + "POSTGRES_PASSWORD_SYNC=true to set it to the variable's, or change it with ALTER ROLE", user);
            }
        }
        if (!dbExists) {
            LOG.warn("POSTGRES_DB={} names no database of this cluster: it is read only when the database is initialized. "
                    + "Create it or set POSTGRES_DB back", settings.database());
        }
    }

    public boolean mismatch() {
        return mismatch;
    }

    /** ALTER ROLE with a SCRAM-SHA-256 verifier: the plain password reaches neither argv nor the server. */
    public String syncInput() {
        return "ALTER ROLE :\"u\" PASSWORD '" + PasswordVerifier.scram(settings.password().orElseThrow(), random) + "';\n";
    }

    public void synced() {
        mismatch = false;
        LOG.info("the password of role \"{}\" was set to POSTGRES_PASSWORD (POSTGRES_PASSWORD_SYNC=true)",
                settings.superuser());
        Audit.event("password-sync", Map.of("role", settings.superuser(), "method", "scram-sha-256"));
    }

    public List<String> plan() {
        if (!existing()) {
            return List.of("no check: a new cluster takes POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB from initdb");
        }
        return syncNeeded()
                ? List.of("compare the password of role " + settings.superuser() + " with POSTGRES_PASSWORD over the socket "
                        + "of a temporary server; when it differs, ALTER ROLE with a SCRAM-SHA-256 verifier (audit event)")
                : List.of("after the start: warn when POSTGRES_PASSWORD, POSTGRES_USER or POSTGRES_DB differ from the cluster");
    }
}
