package dev.pgentrypoint.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgentrypoint.core.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** STARTUP_MODE takes its branch, DRY_RUN prints the plan and calls nothing, and a route added as YAML runs. */
class WorkflowModesTest extends WorkflowTestSupport {
    static final List<String> VALIDATION = List.of("util-validation-validate", "init-directories-validate",
            "init-upgrade-validate", "init-database-validate", "init-config-validate", "init-patroni-validate",
            "init-backup-validate", "init-scripts-validate", "init-credentials-validate", "init-collation-validate",
            "runtime-startup-validate", "util-validation-report");

    private List<String> runUntilStarted(Map<String, String> env) throws Exception {
        boot(env);
        recordSteps();
        context.getRouteController().startRoute("entrypoint");
        awaitWorkflowEnd();
        List<String> started = List.copyOf(stepsAfterValidation());
        lifecycle.onSignal("TERM");
        assertEquals(ExitCode.SUCCESS, awaitExit());
        return started;
    }

    @Test
    void directModeInitializesTheDatabaseAndStartsPostgres() throws Exception {
        assertEquals(List.of("util-lock-acquire", "init-directories-main", "init-backup-directories", "util-security-drop-privileges",
                "init-upgrade-main", "init-database-main", "init-config-main", "init-backup-main", "init-scripts-main",
                "init-credentials-main", "init-collation-main", "init-database-complete", "runtime-startup-direct",
                "runtime-backup-start", "runtime-upgrade-finish", "runtime-credentials-check", "runtime-collation-check"),
                runUntilStarted(Map.of("STARTUP_MODE", "direct")));
        assertEquals("util-lock-acquire", steps.get(0), "the lock is taken before anything else");
        assertEquals(VALIDATION, steps.subList(1, VALIDATION.size() + 1), "then every module is validated");
    }

    @Test
    void patroniModeRendersPatronisConfigurationAndStartsPatroni() throws Exception {
        assertEquals(List.of("util-lock-acquire", "init-directories-main", "init-backup-directories", "util-security-drop-privileges",
                "init-patroni-main", "init-backup-main", "runtime-patroni-start", "runtime-backup-start",
                "runtime-upgrade-finish", "runtime-credentials-check", "runtime-collation-check"),
                runUntilStarted(Map.of("STARTUP_MODE", "patroni")));
        assertTrue(steps.contains("runtime-patroni-stop"), "the stop goes through Patroni: " + steps);
    }

    @Test
    void sleepModeInitializesNothingAndStartsNothing() throws Exception {
        assertEquals(List.of("util-lock-acquire", "init-directories-main", "init-backup-directories", "util-security-drop-privileges",
                "runtime-startup-sleep", "runtime-backup-start", "runtime-upgrade-finish", "runtime-credentials-check",
                "runtime-collation-check"), runUntilStarted(Map.of("STARTUP_MODE", "sleep")));
    }

    @Test
    void dryRunPrintsThePlanAndCallsNothing() throws Exception {
        ListAppender<ILoggingEvent> plan = new ListAppender<>();
        plan.start();
        Logger logger = (Logger) LoggerFactory.getLogger("pg-entrypoint.plan");
        logger.addAppender(plan);
        try {
            boot(Map.of("DRY_RUN", "1"));
            recordSteps();
            assertEquals(ExitCode.SUCCESS, runWorkflow());
        } finally {
            logger.detachAppender(plan);
        }
        List<String> calledAfterValidation = stepsAfterValidation();
        assertEquals(List.of("util-lock-acquire", "init-config-cleanup"), calledAfterValidation,
                "only the lock probe (a dry run takes no lock) and the config cleanup (nothing to clean)");
        assertTrue(steps.stream().noneMatch(s -> s.startsWith("exec:") || s.startsWith("supervise:")), steps.toString());
        assertEquals(1, plan.list.size());
        String text = plan.list.get(0).getFormattedMessage();
        assertTrue(text.startsWith("DRY_RUN: every validation passed; nothing was written or started."), text);
        assertTrue(text.contains("initdb --pgdata=" + tmp.resolve("data")), text);
        assertTrue(Files.notExists(tmp.resolve("data")), "PGDATA was not created");
        assertEquals(null, fileState(), "no state was written");
    }

    @Test
    void aRouteAddedAsYamlRunsWhereTheWorkflowCallsIt() throws Exception {
        Path yaml = copyOfYaml();
        Files.createDirectories(yaml.resolve("routes/custom"));
        Files.writeString(yaml.resolve("routes/custom/hello.camel.yaml"), """
                - route:
                    id: custom-hello
                    from:
                      uri: direct:custom-hello
                      steps:
                        - log: {message: "hello from an added route", logName: pg-entrypoint.custom}
                        - to: {uri: "mock:custom-hello-ran"}
                """);
        Path workflow = yaml.resolve("workflows/entrypoint.camel.yaml");
        String call = "                  - to: {uri: direct:init-config-main}\n";
        String text = Files.readString(workflow);
        assertTrue(text.contains(call), "the workflow calls init-config-main in direct mode");
        Files.writeString(workflow, text.replace(call, call + "                  - to: {uri: direct:custom-hello}\n"));

        boot(Map.of(), yaml.resolve("workflows"), yaml.resolve("routes"));
        recordSteps();
        context.getRouteController().startRoute("entrypoint");
        awaitWorkflowEnd();
        List<String> after = stepsAfterValidation();
        int config = after.indexOf("init-config-main");
        assertEquals(List.of("init-config-main", "custom-hello-ran", "init-backup-main"), after.subList(config, config + 3));
        lifecycle.onSignal("TERM");
        assertEquals(ExitCode.SUCCESS, awaitExit());
    }
}
