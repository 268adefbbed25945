package dev.pgentrypoint.health;

/** The place of the Patroni check; up with nothing to check outside Patroni mode. */
final class PatroniCheck implements Check {
    private final String mode;

    PatroniCheck(String mode) {
        this.mode = mode;
    }

    @Override
    public String name() {
        return "patroni";
    }

    @Override
    public boolean liveness() {
        return false;
    }

    @Override
    public boolean readiness() {
        return true;
    }

    @Override
    public CheckResult check() {
        return CheckResult.up(name(), "not in Patroni mode (STARTUP_MODE=" + mode + ")");
    }
}
