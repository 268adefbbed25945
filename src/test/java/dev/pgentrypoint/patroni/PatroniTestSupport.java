package dev.pgentrypoint.patroni;

import dev.pgentrypoint.config.Configuration;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.database.InitScripts;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A valid Patroni-mode environment in a temp dir, and the beans built from it. */
abstract class PatroniTestSupport {
    @TempDir
    Path dir;
    final Map<String, String> env = new HashMap<>();
    final List<String> args = new ArrayList<>();

    @BeforeEach
    void validEnvironment() throws IOException {
        Files.createDirectories(dir.resolve("config"));
        env.put("PATH", System.getenv("PATH"));
        env.put("HOSTNAME", "node1");
        env.put("STARTUP_MODE", "patroni");
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("PGPORT", "5433");
        env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
        env.put("CONFIG_DIR", dir.resolve("config").toString());
        env.put("POSTGRES_PASSWORD", "super-secret");
        env.put("PATRONI_SCOPE", "demo");
        env.put("PATRONI_NAME", "node1");
        env.put("PATRONI_ETCD3_HOSTS", "etcd1:2379,etcd2:2379");
        env.put("PATRONI_REPLICATION_PASSWORD", "replication-secret");
    }

    Settings settings() {
        return new Settings(env, args, dir);
    }

    Optional<PgBinaries> binaries() {
        return Optional.of(PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"))
                .orElseThrow(() -> new AssertionError("the tests need PostgreSQL binaries")));
    }

    Configuration configuration(Settings settings) {
        return new Configuration(settings, binaries(), new Privileges("postgres"), Map::of);
    }

    PatroniConfig config() {
        Settings settings = settings();
        return new PatroniConfig(settings, configuration(settings), binaries());
    }

    Patroni patroni() {
        Settings settings = settings();
        Database database = new Database(settings, new DataDirectory(settings.pgdataPath()), binaries());
        return new Patroni(settings, configuration(settings), database, new InitScripts(settings, database),
                binaries(), Clock.systemUTC());
    }

    /** The errors of a validation, as "subject: message". */
    List<String> errors() {
        ValidationReport report = new ValidationReport().begin();
        patroni().validate(report);
        return report.errors().stream().map(ValidationError::toString).toList();
    }

    List<String> warnings() {
        ValidationReport report = new ValidationReport().begin();
        patroni().validate(report);
        return report.warnings();
    }
}
