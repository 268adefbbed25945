package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartupModeTest {

    private static Settings settings(Map<String, String> env) {
        return new Settings(env, List.of(), Path.of("/opt/pg-entrypoint"));
    }

    @Test
    void eachModeIsNamedInAnyCase() {
        assertEquals(Optional.of(StartupMode.DIRECT), StartupMode.of("direct"));
        assertEquals(Optional.of(StartupMode.PATRONI), StartupMode.of("Patroni"));
        assertEquals(Optional.of(StartupMode.SLEEP), StartupMode.of("SLEEP"));
        assertEquals(Optional.empty(), StartupMode.of("turbo"));
        assertEquals(Optional.empty(), StartupMode.of(" sleep"));
        assertEquals(Optional.empty(), StartupMode.of(""));
    }

    @Test
    void routesReadTheLowerCaseName() {
        assertEquals("patroni", StartupMode.PATRONI.value());
        assertEquals("sleep", StartupMode.SLEEP.toString());
    }

    @Test
    void theRefusalNamesTheValueAndEveryMode() {
        assertEquals("'turbo' is not a startup mode: use one of direct, patroni, sleep", StartupMode.problem("turbo"));
    }

    @Test
    void settingsDefaultToDirect() {
        assertEquals(StartupMode.DIRECT, settings(Map.of()).startupMode());
        assertEquals("direct", settings(Map.of()).startupModeValue());
        assertEquals(StartupMode.SLEEP, settings(Map.of("STARTUP_MODE", "Sleep")).startupMode());
        assertEquals("sleep", settings(Map.of("STARTUP_MODE", "Sleep")).startupModeValue());
        assertEquals("turbo", settings(Map.of("STARTUP_MODE", "TURBO")).startupModeValue());
    }
}
