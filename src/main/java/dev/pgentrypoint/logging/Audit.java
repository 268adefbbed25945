package dev.pgentrypoint.logging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Audit events: one INFO line per security- or data-relevant action, on logger {@code pg-entrypoint.audit}. */
public final class Audit {

    static final String LOGGER = "pg-entrypoint.audit";
    /** MDC prefix under which the JSON layout finds audit facts while the event is logged. */
    static final String MDC_PREFIX = "audit.";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private Audit() {
    }

    /**
     * Logs {@code audit action=<action> k=v ...}; in JSON format the action and facts become
     * separate fields.
     *
     * @throws IllegalArgumentException if {@code facts} uses the reserved key {@code action}
     */
    public static void event(String action, Map<String, String> facts) {
        if (facts.containsKey("action")) {
            throw new IllegalArgumentException("audit fact key 'action' is reserved");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("action", action);
        fields.putAll(facts);
        Map<String, String> saved = new LinkedHashMap<>();
        List<String> added = new ArrayList<>();
        fields.forEach((key, value) -> {
            String mdcKey = MDC_PREFIX + key;
            String previous = MDC.get(mdcKey);
            if (previous == null) {
                added.add(mdcKey);
            } else {
                saved.put(mdcKey, previous);
            }
            MDC.put(mdcKey, value == null ? "" : value);
        });
        try {
            LOG.info("audit {}", KeyValues.format(fields));
        } finally {
            added.forEach(MDC::remove);
            saved.forEach(MDC::put);
        }
    }
}
