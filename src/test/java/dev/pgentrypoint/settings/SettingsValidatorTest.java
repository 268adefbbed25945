package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.core.ValidationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsValidatorTest {

    private static Optional<PgBinaries> real;

    @TempDir
    Path dir;

    @BeforeAll
    static void findBinaries() {
        real = PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"));
        assertTrue(real.isPresent(), "the tests need PostgreSQL binaries");
        assertEquals(List.of(), real.get().missingTools(), "the real bin directory must be complete");
    }

    private static Settings settings(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return new Settings(env, List.of(), Path.of("/opt/pg-entrypoint"));
    }

    private static List<ValidationError> errors(Settings settings, Optional<PgBinaries> binaries) {
        ValidationReport report = new ValidationReport();
        new SettingsValidator(settings, binaries).validate(report);
        return report.errors();
    }

    private static List<ValidationError> errors(String... keyValues) {
        return errors(settings(keyValues), real);
    }

    private static ValidationError only(List<ValidationError> errors, String subject) {
        assertEquals(1, errors.size(), () -> "expected exactly one error, got " + errors);
        assertEquals(subject, errors.get(0).subject());
        assertEquals(ExitCode.INVALID_INPUT, errors.get(0).exitCode());
        return errors.get(0);
    }

    @Test
    void defaultsAreValid() {
        assertEquals(List.of(), errors());
    }

    @Test
    void validValuesPass() {
        assertEquals(List.of(), errors("PGPORT", "5433", "STARTUP_MODE", "SLEEP", "SHUTDOWN_TIMEOUT", "86400",
                "LOG_FORMAT", "JSON", "DEBUG", "yes", "DRY_RUN", "off", "STATE_FILE", "/run/state",
                "COMMAND_TIMEOUT", "1", "START_TIMEOUT", "60", "INITDB_SCRIPT_TIMEOUT", "604800"));
    }

    @Test
    void portThatIsNotANumber() {
        ValidationError e = only(errors("PGPORT", "fivefour"), "PGPORT");
        assertTrue(e.message().contains("'fivefour' is not a number"), e.message());
        assertTrue(e.message().contains("between 1 and 65535"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "70000", "65536", "-1"})
    void portOutOfRange(String port) {
        ValidationError e = only(errors("PGPORT", port), "PGPORT");
        assertTrue(e.message().startsWith(port + " is out of range"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "65535"})
    void portBounds(String port) {
        assertEquals(List.of(), errors("PGPORT", port));
    }

    @Test
    void unknownStartupMode() {
        ValidationError e = only(errors("STARTUP_MODE", "Turbo"), "STARTUP_MODE");
        assertTrue(e.message().contains("'turbo' is not a startup mode"), e.message());
        assertTrue(e.message().contains("direct, patroni, sleep"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "0", "86401", "1.5"})
    void badShutdownTimeout(String value) {
        ValidationError e = only(errors("SHUTDOWN_TIMEOUT", value), "SHUTDOWN_TIMEOUT");
        assertTrue(e.message().contains("seconds between 1 and 86400"), e.message());
    }

    @Test
    void badLogFormat() {
        ValidationError e = only(errors("LOG_FORMAT", "xml"), "LOG_FORMAT");
        assertTrue(e.message().contains("'xml' is not a log format"), e.message());
    }

    @Test
    void debugMaybeIsNotABoolean() {
        ValidationError e = only(errors("DEBUG", "maybe"), "DEBUG");
        assertTrue(e.message().contains("'maybe' is not a boolean"), e.message());
    }

    @Test
    void dryRunMustBeABooleanToo() {
        only(errors("DRY_RUN", "2"), "DRY_RUN");
    }

    @Test
    void relativeStateFile() {
        ValidationError e = only(errors("STATE_FILE", "run/state"), "STATE_FILE");
        assertTrue(e.message().contains("'run/state' is not an absolute path"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOCK_FILE", "PG_SOCKET_DIR", "INITDB_SCRIPTS_DIR", "CONFIG_DIR", "WORKFLOWS_DIR",
            "ROUTES_DIR"})
    void otherRelativePaths(String variable) {
        only(errors(variable, "relative/path"), variable);
    }

    @Test
    void emptyBinDirNamesPgBinDirAndEveryMissingTool() {
        Settings s = settings("PG_BIN_DIR", dir.toString());
        Optional<PgBinaries> binaries = PgBinaries.discover(s.pgBinDir(), System.getenv("PATH"),
                Path.of("/usr/lib/postgresql"));
        ValidationError e = only(errors(s, binaries), "PG_BIN_DIR");
        assertTrue(e.message().contains(dir.toString()), e.message());
        assertTrue(e.message().contains("(from PG_BIN_DIR)"), e.message());
        for (String tool : List.of("postgres", "initdb", "psql")) {
            assertTrue(e.message().contains(tool), () -> tool + " missing from " + e.message());
        }
    }

    @Test
    void noBinariesAtAll() {
        ValidationError e = only(errors(settings(), Optional.empty()), "PG_BIN_DIR");
        assertTrue(e.message().contains("no PostgreSQL binaries found"), e.message());
    }

    @Test
    void everyErrorIsCollectedAndConcludedOnce() {
        Settings s = settings("PGPORT", "abc", "STARTUP_MODE", "nope", "SHUTDOWN_TIMEOUT", "0", "LOG_FORMAT", "xml",
                "DEBUG", "maybe", "STATE_FILE", "state", "PG_BIN_DIR", dir.toString());
        ValidationReport report = new ValidationReport().begin();
        new SettingsValidator(s, PgBinaries.discover(s.pgBinDir(), null, Path.of("/nonexistent"))).validate(report);
        List<String> subjects = report.errors().stream().map(ValidationError::subject).toList();
        assertEquals(List.of("PGPORT", "STARTUP_MODE", "SHUTDOWN_TIMEOUT", "LOG_FORMAT", "DEBUG", "STATE_FILE",
                "PG_BIN_DIR"), subjects);

        ValidationException thrown = assertThrows(ValidationException.class, report::conclude);
        assertEquals(ExitCode.INVALID_INPUT, thrown.exitCode());
        assertEquals(1, thrown.exitCode().code());
        assertEquals("validation", thrown.step());
        assertEquals(7, thrown.errors().size());
        assertTrue(thrown.getMessage().startsWith("7 problem(s) found, nothing was changed:"), thrown.getMessage());
        for (String subject : subjects) {
            assertTrue(thrown.getMessage().contains("\n  - " + subject + ": "), () -> subject + " in "
                    + thrown.getMessage());
        }
    }

    @Test
    void concludeWithoutErrorsDoesNotThrowAndBeginClears() {
        ValidationReport report = new ValidationReport();
        new SettingsValidator(settings("PGPORT", "0"), real).validate(report);
        report.warn("careful");
        assertEquals(1, report.errors().size());
        report.begin();
        assertEquals(List.of(), report.errors());
        assertEquals(List.of(), report.warnings());
        new SettingsValidator(settings(), real).validate(report);
        report.conclude();
    }

    @Test
    void initIncompleteMakesTheWholeReportExitWithInitFailed() {
        ValidationReport report = new ValidationReport();
        report.invalid("A", "bad");
        report.initIncomplete("PGDATA", "half done");
        report.invalid("B", "bad");
        ValidationException thrown = assertThrows(ValidationException.class, report::conclude);
        assertEquals(ExitCode.INIT_FAILED, thrown.exitCode());
    }

    @Test
    void typedAccessorsFallBackToDefaultsOnInvalidValues() {
        Settings s = settings("PGPORT", "abc", "SHUTDOWN_TIMEOUT", "x", "START_TIMEOUT", " 12 ");
        assertEquals(Settings.DEFAULT_PORT, s.port());
        assertEquals(Settings.DEFAULT_SHUTDOWN_TIMEOUT, s.shutdownTimeout());
        assertEquals(12, s.startTimeout());
    }

    @Test
    void timeoutsOfZeroOrBelowAreRefusedAndNeverReachARoute() {
        for (String variable : List.of("COMMAND_TIMEOUT", "INITDB_SCRIPT_TIMEOUT", "SHUTDOWN_TIMEOUT", "START_TIMEOUT",
                "HEALTH_INTERVAL")) {
            for (String value : List.of("0", "-1")) {
                ValidationError e = only(errors(variable, value), variable);
                assertTrue(e.message().startsWith(value + " is out of range: give seconds between 1 and "), e.message());
            }
        }
        Settings s = settings("COMMAND_TIMEOUT", "-1", "INITDB_SCRIPT_TIMEOUT", "0", "HEALTH_INTERVAL", "0",
                "MANAGEMENT_PORT", "70000", "PGPORT", "0");
        assertEquals(600, s.commandTimeout());
        assertEquals(3600, s.scriptTimeout());
        assertEquals(60, s.healthInterval());
        assertEquals(Settings.DEFAULT_MANAGEMENT_PORT, s.managementPort());
        assertEquals(Settings.DEFAULT_PORT, s.port());
    }

    @Test
    void managementBindMustBeAnAddressOfThisHost() {
        for (String ok : List.of("0.0.0.0", "127.0.0.1", "::", "::1", "localhost")) {
            assertEquals(List.of(), errors("MANAGEMENT_BIND", ok), ok);
        }
        assertEquals("'999.1.1.1' is not an IPv4 address (each of its four numbers is 0 to 255): give an IP address of "
                + "this host, such as 0.0.0.0 (every IPv4 address), :: (every address), 127.0.0.1 or localhost",
                only(errors("MANAGEMENT_BIND", "999.1.1.1"), "MANAGEMENT_BIND").message());
        assertTrue(only(errors("MANAGEMENT_BIND", "192.0.2.1"), "MANAGEMENT_BIND").message()
                .startsWith("'192.0.2.1' is not an address of this host: "));
        assertTrue(only(errors("MANAGEMENT_BIND", "example.org"), "MANAGEMENT_BIND").message()
                .startsWith("'example.org' is not an IP address: "));
    }

    /** A root start opens the management port only after the hand-over: a port in use is found at validation. */
    @Test
    void aManagementPortInUseIsRefusedBeforeAnythingChanges() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = String.valueOf(taken.getLocalPort());
            Settings s = settings("MANAGEMENT_PORT", port, "MANAGEMENT_BIND", "127.0.0.1");
            ValidationReport report = new ValidationReport();
            new SettingsValidator(s, real, true).validate(report);
            ValidationError e = only(report.errors(), "MANAGEMENT_PORT");
            assertTrue(e.message().startsWith("cannot listen on MANAGEMENT_BIND 127.0.0.1 port " + port + " ("), e.message());
            assertTrue(e.message().endsWith("): choose a free port with MANAGEMENT_PORT or another address with "
                    + "MANAGEMENT_BIND, or set MANAGEMENT_ENABLED=false"), e.message());
            assertEquals(ExitCode.INVALID_INPUT, e.exitCode());

            assertEquals(List.of(), errors(s, real), "checked only when asked (a root start)");
            ValidationReport disabled = new ValidationReport();
            new SettingsValidator(settings("MANAGEMENT_PORT", port, "MANAGEMENT_BIND", "127.0.0.1",
                    "MANAGEMENT_ENABLED", "false"), real, true).validate(disabled);
            assertEquals(List.of(), disabled.errors());
        }
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        ValidationReport report = new ValidationReport();
        new SettingsValidator(settings("MANAGEMENT_PORT", String.valueOf(free), "MANAGEMENT_BIND", "127.0.0.1"), real, true)
                .validate(report);
        assertEquals(List.of(), report.errors());
    }

    @Test
    void theDefaultStateFileBelongsToOneDataDirectory() {
        assertEquals(Path.of("/tmp/pg-entrypoint-var-lib-postgresql-data.state"), settings().stateFile());
        assertEquals(Path.of("/tmp/pg-entrypoint-srv-pg_2-data.state"), settings("PGDATA", "/srv/pg_2/data/").stateFile());
        assertEquals(Path.of("/tmp/pg-entrypoint-srv-a-b-c.state"), settings("PGDATA", "/srv/a b/c").stateFile());
        assertTrue(!settings("PGDATA", "/srv/one").stateFile().equals(settings("PGDATA", "/srv/two").stateFile()));
        Path longOne = settings("PGDATA", "/" + "x".repeat(300)).stateFile();
        assertTrue(longOne.getFileName().toString().length() < 140, longOne.toString());
        assertEquals(Path.of("/run/state"), settings("STATE_FILE", "/run/state").stateFile());
    }
}
