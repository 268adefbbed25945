package dev.pgentrypoint.workflow;

import java.util.Map;
import java.util.Optional;

/**
 * The {@code direct:} routes whose id changed when every route id became {@code <phase>-<module>-<step>}
 * (docs/architecture.md lists them): a YAML file that still calls an old id is told the new one.
 */
final class RenamedRoutes {
    private static final Map<String, String> NEW_BY_OLD = Map.of(
            "security-drop-privileges", "util-security-drop-privileges",
            "runtime-startup-patroni", "runtime-patroni-start",
            "runtime-shutdown", "runtime-shutdown-main");

    private RenamedRoutes() {
    }

    /** The id that replaced this old one, if it is one. */
    static Optional<String> replacement(String oldId) {
        return Optional.ofNullable(NEW_BY_OLD.get(oldId));
    }

    /** The id this new one had before, if it was renamed. */
    static Optional<String> previous(String newId) {
        return NEW_BY_OLD.entrySet().stream().filter(e -> e.getValue().equals(newId)).map(Map.Entry::getKey).findFirst();
    }
}
