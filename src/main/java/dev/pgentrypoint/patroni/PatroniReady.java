package dev.pgentrypoint.patroni;

import dev.pgentrypoint.supervise.ReadinessCheck;
import java.time.Duration;
import java.util.Set;

/** Ready when Patroni's REST API reports PostgreSQL running as leader or replica (it streams or catches up). */
public final class PatroniReady implements ReadinessCheck {
    static final Set<String> ROLES = Set.of(PatroniStatus.LEADER, PatroniStatus.REPLICA, PatroniStatus.STANDBY_LEADER);

    private final Patroni patroni;
    private volatile PatroniApi api;

    public PatroniReady(Patroni patroni) {
        this.patroni = patroni;
    }

    @Override
    public boolean isReady(long pid) throws Exception {
        if (api == null) {
            api = new PatroniApi(patroni.restApi(), Duration.ofSeconds(2));
        }
        PatroniApi.Member member = api.member();
        return "running".equals(member.state())
                && ROLES.contains(PatroniStatus.normalizeRole(String.valueOf(member.role())));
    }
}
