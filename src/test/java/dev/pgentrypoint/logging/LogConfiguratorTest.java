package dev.pgentrypoint.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.pgentrypoint.json.TestJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogConfiguratorTest {

    private final Function<String, String> originalEnv = LogConfigurator.env;
    private final PrintStream originalOut = System.out;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final LoggerContext context = newContext();

    /** A bare context, with the MDC adapter SLF4J's provider would normally install. */
    private static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    @BeforeEach
    void captureStdout() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        LogConfigurator.env = originalEnv;
        context.stop();
    }

    private Configurator.ExecutionStatus configure(Map<String, String> environment) {
        LogConfigurator.env = environment::get;
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        return configurator.configure(context);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void isRegisteredAsALogbackService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream()
            .anyMatch(provider -> provider.type() == LogConfigurator.class));
    }

    @Test
    void defaultsToTextWithQuietRootAndInfoForOurLoggers() {
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configure(Map.of()));

        assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        for (String name : List.of("dev.pgentrypoint", "pg-entrypoint", "child")) {
            assertEquals(Level.INFO, context.getLogger(name).getLevel(), name);
        }
        assertEquals(Level.WARN, context.getLogger("org.apache.camel").getLevel());
        assertEquals(Level.OFF, context.getLogger("org.apache.camel.component.exec").getLevel());

        context.getLogger("pg-entrypoint.state").info("state=READY");
        context.getLogger("pg-entrypoint.state").debug("hidden");
        context.getLogger("org.apache.camel.impl.Engine").info("hidden");
        context.getLogger("org.apache.camel.component.exec.ExecProducer").error("secret command line");
        context.getLogger("com.example.Other").warn("visible");

        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[state] state=READY"),
            lines.get(0));
        assertTrue(lines.get(1).endsWith(" WARN  [Other] visible"), lines.get(1));
    }

    @Test
    void jsonFormatWritesJsonLines() {
        configure(Map.of("LOG_FORMAT", " JSON "));
        context.getLogger("child").info("hello \"world\"");

        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        Map<String, Object> json = TestJson.parseObject(lines.get(0));
        assertEquals("hello \"world\"", json.get("msg"));
        assertEquals("INFO", json.get("level"));
        assertEquals("child", json.get("source"));
    }

    @Test
    void explicitTextFormatIsAccepted() {
        configure(Map.of("LOG_FORMAT", "text"));
        context.getLogger("child").info("plain");
        assertEquals(1, lines().size());
        assertTrue(lines().get(0).endsWith(" INFO  [child] plain"), lines().get(0));
    }

    /** Validation refuses the value with one message; the logging set up before it says nothing contradictory. */
    @Test
    void unknownFormatLogsTextWithoutAWarning() {
        configure(Map.of("LOG_FORMAT", "xml"));
        context.getLogger("child").info("after");

        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith(" INFO  [child] after"), lines.get(0));
    }

    @Test
    void debugLowersOurLoggersOnlyAndShowsStackTraces() {
        for (String value : List.of("1", "true", "YES", "on")) {
            LoggerContext fresh = newContext();
            LogConfigurator.env = Map.of("DEBUG", value)::get;
            LogConfigurator configurator = new LogConfigurator();
            configurator.setContext(fresh);
            configurator.configure(fresh);
            assertEquals(Level.DEBUG, fresh.getLogger("pg-entrypoint").getLevel(), value);
            fresh.stop();
        }
        out.reset();

        configure(Map.of("DEBUG", "1"));
        assertEquals(Level.DEBUG, context.getLogger("dev.pgentrypoint").getLevel());
        assertEquals(Level.DEBUG, context.getLogger("child").getLevel());
        assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.WARN, context.getLogger("org.apache.camel").getLevel());
        assertEquals(Level.OFF, context.getLogger("org.apache.camel.component.exec").getLevel());

        context.getLogger("dev.pgentrypoint.Main").debug("failed", new IOException("disk full"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(" DEBUG [Main] failed\njava.io.IOException: disk full\n\tat "), text);
    }

    @Test
    void otherDebugValuesKeepInfo() {
        configure(Map.of("DEBUG", "0"));
        assertEquals(Level.INFO, context.getLogger("pg-entrypoint").getLevel());
    }
}
