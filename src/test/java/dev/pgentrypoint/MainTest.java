package dev.pgentrypoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupSummaryLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Camel Main's settings come from HOME/application.properties; Main adds only what the environment says. */
class MainTest {
    static final Path DIST = RoutesLoadTest.PROJECT.resolve("src/main/dist");

    @TempDir
    Path tmp;

    private org.apache.camel.main.Main main;

    @AfterEach
    void stop() {
        if (main != null) {
            if (main.getCamelContext() != null) {
                main.getCamelContext().getShutdownStrategy().setTimeUnit(TimeUnit.MILLISECONDS);
                main.getCamelContext().getShutdownStrategy().setTimeout(200);
            }
            main.stop();
        }
    }

    private CamelContext start(Path home, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DEBUG");
        env.put("WORKFLOWS_DIR", RoutesLoadTest.PROJECT.resolve("workflows").toString());
        env.put("ROUTES_DIR", RoutesLoadTest.PROJECT.resolve("routes").toString());
        env.put("STATE_FILE", tmp.resolve("state.json").toString());
        env.put("LOCK_FILE", tmp.resolve("lock").toString());
        env.put("PGDATA", tmp.resolve("data").toString());
        env.putAll(extra);
        main = Main.wire(env, List.of(), home, code -> { }).main();
        main.addOverrideProperty("camel.main.autoStartupExcludePattern", "entrypoint");
        main.start();
        return main.getCamelContext();
    }

    @Test
    void theDistributionsApplicationPropertiesConfigureCamelMain() throws Exception {
        CamelContext context = start(DIST, Map.of());
        assertEquals("pg-entrypoint", context.getName());
        assertEquals(5, context.getShutdownStrategy().getTimeout());
        assertTrue(context.getShutdownStrategy().isShutdownNowOnTimeout());
        assertTrue(context.isUseMDCLogging());
        assertEquals(StartupSummaryLevel.Off, context.getStartupSummaryLevel());
        assertTrue(context.getRoute("entrypoint") != null, "the workflow is loaded from WORKFLOWS_DIR");
        assertTrue(context.getRoute("init-database-main") != null, "the routes are loaded from ROUTES_DIR");
    }

    @Test
    void aValueChangedInTheFileIsApplied() throws Exception {
        Path home = Files.createDirectory(tmp.resolve("home"));
        String properties = Files.readString(DIST.resolve(Main.PROPERTIES_FILE));
        assertTrue(properties.contains("camel.main.shutdownTimeout = 5"));
        Files.writeString(home.resolve(Main.PROPERTIES_FILE), properties.replace("camel.main.shutdownTimeout = 5",
                "camel.main.shutdownTimeout = 9"));
        CamelContext context = start(home, Map.of());
        assertEquals(9, context.getShutdownStrategy().getTimeout());
    }

    @Test
    void aJvmSystemPropertyWinsOverTheFile() throws Exception {
        System.setProperty("camel.main.shutdownTimeout", "11");
        try {
            CamelContext context = start(DIST, Map.of());
            assertEquals(11, context.getShutdownStrategy().getTimeout());
        } finally {
            System.clearProperty("camel.main.shutdownTimeout");
        }
    }

    @Test
    void debugTurnsTheStartupSummaryOn() throws Exception {
        CamelContext context = start(DIST, Map.of("DEBUG", "1"));
        assertEquals(StartupSummaryLevel.Default, context.getStartupSummaryLevel());
    }

    @Test
    void withoutTheFileCamelMainDoesNotStartAndSaysWhichFile() {
        Exception e = assertThrows(Exception.class, () -> start(tmp, Map.of()));
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(tmp.resolve(Main.PROPERTIES_FILE).toString()), message);
    }
}
