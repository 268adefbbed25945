package dev.pgentrypoint.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.util.Map;

/** Builds synthetic logging events for the layout tests. */
final class TestEvents {

    static final Instant TIME = Instant.parse("2026-11-26T19:00:00.123Z");

    private TestEvents() {
    }

    static LoggingEvent event(String logger, Level level, String message, Throwable throwable,
                              Map<String, String> mdc) {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message,
            throwable, null);
        event.setInstant(TIME);
        event.setMDCPropertyMap(mdc);
        return event;
    }
}
