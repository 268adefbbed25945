package dev.pgentrypoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.pgentrypoint.camel.BeanInfoCache;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts Camel Main over every YAML file of routes/ and workflows/ (the workflow's trigger excepted; routes whose precondition is false are not loaded). */
class RoutesLoadTest {
    static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private org.apache.camel.main.Main main;
    private CamelContext context;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("WORKFLOWS_DIR", PROJECT.resolve("workflows").toString());
        env.put("ROUTES_DIR", PROJECT.resolve("routes").toString());
        env.put("STATE_FILE", tmp.resolve("state.json").toString());
        env.put("LOCK_FILE", tmp.resolve("lock").toString());
        env.put("PGDATA", tmp.resolve("data").toString());
        main = Main.wire(env, List.of(), PROJECT.resolve("src/main/dist"), code -> { }).main();
        main.addOverrideProperty("camel.main.autoStartupExcludePattern", "entrypoint");
        main.start();
        context = main.getCamelContext();
    }

    @AfterEach
    void stop() {
        main.stop();
    }

    private List<RouteDefinition> definitions() {
        return ((ModelCamelContext) context).getRouteDefinitions();
    }

    /**
     * Building the routes introspects each bean class once: the bean component's cache is on before the
     * first route is built (docs/performance.md, "Startup"), so right after the start, before any route
     * ran, it holds one entry per class the loaded routes call.
     */
    @Test
    void eachBeanClassIsIntrospectedOnceWhileTheRoutesAreBuilt() throws IOException {
        Pattern reference = Pattern.compile("(?:ref: *|bean:)([A-Za-z]\\w*)");
        Set<Class<?>> classes = new HashSet<>();
        int steps = 0;
        for (Path file : yamlFiles()) {
            Matcher m = reference.matcher(Files.readString(file));
            while (m.find()) {
                Object bean = context.getRegistry().lookupByName(m.group(1));
                if (bean != null) {
                    classes.add(bean.getClass());
                    steps++;
                }
            }
        }
        assertTrue(steps > 3 * classes.size(), "the routes call " + classes.size() + " classes in " + steps + " steps");
        assertEquals(classes.size(), BeanInfoCache.size(context), "classes introspected while building the routes");
    }

    @Test
    void everyRouteOfEveryFileStarts() throws IOException {
        Set<String> declared = new TreeSet<>();
        for (Path file : yamlFiles()) {
            routePreconditions(file).forEach((id, precondition) -> {
                if (precondition.isEmpty() || Boolean.parseBoolean(context.resolvePropertyPlaceholders(precondition))) {
                    declared.add(id);
                }
            });
        }
        Set<String> loaded = definitions().stream().map(RouteDefinition::getRouteId).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, loaded);
        for (String id : loaded) {
            boolean started = context.getRouteController().getRouteStatus(id).isStarted();
            assertEquals(!"entrypoint".equals(id), started, "route " + id);
        }
    }

    @Test
    void everyRouteHasAnExplicitIdEqualToItsDirectName() {
        for (RouteDefinition route : definitions()) {
            assertTrue(route.hasCustomIdAssigned(), "route without explicit id: " + route);
            String from = route.getInput().getEndpointUri();
            if (from.startsWith("direct:")) {
                assertEquals(from.substring("direct:".length()), route.getRouteId(), "id must equal the direct: name");
            }
            assertTrue(route.getRouteId().matches("[a-z0-9]+(-[a-z0-9]+)*"), "not kebab-case: " + route.getRouteId());
        }
    }

    @Test
    void everyRouteIdIsPhaseModuleStepWithTheModuleOfItsFile() throws IOException {
        Map<String, String> phases = Map.of("init", "init|runtime", "runtime", "runtime", "utils", "util");
        List<String> problems = new ArrayList<>();
        for (Path file : yamlFiles()) {
            String name = file.getFileName().toString().replace(".camel.yaml", "");
            String dir = file.getParent().getFileName().toString();
            String pattern = dir.equals("workflows") ? Pattern.quote(name) + "(-[a-z0-9]+)*"
                    : "(" + phases.get(dir) + ")-" + Pattern.quote(name.replaceFirst("^[0-9]+-", "")) + "(-[a-z0-9]+)+";
            for (String id : routePreconditions(file).keySet()) {
                if (!id.matches(pattern)) {
                    problems.add(PROJECT.relativize(file) + ": " + id + " is not " + pattern);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theRouteIdTableOfTheArchitectureListsEveryRouteWithItsPhaseModuleAndStep() throws IOException {
        String doc = Files.readString(PROJECT.resolve("docs/architecture.md"));
        String section = doc.substring(doc.indexOf("\n## Route ids\n"), doc.indexOf("\n### Renamed route ids\n"));
        Pattern row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\| ([a-z]+) \\| ([a-z]+) \\| *([a-z0-9-]*) *\\|");
        Set<String> documented = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Matcher m = row.matcher(section); m.find(); ) {
            documented.add(m.group(1));
            String parts = m.group(2).equals("workflow") ? m.group(3) : m.group(2) + "-" + m.group(3);
            String expected = m.group(4).isEmpty() ? parts : parts + "-" + m.group(4);
            if (!m.group(1).equals(expected)) {
                problems.add(m.group(1) + " is documented as " + expected);
            }
        }
        Set<String> declared = new TreeSet<>();
        for (Path file : yamlFiles()) {
            declared.addAll(routePreconditions(file).keySet());
        }
        assertEquals(declared, documented);
        assertEquals(List.of(), problems);
    }

    @Test
    void everyRouteConfigurationIdResolves() {
        Set<String> configurations = ((ModelCamelContext) context).getRouteConfigurationDefinitions().stream()
                .map(RouteConfigurationDefinition::getId).collect(Collectors.toSet());
        assertEquals(Set.of("init-errors", "runtime-errors", "cleanup-errors", "backup-errors"), configurations);
        for (RouteDefinition route : definitions()) {
            if (route.getRouteConfigurationId() != null) {
                for (String id : route.getRouteConfigurationId().split(",")) {
                    assertTrue(configurations.contains(id.trim()), route.getRouteId() + " names unknown " + id);
                }
            }
        }
    }

    @Test
    void everyDirectTargetHasARouteAndEveryExecSetsExitValuesAndTimeout() throws IOException {
        Set<String> consumers = definitions().stream().map(r -> r.getInput().getEndpointUri())
                .filter(u -> u.startsWith("direct:")).collect(Collectors.toSet());
        Pattern direct = Pattern.compile("uri: (direct:[a-z0-9-]+)");
        List<String> problems = new ArrayList<>();
        for (Path file : yamlFiles()) {
            String yaml = Files.readString(file);
            Matcher m = direct.matcher(yaml);
            while (m.find()) {
                if (!consumers.contains(m.group(1))) {
                    problems.add(file.getFileName() + " sends to " + m.group(1) + " which no route consumes");
                }
            }
            int at = yaml.indexOf("exec:");
            while (at >= 0) {
                String block = yaml.substring(at, Math.min(yaml.length(), at + 300));
                if (!block.contains("exitValues") || !block.contains("timeout")) {
                    problems.add(file.getFileName() + ": an exec without exitValues or timeout near " + block.lines().findFirst().orElse(""));
                }
                at = yaml.indexOf("exec:", at + 1);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theShippedWorkflowPassesTheWorkflowCheckWithTheRealBeans() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PGDATA", tmp.resolve("data").toString());
        Main.Wiring wiring = Main.wire(env, List.of(), PROJECT, code -> { });
        var report = Main.checkWorkflow(wiring, env);
        assertEquals(List.of(), report.problems());
        assertEquals(yamlFiles().size(), report.files());
        long withPrecondition = 0;
        for (Path file : yamlFiles()) {
            withPrecondition += Files.readString(file).lines().filter(l -> l.strip().startsWith("precondition:")).count();
        }
        assertEquals(definitions().size() + withPrecondition, report.routes(),
                "the routes with a precondition (backup schedules, archive and repository watches) are off in this test");
    }

    /** The sample of docs/architecture.md ("Renamed route ids"): the shipped workflow, calling an old id. */
    @Test
    void aWorkflowThatCallsARenamedIdStopsAtTheCheckWithTheDocumentedLine() throws IOException {
        Path flow = tmp.resolve("flow");
        for (String dir : List.of("workflows", "routes")) {
            try (Stream<Path> files = Files.walk(PROJECT.resolve(dir))) {
                for (Path p : files.toList()) {
                    Path target = flow.resolve(PROJECT.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                }
            }
        }
        Path workflow = flow.resolve("workflows/entrypoint.camel.yaml");
        Files.writeString(workflow, Files.readString(workflow)
                .replace("direct:util-security-drop-privileges}", "direct:security-drop-privileges}"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PGDATA", tmp.resolve("data").toString());
        env.put("WORKFLOWS_DIR", flow.resolve("workflows").toString());
        env.put("ROUTES_DIR", flow.resolve("routes").toString());
        var report = Main.checkWorkflow(Main.wire(env, List.of(), PROJECT, code -> { }), env);
        String documented = Files.readString(PROJECT.resolve("docs/architecture.md")).lines()
                .filter(l -> l.startsWith("ERROR [workflow-check]")).findFirst().orElseThrow()
                .substring("ERROR [workflow-check] ".length()).replace("/etc/flow", flow.toString());
        assertEquals(List.of(documented), report.problems().stream().map(Object::toString).toList());
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Stream.concat(Files.walk(PROJECT.resolve("routes")), Files.walk(PROJECT.resolve("workflows")))) {
            return files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    /** Route ids of a file with their precondition (empty when the route has none): routes whose precondition is false are left out. */
    static Map<String, String> routePreconditions(Path file) {
        try {
            Map<String, String> ids = new LinkedHashMap<>();
            String[] lines = Files.readString(file).split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                if (lines[i].trim().equals("- route:") && lines[i + 1].trim().startsWith("id: ")) {
                    String precondition = "";
                    for (int j = i + 2; j < lines.length && !lines[j].trim().startsWith("from:"); j++) {
                        if (lines[j].trim().startsWith("precondition: ")) {
                            precondition = lines[j].trim().substring("precondition: ".length()).replace("\"", "");
                        }
                    }
                    ids.put(lines[i + 1].trim().substring(4).trim(), precondition);
                }
            }
            return ids;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
