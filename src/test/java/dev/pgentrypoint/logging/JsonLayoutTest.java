package dev.pgentrypoint.logging;

import static dev.pgentrypoint.logging.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.pgentrypoint.json.TestJson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLayoutTest {

    private final JsonLayout layout = new JsonLayout(false);

    private static Map<String, Object> parseLine(String line) {
        assertTrue(line.endsWith("\n"), line);
        assertFalse(line.substring(0, line.length() - 1).contains("\n"), "exactly one line: " + line);
        return TestJson.parseObject(line);
    }

    @Test
    void childLineHasAllFieldsInOrder() {
        String line = layout.doLayout(event("child", Level.INFO, "server started", null,
            Map.of("source", "postgres", "stream", "stderr")));
        assertEquals("{\"ts\":\"2026-11-26T19:00:00.123Z\",\"level\":\"INFO\",\"logger\":\"child\",\"source\":\"postgres\","
            + "\"msg\":\"server started\",\"stream\":\"stderr\"}\n", line);
    }

    @Test
    void routeIdIsBothSourceAndField() {
        Map<String, Object> json = parseLine(layout.doLayout(event("pg-entrypoint.init", Level.INFO, "x", null,
            Map.of("camel.routeId", "init-database-initdb", "camel.exchangeId", "ABC"))));
        assertEquals("init-database-initdb", json.get("source"));
        assertEquals("init-database-initdb", json.get("routeId"));
        assertEquals("pg-entrypoint.init", json.get("logger"));
        assertFalse(json.containsKey("camel.exchangeId"));
        assertFalse(json.containsKey("stream"));
    }

    @Test
    void awkwardCharactersStayValidJson() {
        String message = "quote\" backslash\\ newline\n tab\t ctl\u0001\u001b[0m é 😀 \u2028 lone\ud800";
        Map<String, Object> json = parseLine(layout.doLayout(event("x", Level.WARN, message, null,
            Map.of("source", "a\"b"))));
        assertEquals(message, json.get("msg"));
        assertEquals("a\"b", json.get("source"));
    }

    @Test
    void exceptionIsOneFieldWithoutStackUnlessDebug() {
        IOException failure = new IOException("disk \"full\"");
        Map<String, Object> plain = parseLine(layout.doLayout(event("x", Level.ERROR, "failed", failure, Map.of())));
        assertEquals("java.io.IOException: disk \"full\"", plain.get("exception"));
        assertFalse(plain.containsKey("stack"));

        Map<String, Object> debug = parseLine(new JsonLayout(true).doLayout(event("x", Level.ERROR, "failed", failure,
            Map.of())));
        assertEquals("java.io.IOException: disk \"full\"", debug.get("exception"));
        assertTrue(((String) debug.get("stack")).startsWith("java.io.IOException: disk \"full\"\n\tat "));
    }

    @Test
    void auditEventsCarryCategoryAndFactsAsFields() {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("audit.action", "create-role");
        mdc.put("audit.role", "app");
        mdc.put("audit.msg", "clash");
        mdc.put("source", "s");
        Map<String, Object> json = parseLine(layout.doLayout(event("pg-entrypoint.audit", Level.INFO,
            "audit action=create-role role=app", null, mdc)));
        assertEquals("audit", json.get("category"));
        assertEquals("create-role", json.get("action"));
        assertEquals("app", json.get("role"));
        assertEquals("audit action=create-role role=app", json.get("msg"));
        assertEquals("clash", json.get("audit.msg"));
        assertFalse(json.containsKey("audit.role"));
    }

    @Test
    void auditMdcKeysAreIgnoredOnOtherLoggers() {
        Map<String, Object> json = parseLine(layout.doLayout(event("pg-entrypoint.state", Level.INFO, "x", null,
            Map.of("audit.role", "app"))));
        assertFalse(json.containsKey("category"));
        assertFalse(json.containsKey("role"));
    }
}
