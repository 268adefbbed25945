package dev.pgentrypoint.health;

/** The outcome of one check: up or down, and one line saying why. */
public record CheckResult(String name, boolean up, String message) {
    static CheckResult up(String name, String message) {
        return new CheckResult(name, true, message);
    }

    static CheckResult down(String name, String message) {
        return new CheckResult(name, false, message);
    }
}
