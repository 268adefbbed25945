package dev.pgentrypoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresTest {

    private static final Map<String, String> ENV = Map.of("PGDATA", "/srv/pg/data", "PG_BIN_DIR", "/opt/pg/bin");

    private static Postgres postgres(List<String> args) {
        Settings settings = new Settings(ENV, args, Path.of("/opt/pg-entrypoint"));
        return new Postgres(settings, PgBinaries.discover(settings.pgBinDir(), null, Path.of("/nonexistent")));
    }

    private static List<ValidationError> errors(String... args) {
        ValidationReport report = new ValidationReport();
        postgres(List.of(args)).validate(report);
        return report.errors();
    }

    @Test
    void serverCommandAppendsTheUsersArguments() {
        assertEquals(List.of("/opt/pg/bin/postgres", "-D", "/srv/pg/data", "-c", "shared_buffers=256MB", "-N", "50"),
                postgres(List.of("-c", "shared_buffers=256MB", "-N", "50")).serverCommand());
        assertEquals(List.of("/opt/pg/bin/postgres", "-D", "/srv/pg/data"), postgres(List.of()).serverCommand());
    }

    @Test
    void temporaryServerListensOnTheSocketOnly() {
        assertEquals(List.of("/opt/pg/bin/postgres", "-D", "/srv/pg/data", "-c", "listen_addresses=", "-c",
                "work_mem=8MB"), postgres(List.of("-c", "work_mem=8MB")).temporaryServerCommand());
    }

    @Test
    void withoutBinariesThePlainNameIsUsed() {
        Postgres p = new Postgres(new Settings(Map.of(), List.of(), Path.of("/opt")), Optional.empty());
        assertEquals(List.of("postgres", "-D", Settings.DEFAULT_PGDATA), p.serverCommand());
    }

    @Test
    void allowedArgumentsPass() {
        assertEquals(List.of(), errors("-c", "max_connections=20", "-p", "5433", "--work_mem=8MB", "-d", "1"));
    }

    @Test
    void refusedArgumentsSayWhatTheyAreAndWhatToDoInstead() {
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("-D", "/x"), "postgres argument '-D /x' sets the data directory, which the entrypoint takes "
                + "from PGDATA: remove it and set PGDATA=/x instead");
        cases.put(List.of("-D/x"), "postgres argument '-D/x' sets the data directory, which the entrypoint takes "
                + "from PGDATA: remove it and set PGDATA=/x instead");
        cases.put(List.of("--data-directory=/x"), "postgres argument '--data-directory=/x' sets the data directory, "
                + "which the entrypoint takes from PGDATA: remove it and set PGDATA=/x instead");
        cases.put(List.of("-c", "data_directory=/x"), "postgres argument '-c data_directory=/x' sets the data directory, "
                + "which the entrypoint takes from PGDATA: remove it and set PGDATA=/x instead");
        cases.put(List.of("--single"), "postgres argument '--single' starts a single-user backend, not a server the "
                + "entrypoint can supervise: with the server stopped, run it as a command as the postgres user, e.g. "
                + "pg-entrypoint setpriv --reuid=postgres --regid=postgres --init-groups /opt/pg/bin/postgres --single "
                + "-D \"$PGDATA\" postgres");
        cases.put(List.of("--boot"), "postgres argument '--boot' is bootstrap mode, which only initdb uses (the "
                + "entrypoint runs initdb itself when PGDATA is empty): remove it");
        cases.put(List.of("-cdata_directory=/x"), "postgres argument '-cdata_directory=/x' sets the data directory, "
                + "which the entrypoint takes from PGDATA: remove it and set PGDATA=/x instead");
        cases.put(List.of("--data_directory=/x"), "postgres argument '--data_directory=/x' sets the data directory, "
                + "which the entrypoint takes from PGDATA: remove it and set PGDATA=/x instead");
        cases.forEach((args, message) -> {
            List<ValidationError> errors = errors(args.toArray(String[]::new));
            assertEquals(1, errors.size(), () -> args + " -> " + errors);
            assertEquals("command line", errors.get(0).subject());
            assertEquals(message, errors.get(0).message());
        });
    }

    /** The launcher runs postgres itself with these (as the official image does); no hint here could be reached. */
    @Test
    void optionsPostgresAnswersByItselfAreNotRefused() {
        assertEquals(List.of(), errors("-C", "port"));
        assertEquals(List.of(), errors("--describe-config"));
        assertEquals(List.of(), errors("--version"));
    }

    @Test
    void everyDeniedArgumentIsReported() {
        List<ValidationError> errors = errors("-D", "/x", "-c", "a=b", "-D/y", "--single");
        assertEquals(3, errors.size(), errors::toString);
        assertTrue(errors.get(0).message().contains("'-D /x'"));
        assertTrue(errors.get(1).message().contains("'-D/y'"));
        assertTrue(errors.get(2).message().contains("'--single'"));
    }

    @Test
    void secretsAreKeptFromTheServer() {
        assertEquals(List.of("POSTGRES_PASSWORD", "PGPASSWORD"), postgres(List.of()).secretEnvironment());
        Postgres withBackups = new Postgres(new Settings(Map.of("BACKUP_ENABLED", "true", "PGBACKREST_REPO1_S3_KEY_SECRET",
                "s3cret"), List.of(), Path.of("/opt")), Optional.empty());
        assertEquals(List.of("POSTGRES_PASSWORD", "PGPASSWORD", "BACKUP_ENABLED", "PGBACKREST_REPO1_S3_KEY_SECRET"),
                withBackups.secretEnvironment());
    }

    @Test
    void planDependsOnTheStartupMode() {
        Settings sleep = new Settings(Map.of("STARTUP_MODE", "sleep"), List.of(), Path.of("/opt"));
        assertEquals(1, new Postgres(sleep, Optional.empty()).plan().size());
        List<String> direct = postgres(List.of("-c", "a=b c")).plan();
        assertTrue(direct.get(0).endsWith("/opt/pg/bin/postgres -D /srv/pg/data -c 'a=b c'"), direct.get(0));
    }

    @Test
    void dataDirectoryAsASettingIsDeniedInEveryForm() {
        for (List<String> args : List.of(List.of("--data_directory=/x"), List.of("-c", "data_directory=/x"),
                List.of("-cdata_directory=/x"), List.of("--data-directory=/x"))) {
            assertEquals(1, errors(args.toArray(String[]::new)).size(), "not denied: " + args);
        }
    }
}
