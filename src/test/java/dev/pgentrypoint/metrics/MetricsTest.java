package dev.pgentrypoint.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.health.HealthChecks;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir
    Path tmp;

    @Test
    void domainMetersFollowStateErrorsAndChildren() {
        StateMachine state = new StateMachine(tmp.resolve("state.json"), Clock.systemUTC());
        Settings settings = new Settings(Map.of("PGDATA", tmp.resolve("data").toString()), List.of(), tmp);
        HealthChecks health = HealthChecks.of(settings, state::current, OptionalLong::empty, Optional::empty);
        long before = System.nanoTime();
        Metrics metrics = new Metrics(state, health, System.currentTimeMillis() - 1500);
        state.transition(State.INITIALIZING);
        state.transition(State.READY);
        state.transition(State.STARTING);
        state.transition(State.RUNNING);
        metrics.failed("init-database-initdb");
        metrics.failed("init-database-initdb");
        metrics.childExited("postgres", "unexpected");
        health.poll();
        String text = metrics.scrape();
        assertTrue(text.contains("pg_entrypoint_state 4.0"), text);
        assertTrue(text.contains("pg_entrypoint_errors_total{module=\"init-database\"} 2.0"), text);
        assertTrue(text.contains("pg_entrypoint_child_exits_total{child=\"postgres\",reason=\"unexpected\"} 1.0"), text);
        assertTrue(text.contains("pg_entrypoint_health_status{check=\"alive\"} 1.0"), text);
        assertTrue(text.contains("pg_entrypoint_health_status{check=\"connectivity\"} 0.0"), text);
        // started 1.5 s before the meters were made; RUNNING came at most this test's own time later
        double startup = Double.parseDouble(text.replaceAll("(?s).*\npg_entrypoint_startup_seconds ([0-9.E-]+)\n.*", "$1"));
        double elapsed = (System.nanoTime() - before) / 1e9;
        assertTrue(startup >= 1.5 && startup <= 1.5 + elapsed + 0.05, startup + " not within 1.5 s + " + elapsed + " s");
        assertTrue(text.matches("(?s).*pg_entrypoint_init_seconds [0-9.]+(E-\\d)?\\n.*"), text);
    }

    @Test
    void modulesAreTheFirstTwoPartsOfTheRouteId() {
        assertEquals("init-database", Metrics.module("init-database-initdb"));
        assertEquals("runtime-shutdown", Metrics.module("runtime-shutdown"));
        assertEquals("unknown", Metrics.module(null));
    }
}
