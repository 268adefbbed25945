package dev.pgentrypoint.health;

/** One interchangeable health check; liveness and readiness say which probes it belongs to. */
public interface Check {
    String name();

    boolean liveness();

    boolean readiness();

    CheckResult check();
}
