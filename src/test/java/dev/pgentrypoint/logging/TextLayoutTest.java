package dev.pgentrypoint.logging;

import static dev.pgentrypoint.logging.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextLayoutTest {

    private final TextLayout layout = new TextLayout(false);

    @Test
    void routeIdIsTheSource() {
        String line = layout.doLayout(event("pg-entrypoint.init", Level.INFO, "running initdb", null,
            Map.of("camel.routeId", "init-database-initdb", "source", "initdb")));
        assertEquals("2026-11-26T19:00:00.123Z INFO  [init-database-initdb] running initdb\n", line);
    }

    @Test
    void mdcSourceIsUsedWithoutRouteId() {
        String line = layout.doLayout(event("child", Level.WARN, "WARNING: enabling trust", null,
            Map.of("source", "initdb", "stream", "stderr")));
        assertEquals("2026-11-26T19:00:00.123Z WARN  [initdb] WARNING: enabling trust\n", line);
    }

    @Test
    void otherwiseTheLastSegmentOfTheLoggerName() {
        assertEquals("2026-11-26T19:00:00.123Z ERROR [Main] boom\n",
            layout.doLayout(event("dev.pgentrypoint.Main", Level.ERROR, "boom", null, Map.of())));
        assertEquals("2026-11-26T19:00:00.123Z DEBUG [plain] x\n",
            layout.doLayout(event("plain", Level.DEBUG, "x", null, Map.of())));
        assertEquals("2026-11-26T19:00:00.123Z INFO  [state] x\n",
            layout.doLayout(event("pg-entrypoint.state", Level.INFO, "x", null, Map.of("camel.routeId", ""))));
    }

    @Test
    void throwableIsSummarisedOnTheSameLine() {
        String line = layout.doLayout(event("dev.pgentrypoint.Main", Level.ERROR, "initdb failed",
            new IOException("disk full", new IllegalStateException("cause")), Map.of()));
        assertEquals("2026-11-26T19:00:00.123Z ERROR [Main] initdb failed: IOException: disk full\n", line);
    }

    @Test
    void throwableWithoutMessageShowsItsClassOnly() {
        String line = layout.doLayout(event("x", Level.WARN, "oops", new IllegalStateException(), Map.of()));
        assertEquals("2026-11-26T19:00:00.123Z WARN  [x] oops: IllegalStateException\n", line);
    }

    @Test
    void debugModePrintsTheStackTraceBelow() {
        String text = new TextLayout(true).doLayout(event("dev.pgentrypoint.Main", Level.ERROR, "initdb failed",
            new IOException("disk full", new IllegalStateException("root cause")), Map.of()));
        assertTrue(text.startsWith("2026-11-26T19:00:00.123Z ERROR [Main] initdb failed\njava.io.IOException: disk full\n"
            + "\tat "), text);
        assertTrue(text.contains("Caused by: java.lang.IllegalStateException: root cause"), text);
        assertTrue(text.endsWith("\n") && !text.endsWith("\n\n"), text);
    }
}
