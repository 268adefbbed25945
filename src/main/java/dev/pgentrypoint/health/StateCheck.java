package dev.pgentrypoint.health;

import dev.pgentrypoint.state.State;
import java.util.function.Supplier;

/**
 * The entrypoint's own state. Liveness: anything but ERROR and STOPPED (initializing, even a long
 * init script, is alive). Readiness: RUNNING — never during the init phase's temporary server.
 */
final class StateCheck extends BaseCheck {
    private final Supplier<State> state;
    private final boolean forReadiness;

    StateCheck(Supplier<State> state, boolean forReadiness) {
        super(forReadiness ? "state" : "alive", !forReadiness, forReadiness);
        this.state = state;
        this.forReadiness = forReadiness;
    }

    @Override
    public CheckResult check() {
        State s = state.get();
        if (s == null) {
            return CheckResult.down(name(), "no state: the entrypoint is not running");
        }
        if (forReadiness) {
            return s == State.RUNNING ? CheckResult.up(name(), "state RUNNING")
                    : CheckResult.down(name(), "state " + s + " (ready only when RUNNING)");
        }
        return s == State.ERROR || s == State.STOPPED ? CheckResult.down(name(), "state " + s)
                : CheckResult.up(name(), "state " + s);
    }
}
