package dev.pgentrypoint.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.pgentrypoint.json.TestJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class AuditTest {

    /** Renders events while they are logged, when the MDC is still in place. */
    private static final class Rendering extends AppenderBase<ILoggingEvent> {
        final List<String> text = new ArrayList<>();
        final List<String> json = new ArrayList<>();
        final List<Level> levels = new ArrayList<>();
        private final TextLayout textLayout = new TextLayout(false);
        private final JsonLayout jsonLayout = new JsonLayout(false);

        @Override
        protected void append(ILoggingEvent event) {
            levels.add(event.getLevel());
            text.add(textLayout.doLayout(event));
            json.add(jsonLayout.doLayout(event));
        }
    }

    private final Logger audit = (Logger) LoggerFactory.getLogger("pg-entrypoint.audit");
    private final Rendering rendering = new Rendering();

    @BeforeEach
    void attach() {
        rendering.start();
        audit.addAppender(rendering);
    }

    @AfterEach
    void detach() {
        audit.detachAppender(rendering);
        MDC.clear();
    }

    @Test
    void logsActionAndFactsAsKeyValuesAtInfo() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("role", "app");
        facts.put("database", "my db");
        Audit.event("create-role", facts);

        assertEquals(List.of(Level.INFO), rendering.levels);
        assertEquals(" INFO  [audit] audit action=create-role role=app database=\"my db\"\n",
            rendering.text.get(0).substring(24));
    }

    @Test
    void jsonCarriesFactsAsSeparateFields() {
        Audit.event("create-role", Map.of("role", "app", "database", "my db"));

        Map<String, Object> json = TestJson.parseObject(rendering.json.get(0));
        assertEquals("audit", json.get("category"));
        assertEquals("create-role", json.get("action"));
        assertEquals("app", json.get("role"));
        assertEquals("my db", json.get("database"));
        assertEquals("pg-entrypoint.audit", json.get("logger"));
    }

    @Test
    void mdcIsRestoredAfterTheEvent() {
        MDC.put("audit.role", "outer");
        MDC.put("source", "kept");
        Audit.event("drop", Map.of("role", "inner", "database", "db"));

        assertEquals("inner", TestJson.parseObject(rendering.json.get(0)).get("role"));
        assertEquals("outer", MDC.get("audit.role"));
        assertEquals("kept", MDC.get("source"));
        assertNull(MDC.get("audit.database"));
        assertNull(MDC.get("audit.action"));
    }

    @Test
    void actionIsAReservedFactKey() {
        assertThrows(IllegalArgumentException.class, () -> Audit.event("x", Map.of("action", "y")));
        assertEquals(List.of(), rendering.levels);
    }
}
