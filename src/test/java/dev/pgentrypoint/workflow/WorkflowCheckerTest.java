package dev.pgentrypoint.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of mistake the checker finds, each naming file, line and route id. */
class WorkflowCheckerTest {
    /** A bean the routes call. */
    public static final class Steps {
        public void prepare() {
        }

        public String name() {
            return "x";
        }
    }

    @TempDir
    Path tmp;
    private Path workflows;
    private Path routes;
    private final Properties properties = new Properties();
    private final Map<String, Object> beans = Map.of("steps", new Steps());

    @BeforeEach
    void dirs() throws IOException {
        workflows = Files.createDirectories(tmp.resolve("workflows"));
        routes = Files.createDirectories(tmp.resolve("routes/init"));
        properties.setProperty("entrypoint.exec.timeout", "1000");
        write(workflows.resolve("main.camel.yaml"), """
                - route:
                    id: main
                    routeConfigurationId: errors
                    from:
                      uri: timer:main
                      steps:
                        - to: {uri: direct:step-one}
                """);
        write(routes.resolve("errors.camel.yaml"), """
                - routeConfiguration:
                    id: errors
                    onException:
                      - onException:
                          exception: [java.lang.Exception]
                          steps:
                            - bean: {ref: steps, method: prepare}
                """);
    }

    private static void write(Path file, String yaml) throws IOException {
        Files.writeString(file, yaml);
    }

    private List<WorkflowProblem> check(String stepOne) throws IOException {
        write(routes.resolve("01-step.camel.yaml"), stepOne);
        return new WorkflowChecker(beans, properties, Map.of("MY_SETTING", "on")).check(workflows, routes).problems();
    }

    private static WorkflowProblem only(List<WorkflowProblem> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    @Test
    void aSoundWorkflowHasNoProblem() throws IOException {
        List<WorkflowProblem> problems = check("""
                - route:
                    id: step-one
                    routeConfigurationId: errors
                    from:
                      uri: direct:step-one
                      steps:
                        - bean: {ref: steps, method: prepare}
                        - setBody:
                            expression: {method: {ref: steps, method: name}}
                        - log: {message: "${bean:steps?method=name} {{entrypoint.exec.timeout}} {{my.setting}} {{undefined:fallback}} {{env:MY_SETTING}}"}
                        - to: {uri: "exec:/bin/true", parameters: {timeout: "{{entrypoint.exec.timeout}}"}}
                """);
        assertEquals(List.of(), problems);
        WorkflowChecker.Report report = new WorkflowChecker(beans, properties, Map.of()).check(workflows, routes);
        assertEquals(3, report.files());
        assertEquals(2, report.routes());
    }

    @Test
    void aDirectTargetWithoutRouteIsNamedWithFileLineAndRoute() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - to: {uri: direct:step-tow}
                - route:
                    id: step-two
                    from:
                      uri: direct:step-two
                      steps:
                        - log: {message: two}
                """));
        assertEquals(routes.resolve("01-step.camel.yaml"), p.file());
        assertEquals(6, p.line());
        assertEquals("step-one", p.routeId());
        assertTrue(p.message().contains("direct:step-tow") && p.message().contains("did you mean 'step-two'"), p.message());
        assertTrue(p.toString().startsWith(routes.resolve("01-step.camel.yaml") + ":6: route step-one: "), p.toString());
    }

    @Test
    void aYamlSyntaxErrorHasLineAndColumn() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - log: {message: a: b}
                """));
        assertEquals(6, p.line());
        assertEquals(27, p.column());
        assertTrue(p.message().startsWith("YAML syntax error"), p.message());
    }

    @Test
    void aDuplicateRouteIdNamesBothFiles() throws IOException {
        write(routes.resolve("02-again.camel.yaml"), """
                - route:
                    id: step-one
                    from:
                      uri: direct:step-again
                      steps:
                        - log: {message: again}
                """);
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - log: {message: one}
                """));
        assertEquals(routes.resolve("02-again.camel.yaml"), p.file());
        assertEquals(1, p.line());
        assertTrue(p.message().contains("duplicate route id 'step-one'")
                && p.message().contains(routes.resolve("01-step.camel.yaml") + ":1"), p.message());
    }

    @Test
    void aMissingBeanIsReported() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - bean: {ref: stpes, method: prepare}
                """));
        assertEquals(6, p.line());
        assertTrue(p.message().contains("bean 'stpes'") && p.message().contains("did you mean 'steps'"), p.message());
    }

    @Test
    void aMissingMethodIsReportedInStepsExpressionsAndSimple() throws IOException {
        List<WorkflowProblem> problems = check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - bean: {ref: steps, method: "prepar('x')"}
                        - setBody:
                            expression: {method: {ref: steps, method: nam}}
                        - log: {message: "${bean:steps?method=nme}"}
                        - to: {uri: "supervise:x", parameters: {readyCheck: "#nobean"}}
                """);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).message().contains("method 'prepar' of bean 'steps'"), problems.toString());
        assertTrue(problems.get(1).message().contains("method 'nam'"), problems.toString());
        assertTrue(problems.get(2).message().contains("method 'nme'"), problems.toString());
        assertTrue(problems.get(3).message().contains("bean 'nobean'"), problems.toString());
        assertEquals(List.of(6, 8, 9, 10), problems.stream().map(WorkflowProblem::line).toList());
    }

    @Test
    void anUnresolvedPlaceholderIsReported() throws IOException {
        List<WorkflowProblem> problems = check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - to: {uri: "exec:/bin/true", parameters: {timeout: "{{entrypoint.exec.timout}}"}}
                        - log: {message: "{{env:NOT_SET_ANYWHERE}}"}
                """);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).message().contains("{{entrypoint.exec.timout}}")
                && problems.get(0).message().contains("did you mean 'entrypoint.exec.timeout'"), problems.toString());
        assertTrue(problems.get(1).message().contains("NOT_SET_ANYWHERE is not set"), problems.toString());
    }

    @Test
    void anUnknownRouteConfigurationIdIsReported() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    routeConfigurationId: erors
                    from:
                      uri: direct:step-one
                      steps:
                        - log: {message: one}
                """));
        assertEquals(3, p.line());
        assertTrue(p.message().contains("'erors'") && p.message().contains("did you mean 'errors'"), p.message());
    }

    @Test
    void aRouteWithoutIdIsReported() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    from:
                      uri: direct:step-one
                      steps:
                        - log: {message: one}
                """));
        assertTrue(p.message().startsWith("route without an id"), p.message());
    }

    @Test
    void aRouteWhosePreconditionIsFalseIsNoTarget() throws IOException {
        properties.setProperty("entrypoint.optional", "false");
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    precondition: "{{entrypoint.optional}}"
                    from:
                      uri: direct:step-one
                      steps:
                        - bean: {ref: absent}
                """));
        assertEquals(workflows.resolve("main.camel.yaml"), p.file());
        assertTrue(p.message().contains("direct:step-one"), p.message());
    }

    @Test
    void aCallOfARenamedRouteIdNamesTheNewId() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - to: {uri: direct:security-drop-privileges}
                - route:
                    id: util-security-drop-privileges
                    from:
                      uri: direct:util-security-drop-privileges
                      steps:
                        - log: {message: dropped}
                """));
        assertEquals(routes.resolve("01-step.camel.yaml"), p.file());
        assertEquals(6, p.line());
        assertEquals("step-one", p.routeId());
        assertTrue(p.message().contains("direct:security-drop-privileges, a route id that was renamed: use "
                + "direct:util-security-drop-privileges"), p.message());
    }

    @Test
    void aRouteStillUnderItsOldIdIsNamedWhenTheNewIdIsCalled() throws IOException {
        WorkflowProblem p = only(check("""
                - route:
                    id: step-one
                    from:
                      uri: direct:step-one
                      steps:
                        - to: {uri: direct:runtime-shutdown-main}
                - route:
                    id: runtime-shutdown
                    from:
                      uri: direct:runtime-shutdown
                      steps:
                        - log: {message: stopped}
                """));
        assertEquals(6, p.line());
        assertTrue(p.message().contains("the route at " + routes.resolve("01-step.camel.yaml") + ":10 still has its old "
                + "id runtime-shutdown: rename it (id and from) to runtime-shutdown-main"), p.message());
    }

    @Test
    void theRenamedIdsAreGoneFromTheShippedYamlAndTheirReplacementsAreRoutes() throws IOException {
        Path project = Path.of("").toAbsolutePath();
        List<Path> files = WorkflowChecker.files(project.resolve("workflows"), project.resolve("routes"));
        StringBuilder all = new StringBuilder();
        for (Path file : files) {
            all.append(Files.readString(file));
        }
        for (String old : List.of("security-drop-privileges", "runtime-startup-patroni", "runtime-shutdown")) {
            String replacement = RenamedRoutes.replacement(old).orElseThrow();
            assertEquals(old, RenamedRoutes.previous(replacement).orElseThrow());
            assertTrue(all.toString().contains("uri: direct:" + replacement + "\n"), replacement);
            assertTrue(!all.toString().contains("direct:" + old + "}") && !all.toString().contains("direct:" + old + "\n"),
                    old + " is still called");
        }
        assertTrue(RenamedRoutes.replacement("init-database-main").isEmpty());
    }

    @Test
    void missingDirectoriesAreReported() {
        List<WorkflowProblem> problems = new WorkflowChecker(beans, properties, Map.of())
                .check(tmp.resolve("none"), routes).problems();
        assertTrue(problems.get(0).message().startsWith("WORKFLOWS_DIR is not a directory"), problems.toString());
    }
}
