package dev.pgentrypoint.collation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CollationDriftTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("pg-entrypoint.collation");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Path bin;

    @BeforeEach
    void setUp() throws IOException {
        Path pgdata = dir.resolve("data");
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        env.put("PGDATA", pgdata.toString());
        bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("postgres"), "#!/bin/sh\necho 'postgres (PostgreSQL) 15.4'\n");
        Files.setPosixFilePermissions(bin.resolve("postgres"), PosixFilePermissions.fromString("rwxr-xr-x"));
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private CollationDrift validated(List<ValidationError> errors) {
        Settings settings = new Settings(env, List.of(), dir);
        DataDirectory data = new DataDirectory(settings.pgdataPath());
        Optional<PgBinaries> binaries = PgBinaries.discover(Optional.of(bin.toString()), null, dir);
        CollationDrift c = new CollationDrift(settings, data, binaries, new Database(settings, data, binaries));
        ValidationReport report = new ValidationReport();
        c.validate(report);
        errors.addAll(report.errors());
        return c;
    }

    private String log() {
        return String.join("\n", logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void aDriftedDatabaseIsNamedWithTheCommandsAndCounted() {
        CollationDrift c = validated(new ArrayList<>());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        c.bindTo(registry);
        assertTrue(registry.scrape().contains("pg_entrypoint_collation_drift_databases NaN"), registry.scrape());
        assertTrue(c.checkNeeded());
        assertFalse(c.refuseCheckNeeded());
        c.inspect("shop|2.31|2.36\n", 0);
        assertEquals(List.of("shop"), c.drifted());
        assertEquals(List.of(new Drift("shop", "2.31", "2.36")), c.findings().orElseThrow().drifts());
        assertTrue(log().contains("collation drift in database \"shop\": created with collation version 2.31, the "
                + "libraries now report 2.36"), log());
        assertTrue(log().contains("REINDEX DATABASE \"shop\""), log());
        assertTrue(log().contains("ALTER DATABASE \"shop\" REFRESH COLLATION VERSION"), log());
        assertTrue(registry.scrape().contains("pg_entrypoint_collation_drift_databases 1.0"), registry.scrape());
        assertFalse(c.checkNeeded(), "once per start");
    }

    @Test
    void noDriftSaysNothing() {
        CollationDrift c = validated(new ArrayList<>());
        assertTrue(c.findings().isEmpty(), "nothing found before the check");
        c.inspect("\n", 0);
        assertEquals(new CollationDrift.Findings(List.of(), ""), c.findings().orElseThrow());
        assertEquals(List.of(), c.drifted());
        assertEquals("", log());
    }

    @Test
    void refuseEndsTheStartNamingTheDatabases() {
        env.put("COLLATION_DRIFT", "refuse");
        CollationDrift c = validated(new ArrayList<>());
        assertTrue(c.refuseCheckNeeded());
        EntrypointException e = assertThrows(EntrypointException.class, () -> c.inspect("a|1|2\nb||153.1\n", 0));
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("a, b"), e.getMessage());
        assertTrue(log().contains("created with collation version none, the libraries now report 153.1"), log());
    }

    @Test
    void anUnknownModeIsAnErrorAndANewClusterIsNotChecked() throws IOException {
        env.put("COLLATION_DRIFT", "ignore");
        List<ValidationError> errors = new ArrayList<>();
        validated(errors);
        assertEquals("COLLATION_DRIFT", errors.get(0).subject());
        env.remove("COLLATION_DRIFT");
        Files.delete(dir.resolve("data/PG_VERSION"));
        Files.delete(dir.resolve("data/base"));
        assertFalse(validated(new ArrayList<>()).checkNeeded());
    }

    @Test
    void createdCollationsAreComparedInEveryDatabaseAfterTheDatabasesOwn() {
        CollationDrift c = validated(new ArrayList<>());
        assertTrue(c.queryInput().contains("datcollversion"), "15 records the databases' versions");
        c.databases("shop|2.31|2.36\nconnect|postgres\nconnect|it's\n", 0);
        String script = c.collationScript();
        assertEquals(2, script.split("pg_collation c ", -1).length - 1, script);
        assertTrue(script.startsWith("\\connect -reuse-previous=on 'dbname=''postgres'''\n"), script);
        assertTrue(script.contains("\\connect -reuse-previous=on 'dbname=''it\\\\''s'''\n"), script);
        c.inspect("collation|postgres|public.german|153.14|153.120\n", 0);
        assertEquals(List.of(new Drift("shop", "2.31", "2.36"), new Drift("postgres", "public.german", "153.14", "153.120")),
                c.findings().orElseThrow().drifts());
        assertEquals(List.of("shop", "postgres"), c.drifted());
        assertTrue(log().contains("collation drift in collation public.german in database \"postgres\": created with "
                + "collation version 153.14, the libraries now report 153.120"), log());
        assertTrue(log().contains("REINDEX DATABASE \"postgres\"; then ALTER COLLATION public.german REFRESH VERSION"), log());
    }

    @Test
    void beforeFifteenOnlyCreatedCollationsAreComparedAndAFailedFirstRunIsReported() throws IOException {
        Files.writeString(bin.resolve("postgres"), "#!/bin/sh\necho 'postgres (PostgreSQL) 14.15'\n");
        Files.writeString(dir.resolve("data/PG_VERSION"), "14\n");
        CollationDrift c = validated(new ArrayList<>());
        assertTrue(c.checkNeeded());
        assertFalse(c.queryInput().contains("datcollversion"), "no pg_database.datcollversion before 15");
        assertTrue(c.queryInput().contains("'connect|'"), c.queryInput());
        assertTrue(c.plan().get(0).startsWith("compare the recorded collation versions with the libraries' (the collations "
                + "created with CREATE COLLATION"), c.plan().get(0));
        c.databases("", 2);
        assertEquals("", c.collationScript());
        c.inspect("", 0);
        assertEquals("psql exit 2", c.findings().orElseThrow().failure());
        assertTrue(log().contains("cannot compare the collation versions (psql exit 2)"), log());
    }
}
