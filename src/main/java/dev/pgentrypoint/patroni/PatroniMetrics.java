package dev.pgentrypoint.patroni;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The Patroni meters: role, timeline, replication lag and time since the last leader change, from the REST API. */
public final class PatroniMetrics {
    static final List<String> ROLES = List.of(PatroniStatus.LEADER, PatroniStatus.REPLICA, PatroniStatus.STANDBY_LEADER);

    private PatroniMetrics() {
    }

    /**
     * Registers the meters; each reads the member's status (cached for a second) when scraped, NaN when
     * unknown. They hold {@code member} strongly: a gauge's object is otherwise only weakly referenced.
     */
    public static void register(MeterRegistry registry, Supplier<Optional<PatroniHealth>> member) {
        for (String role : ROLES) {
            gauge(registry, member, "pg_entrypoint_patroni_role", s -> role.equals(s.role()) ? 1 : 0,
                    "1 for the role this member has now (leader, replica, standby_leader), 0 for the others", role);
        }
        gauge(registry, member, "pg_entrypoint_patroni_timeline", PatroniStatus::timeline,
                "PostgreSQL timeline of this member; it grows by one with every promotion", null);
        gauge(registry, member, "pg_entrypoint_patroni_replication_lag_bytes",
                s -> s.lagBytes().isPresent() ? s.lagBytes().getAsLong() : Double.NaN,
                "Bytes of WAL this member is behind the leader (0 on the leader)", null);
        Gauge.builder("pg_entrypoint_patroni_since_leader_change_seconds", member,
                        m -> m.get().flatMap(h -> h.secondsSinceLeaderChange().isPresent()
                                ? Optional.of(h.secondsSinceLeaderChange().getAsDouble()) : Optional.empty())
                                .orElse(Double.NaN))
                .description("Seconds since the leader of the cluster last changed (last promotion in the timeline "
                        + "history, or a change this member saw; before any, since it first saw the leader)")
                .baseUnit("seconds").strongReference(true).register(registry);
    }

    private static void gauge(MeterRegistry registry, Supplier<Optional<PatroniHealth>> member, String name,
            ToDoubleFunction<PatroniStatus> value, String description, String role) {
        Gauge.Builder<Supplier<Optional<PatroniHealth>>> builder = Gauge.builder(name, member,
                m -> m.get().flatMap(PatroniHealth::status).map(value::applyAsDouble).orElse(Double.NaN))
                .description(description).strongReference(true);
        if (role != null) {
            builder.tag("role", role);
        }
        builder.register(registry);
    }
}
