package dev.pgentrypoint.health;

import dev.pgentrypoint.patroni.PatroniHealth;
import dev.pgentrypoint.settings.StartupMode;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Patroni mode: the member is the leader, or a replica that streams from it (Patroni's REST API).
 * Up with nothing to check in the other modes.
 */
final class PatroniCheck extends BaseCheck {
    private final StartupMode mode;
    private final Supplier<Optional<PatroniHealth>> member;

    PatroniCheck(StartupMode mode, Supplier<Optional<PatroniHealth>> member) {
        super("patroni", false, true);
        this.mode = mode;
        this.member = member;
    }

    @Override
    public CheckResult check() {
        if (mode != StartupMode.PATRONI) {
            return CheckResult.up(name(), "not in Patroni mode (STARTUP_MODE=" + mode + ")");
        }
        Optional<PatroniHealth> health = member.get();
        if (health.isEmpty()) {
            return CheckResult.down(name(), "no Patroni member to ask yet (its REST API is known once the entrypoint runs)");
        }
        PatroniHealth.Result result = health.get().check();
        return new CheckResult(name(), result.healthy(), result.reason());
    }
}
