package dev.pgentrypoint.health;

/** What every check shares: its name and the probes it belongs to. */
abstract class BaseCheck implements Check {
    private final String name;
    private final boolean liveness;
    private final boolean readiness;

    BaseCheck(String name, boolean liveness, boolean readiness) {
        this.name = name;
        this.liveness = liveness;
        this.readiness = readiness;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean liveness() {
        return liveness;
    }

    @Override
    public final boolean readiness() {
        return readiness;
    }
}
