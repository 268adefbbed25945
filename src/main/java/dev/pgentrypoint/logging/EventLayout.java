package dev.pgentrypoint.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import java.util.Optional;

/** A layout of the entrypoint's log lines: a throwable is summarised, and in debug mode its stack trace is printed too. */
abstract class EventLayout extends LayoutBase<ILoggingEvent> {

    private final boolean debug;

    EventLayout(boolean debug) {
        this.debug = debug;
    }

    /** The stack trace of {@code throwable} in debug mode; empty otherwise. */
    final Optional<String> stackTrace(IThrowableProxy throwable) {
        return debug ? Optional.of(Events.stackTrace(throwable)) : Optional.empty();
    }
}
