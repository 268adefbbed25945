package dev.pgentrypoint.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code source}, {@code msg},
 * then when present {@code routeId}, {@code stream}, {@code exception} (and {@code stack} in debug
 * mode), and for audit events {@code "category":"audit"} plus the audit facts as fields.
 */
final class JsonLayout extends EventLayout {

    JsonLayout(boolean debug) {
        super(debug);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("ts", Events.timestamp(event));
        fields.put("level", event.getLevel().toString());
        fields.put("logger", event.getLoggerName());
        fields.put("source", Events.source(event));
        fields.put("msg", event.getFormattedMessage());
        putIfPresent(fields, "routeId", mdc.get(Events.ROUTE_ID));
        putIfPresent(fields, "stream", mdc.get(Events.STREAM));
        IThrowableProxy throwable = event.getThrowableProxy();
        if (throwable != null) {
            fields.put("exception", Events.exception(throwable, false));
            stackTrace(throwable).ifPresent(stack -> fields.put("stack", stack));
        }
        if (Audit.LOGGER.equals(event.getLoggerName())) {
            fields.put("category", "audit");
            new TreeMap<>(mdc).forEach((key, value) -> {
                if (key.startsWith(Audit.MDC_PREFIX)) {
                    String name = key.substring(Audit.MDC_PREFIX.length());
                    // A fact named like a standard field keeps its prefix rather than clobbering it.
                    fields.put(fields.containsKey(name) ? key : name, value);
                }
            });
        }
        return JsonText.object(fields) + "\n";
    }

    private static void putIfPresent(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
