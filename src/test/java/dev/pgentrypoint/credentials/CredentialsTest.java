package dev.pgentrypoint.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CredentialsTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("pg-entrypoint.credentials");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void setUp() throws IOException {
        Path pgdata = dir.resolve("data");
        Files.createDirectories(pgdata.resolve("base"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        env.put("PGDATA", pgdata.toString());
        env.put("POSTGRES_PASSWORD", "correct horse");
        env.put("POSTGRES_USER", "vtest");
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private Credentials validated(List<ValidationError> errors) {
        Settings settings = new Settings(env, List.of(), dir);
        DataDirectory data = new DataDirectory(settings.pgdataPath());
        Credentials c = new Credentials(settings, data, new Database(settings, data, Optional.empty()));
        ValidationReport report = new ValidationReport();
        c.validate(report);
        errors.addAll(report.errors());
        return c;
    }

    private String log() {
        return String.join("\n", logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void theSamePasswordSaysNothing() {
        Credentials c = validated(new java.util.ArrayList<>());
        assertTrue(c.checkNeeded());
        c.inspect(PasswordVerifierTest.SCRAM + "|1\n", 0);
        assertFalse(c.mismatch());
        assertEquals("", log());
        assertFalse(c.checkNeeded(), "once per start");
    }

    @Test
    void aDifferentPasswordIsReportedWithoutEitherPassword() {
        env.put("POSTGRES_PASSWORD", "battery staple");
        Credentials c = validated(new java.util.ArrayList<>());
        c.inspect(PasswordVerifierTest.SCRAM + "|1\n", 0);
        assertTrue(c.mismatch());
        assertTrue(log().contains("POSTGRES_PASSWORD does not match the password of role \"vtest\""), log());
        assertTrue(log().contains("POSTGRES_PASSWORD_SYNC=true"), log());
        assertFalse(log().contains("battery") || log().contains("horse") || log().contains("SCRAM"), log());
    }

    @Test
    void aChangedUserOrDatabaseIsReported() {
        env.put("POSTGRES_DB", "shop");
        Credentials c = validated(new java.util.ArrayList<>());
        c.inspect("<no role>|0\n", 0);
        assertTrue(log().contains("POSTGRES_USER=vtest names no role"), log());
        assertTrue(log().contains("POSTGRES_DB=shop names no database"), log());
        assertFalse(c.mismatch());
    }

    @Test
    void aPsqlThatCannotConnectIsReportedNotFatal() {
        Credentials c = validated(new java.util.ArrayList<>());
        c.inspect("", 2);
        assertTrue(log().contains("cannot read the credentials of role \"vtest\""), log());
    }

    @Test
    void syncNeedsAPasswordAndAnExistingCluster() throws IOException {
        env.put("POSTGRES_PASSWORD_SYNC", "true");
        List<ValidationError> errors = new java.util.ArrayList<>();
        assertTrue(validated(errors).syncNeeded());
        assertEquals(List.of(), errors);

        env.remove("POSTGRES_PASSWORD");
        validated(errors);
        assertEquals("POSTGRES_PASSWORD_SYNC", errors.get(0).subject());

        env.put("POSTGRES_PASSWORD_SYNC", "sometimes");
        errors.clear();
        validated(errors);
        assertEquals("POSTGRES_PASSWORD_SYNC", errors.get(0).subject());

        env.put("POSTGRES_PASSWORD", "x");
        env.put("POSTGRES_PASSWORD_SYNC", "true");
        Files.delete(dir.resolve("data/PG_VERSION"));
        Files.delete(dir.resolve("data/base"));
        assertFalse(validated(new java.util.ArrayList<>()).syncNeeded(), "initdb sets it on a new cluster");
    }

    @Test
    void theSyncStatementCarriesAVerifierNotThePassword() {
        env.put("POSTGRES_PASSWORD_SYNC", "true");
        String sql = validated(new java.util.ArrayList<>()).syncInput();
        assertTrue(sql.startsWith("ALTER ROLE :\"u\" PASSWORD 'SCRAM-SHA-256$4096:"), sql);
        assertFalse(sql.contains("horse"), sql);
    }
}
