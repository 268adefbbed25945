package dev.pgentrypoint.health;

/**
 * The outcome of one check: up or down, and one line saying why. A degraded check is down for the
 * probes it belongs to, but reported as DEGRADED: the server serves, something it relies on (backups)
 * is at risk.
 */
public record CheckResult(String name, boolean up, String message, boolean degraded) {
    public CheckResult(String name, boolean up, String message) {
        this(name, up, message, false);
    }

    static CheckResult up(String name, String message) {
        return new CheckResult(name, true, message);
    }

    static CheckResult down(String name, String message) {
        return new CheckResult(name, false, message);
    }

    static CheckResult degraded(String name, String message) {
        return new CheckResult(name, false, message, true);
    }

    /** {@code UP}, {@code DEGRADED} or {@code DOWN}. */
    public String status() {
        return up ? "UP" : degraded ? "DEGRADED" : "DOWN";
    }
}
