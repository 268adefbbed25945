package dev.pgentrypoint.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Parts of a log event that the text and JSON layouts render alike. */
final class Events {

    /** MDC key Camel sets to the id of the route processing the exchange. */
    static final String ROUTE_ID = "camel.routeId";
    /** MDC key naming the origin of a line, e.g. a child process. */
    static final String SOURCE = "source";
    /** MDC key naming the child process stream (stdout/stderr) a line came from. */
    static final String STREAM = "stream";

    private static final DateTimeFormatter TIMESTAMP =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Events() {
    }

    /** ISO-8601 UTC with milliseconds, e.g. {@code 2026-11-26T19:00:00.123Z}. */
    static String timestamp(ILoggingEvent event) {
        return TIMESTAMP.format(event.getInstant());
    }

    /** The Camel route id, else the MDC source, else the last segment of the logger name. */
    static String source(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        String routeId = mdc.get(ROUTE_ID);
        if (routeId != null && !routeId.isEmpty()) {
            return routeId;
        }
        String source = mdc.get(SOURCE);
        if (source != null && !source.isEmpty()) {
            return source;
        }
        String name = event.getLoggerName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** {@code <class name>: <message>}, or only the class name when there is no message. */
    static String exception(IThrowableProxy throwable, boolean simpleClassName) {
        String className = throwable.getClassName();
        if (simpleClassName) {
            className = className.substring(className.lastIndexOf('.') + 1);
        }
        String message = throwable.getMessage();
        return message == null ? className : className + ": " + message;
    }

    /** The full stack trace, causes and suppressed exceptions included, without a trailing newline. */
    static String stackTrace(IThrowableProxy throwable) {
        return ThrowableProxyUtil.asString(throwable).stripTrailing();
    }
}
