package dev.pgentrypoint.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code 2026-11-26T19:00:00.123Z INFO  [source] message}, one line per event; a throwable is
 * summarised on the same line, or printed in full below it in debug mode.
 */
final class TextLayout extends EventLayout {

    TextLayout(boolean debug) {
        super(debug);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128)
            .append(Events.timestamp(event)).append(' ')
            .append(String.format("%-5s", event.getLevel())).append(" [")
            .append(Events.source(event)).append("] ")
            .append(event.getFormattedMessage());
        IThrowableProxy throwable = event.getThrowableProxy();
        if (throwable != null) {
            line.append(stackTrace(throwable).map(stack -> "\n" + stack)
                    .orElseGet(() -> ": " + Events.exception(throwable, true)));
        }
        return line.append('\n').toString();
    }
}
