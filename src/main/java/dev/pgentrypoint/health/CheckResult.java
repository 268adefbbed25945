package dev.pgentrypoint.health;

import java.util.Map;

/**
 * The outcome of one check: up or down, and one line saying why. A degraded check is down for the
 * probes it belongs to, but reported as DEGRADED: the server serves, something it relies on (backups)
 * is at risk. {@code details}, when not null, is structured data the health answer shows as well.
 */
public record CheckResult(String name, boolean up, String message, boolean degraded, Map<String, Object> details) {
    public CheckResult(String name, boolean up, String message) {
        this(name, up, message, false, null);
    }

    public CheckResult(String name, boolean up, String message, boolean degraded) {
        this(name, up, message, degraded, null);
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

    /** The same result with structured details. */
    CheckResult withDetails(Map<String, Object> more) {
        return new CheckResult(name, up, message, degraded, Map.copyOf(more));
    }

    /** {@code UP}, {@code DEGRADED} or {@code DOWN}. */
    public String status() {
        return up ? "UP" : degraded ? "DEGRADED" : "DOWN";
    }
}
