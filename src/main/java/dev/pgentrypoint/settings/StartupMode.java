package dev.pgentrypoint.settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the entrypoint starts after the init phase ({@code STARTUP_MODE}, docs/configuration.md). */
public enum StartupMode {
    /** Initialize if needed, then start and supervise PostgreSQL. */
    DIRECT,
    /** Render Patroni's configuration, then start and supervise Patroni, which initializes or clones the cluster. */
    PATRONI,
    /** Prepare the directories only, start nothing, wait for a stop. */
    SLEEP;

    /** The mode as {@code STARTUP_MODE} names it, and as routes compare it ({@code {{entrypoint.startup.mode}}}). */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return value();
    }

    /** The mode a value names, in any case; empty when it names none. */
    public static Optional<StartupMode> of(String value) {
        return Arrays.stream(values()).filter(m -> m.value().equals(value.toLowerCase(Locale.ROOT))).findFirst();
    }

    /** Why a value is refused, naming the accepted values. */
    static String problem(String value) {
        return "'" + value + "' is not a startup mode: use one of "
                + Arrays.stream(values()).map(StartupMode::value).collect(Collectors.joining(", "));
    }
}
