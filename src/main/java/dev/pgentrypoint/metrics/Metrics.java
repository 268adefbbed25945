package dev.pgentrypoint.metrics;

import dev.pgentrypoint.health.HealthChecks;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;

/**
 * The Prometheus registry: Camel's route-policy metrics for every route (through the factory this
 * class creates), plus the domain meters, all prefixed {@code pg_entrypoint_}.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong initStartMillis = new AtomicLong();
    private volatile double initSeconds = Double.NaN;
    private volatile double startupSeconds = Double.NaN;

    public Metrics(StateMachine state, HealthChecks health, long startMillis) {
        Gauge.builder("pg_entrypoint_state", state, s -> s.current().code())
                .description("Current state: 0 UNINITIALIZED, 1 INITIALIZING, 2 READY, 3 STARTING, 4 RUNNING, "
                        + "5 STOPPING, 6 STOPPED, 7 ERROR, 8 UPGRADING").register(registry);
        Gauge.builder("pg_entrypoint_startup_seconds", this, m -> m.startupSeconds)
                .description("Seconds from the entrypoint's start to RUNNING").baseUnit("seconds").register(registry);
        Gauge.builder("pg_entrypoint_init_seconds", this, m -> m.initSeconds)
                .description("Seconds the first initialization took (INITIALIZING to READY)").baseUnit("seconds")
                .register(registry);
        for (String check : health.names()) {
            Gauge.builder("pg_entrypoint_health_status", health, h -> h.status(check)).tag("check", check)
                    .description("1 when the health check was up at its last run, 0 when down").register(registry);
            Gauge.builder("pg_entrypoint_health_last_success_timestamp_seconds", health, h -> h.lastSuccessSeconds(check))
                    .tag("check", check).description("Unix time of the last successful run of the health check")
                    .register(registry);
        }
        health.onTransition((check, up) -> Counter.builder("pg_entrypoint_health_transitions").tag("check", check)
                .tag("status", up ? "UP" : "DOWN").description("Changes of a health check between up and down")
                .register(registry).increment());
        state.addListener((previous, next) -> {
            long now = System.currentTimeMillis();
            if (next == State.INITIALIZING) {
                initStartMillis.set(now);
            } else if (previous == State.INITIALIZING && next == State.READY) {
                initSeconds = (now - initStartMillis.get()) / 1000.0;
            } else if (next == State.RUNNING) {
                startupSeconds = (now - startMillis) / 1000.0;
            }
        });
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Route-policy metrics ({@code camel_exchanges_*}, {@code camel_route_policy_seconds_*}) on this registry. */
    public MicrometerRoutePolicyFactory routePolicyFactory() {
        MicrometerRoutePolicyFactory factory = new MicrometerRoutePolicyFactory();
        factory.setMeterRegistry(registry);
        return factory;
    }

    /** A step failed; counted by module (the route id without its last part, e.g. init-database). */
    public void failed(String routeId) {
        Counter.builder("pg_entrypoint_errors").tag("module", module(routeId))
                .description("Failures by module").register(registry).increment();
    }

    /** A supervised child ended: {@code stopped} on request, {@code unexpected} on its own. */
    public void childExited(String child, String reason) {
        Counter.builder("pg_entrypoint_child_exits").tag("child", child).tag("reason", reason)
                .description("Exits of supervised children (postgres, patroni) by reason").register(registry).increment();
    }

    static String module(String routeId) {
        if (routeId == null || routeId.isEmpty()) {
            return "unknown";
        }
        String[] parts = routeId.split("-");
        return parts.length <= 2 ? routeId : parts[0] + "-" + parts[1];
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
