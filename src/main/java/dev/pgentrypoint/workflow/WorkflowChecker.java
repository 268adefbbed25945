package dev.pgentrypoint.workflow;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads every YAML file Camel Main would load (WORKFLOWS_DIR/*.yaml, ROUTES_DIR/**&#47;*.yaml) and reports,
 * with file, line and route id, what would otherwise fail only while the workflow runs: YAML syntax
 * errors, routes without an id, duplicate route or route configuration ids, {@code direct:} targets
 * without a route (naming the new id of a renamed one), beans and bean methods that do not exist, property
 * placeholders that do not resolve, and {@code routeConfigurationId}s that name no route configuration. Changes nothing.
 */
public final class WorkflowChecker {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");
    private static final Pattern SIMPLE_BEAN = Pattern.compile("\\$\\{bean:([A-Za-z_][\\w-]*)(?:\\?method=([A-Za-z_]\\w*)|\\.([A-Za-z_]\\w*))?");
    private static final Pattern BEAN_URI = Pattern.compile("bean:([A-Za-z_][\\w-]*)(?:\\?method=([A-Za-z_]\\w*))?.*");
    private static final Pattern BEAN_REFERENCE = Pattern.compile("#(?:bean:)?([A-Za-z_][\\w-]*)");
    private static final Set<String> BEAN_STEPS = Set.of("bean", "method");

    private final Map<String, Object> beans;
    private final Properties properties;
    private final Map<String, String> env;

    /**
     * @param beans the beans the routes may call, by name
     * @param properties the properties placeholders resolve from
     * @param env the environment (Camel resolves {{a.b}} from A_B as well, and {{env:NAME}})
     */
    public WorkflowChecker(Map<String, Object> beans, Properties properties, Map<String, String> env) {
        this.beans = beans;
        this.properties = properties;
        this.env = env;
    }

    /** The files Camel Main loads with {@code file:WORKFLOWS_DIR/*.yaml,file:ROUTES_DIR/**&#47;*.yaml}, sorted. */
    public static List<Path> files(Path workflowsDir, Path routesDir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(workflowsDir)) {
            try (Stream<Path> s = Files.list(workflowsDir)) {
                s.filter(WorkflowChecker::isYaml).sorted().forEach(files::add);
            }
        }
        if (Files.isDirectory(routesDir)) {
            try (Stream<Path> s = Files.walk(routesDir)) {
                s.filter(WorkflowChecker::isYaml).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static boolean isYaml(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".yaml");
    }

    /** What a check found: every problem, in file and line order, and how many files and routes were read. */
    public record Report(List<WorkflowProblem> problems, int files, int routes) {
    }

    /** Checks the workflow of these two directories. */
    public Report check(Path workflowsDir, Path routesDir) {
        List<WorkflowProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(workflowsDir)) {
            problems.add(new WorkflowProblem(workflowsDir, 0, 0, "", "WORKFLOWS_DIR is not a directory: point WORKFLOWS_DIR "
                    + "to the directory of entrypoint.camel.yaml"));
        }
        if (!Files.isDirectory(routesDir)) {
            problems.add(new WorkflowProblem(routesDir, 0, 0, "", "ROUTES_DIR is not a directory: point ROUTES_DIR to the "
                    + "directory of the route files"));
        }
        try {
            List<Path> files = files(workflowsDir, routesDir);
            if (problems.isEmpty() && files.stream().noneMatch(f -> f.startsWith(workflowsDir))) {
                problems.add(new WorkflowProblem(workflowsDir, 0, 0, "", "WORKFLOWS_DIR holds no *.yaml file: nothing "
                        + "would start"));
            }
            Report report = check(files);
            problems.addAll(report.problems());
            return new Report(List.copyOf(problems), report.files(), report.routes());
        } catch (IOException e) {
            problems.add(new WorkflowProblem(routesDir, 0, 0, "", "cannot list the YAML files: " + e.getMessage()));
            return new Report(List.copyOf(problems), 0, 0);
        }
    }

    /** Checks these files as one workflow. */
    public Report check(List<Path> files) {
        Run run = new Run();
        for (Path file : files) {
            run.read(file);
        }
        run.link();
        run.problems.sort(Comparator.comparing((WorkflowProblem p) -> p.file().toString())
                .thenComparingInt(WorkflowProblem::line));
        return new Report(List.copyOf(run.problems), files.size(), run.routes);
    }

    /** Where something is declared or used. */
    private record Site(Path file, Node node, String routeId) {
        int line() {
            return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        }
    }

    /** One pass over a set of files: declarations first, then the links between them. */
    private final class Run {
        final List<WorkflowProblem> problems = new ArrayList<>();
        int routes;
        /** A file that could not be read may declare the missing targets: their checks wait until it reads. */
        boolean unreadable;
        final Map<String, List<Site>> routeIds = new LinkedHashMap<>();
        final Map<String, List<Site>> configurationIds = new LinkedHashMap<>();
        final Map<String, Site> directConsumers = new LinkedHashMap<>();
        final List<Map.Entry<String, Site>> directTargets = new ArrayList<>();
        final List<Map.Entry<String, Site>> configurationRefs = new ArrayList<>();

        void problem(Site site, String message) {
            problems.add(new WorkflowProblem(site.file(), site.line(), 0, site.routeId(), message));
        }

        void read(Path file) {
            List<Node> documents = new ArrayList<>();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeAllFromReader(reader)
                        .forEach(documents::add);
            } catch (MarkedYamlEngineException e) {
                int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
                int column = e.getProblemMark().map(m -> m.getColumn() + 1).orElse(0);
                problems.add(new WorkflowProblem(file, line, column, "", "YAML syntax error: " + e.getProblem()
                        + (e.getContext() == null ? "" : " (" + e.getContext() + ")")));
                unreadable = true;
                return;
            } catch (YamlEngineException | IOException e) {
                problems.add(new WorkflowProblem(file, 0, 0, "", "cannot read: " + e.getMessage()));
                unreadable = true;
                return;
            }
            for (Node document : documents) {
                if (!(document instanceof SequenceNode list)) {
                    problem(new Site(file, document, ""), "a route file is a YAML list (- route: ...); this document is not");
                    continue;
                }
                for (Node item : list.getValue()) {
                    readItem(file, item);
                }
            }
        }

        void readItem(Path file, Node item) {
            if (!(item instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
                problem(new Site(file, item, ""), "each list item holds one element (route, routeConfiguration, beans, ...)");
                return;
            }
            NodeTuple tuple = mapping.getValue().get(0);
            String kind = scalar(tuple.getKeyNode()).orElse("");
            Node body = tuple.getValueNode();
            switch (kind) {
                case "route" -> readRoute(file, tuple.getKeyNode(), body);
                case "routeConfiguration" -> {
                    Optional<String> id = scalar(get(body, "id"));
                    Site site = new Site(file, tuple.getKeyNode(), id.orElse(""));
                    id.ifPresent(i -> configurationIds.computeIfAbsent(i, k -> new ArrayList<>()).add(site));
                    walk(body, site);
                }
                default -> walk(body, new Site(file, tuple.getKeyNode(), ""));
            }
        }

        void readRoute(Path file, Node key, Node route) {
            routes++;
            Optional<String> id = scalar(get(route, "id"));
            Site site = new Site(file, key, id.orElse(""));
            if (id.isEmpty()) {
                problem(site, "route without an id: give it `id:` equal to its direct: name (route ids are the key of "
                        + "logs and metrics)");
            } else {
                routeIds.computeIfAbsent(id.get(), k -> new ArrayList<>()).add(site);
            }
            Node precondition = get(route, "precondition");
            walk(precondition, site);
            boolean loaded = scalar(precondition).map(p -> !"false".equalsIgnoreCase(resolve(p).trim())).orElse(true);
            scalar(get(route, "routeConfigurationId")).ifPresent(ids -> {
                for (String ref : ids.split(",")) {
                    if (!ref.isBlank()) {
                        configurationRefs.add(Map.entry(ref.trim(), new Site(file, get(route, "routeConfigurationId"), site.routeId())));
                    }
                }
            });
            Node from = get(route, "from");
            Node fromUri = from instanceof ScalarNode ? from : get(from, "uri");
            scalar(fromUri).filter(u -> u.startsWith("direct:")).ifPresent(uri -> {
                String name = directName(uri);
                if (loaded) {
                    directConsumers.putIfAbsent(name, new Site(file, fromUri, site.routeId()));
                }
            });
            if (!loaded) {
                return;
            }
            IdentityHashMap<Node, Boolean> skip = new IdentityHashMap<>();
            if (fromUri != null) {
                skip.put(fromUri, true);
            }
            for (NodeTuple t : ((MappingNode) route).getValue()) {
                String name = scalar(t.getKeyNode()).orElse("");
                if (!name.equals("id") && !name.equals("precondition") && !name.equals("routeConfigurationId")) {
                    walk(t.getValueNode(), site, skip);
                }
            }
        }

        void walk(Node node, Site site) {
            walk(node, site, new IdentityHashMap<>());
        }

        void walk(Node node, Site route, IdentityHashMap<Node, Boolean> skip) {
            if (node == null || skip.containsKey(node)) {
                return;
            }
            Site here = new Site(route.file(), node, route.routeId());
            if (node instanceof ScalarNode s) {
                checkScalar(s.getValue(), here);
            } else if (node instanceof SequenceNode seq) {
                seq.getValue().forEach(n -> walk(n, route, skip));
            } else if (node instanceof MappingNode map) {
                for (NodeTuple t : map.getValue()) {
                    String key = scalar(t.getKeyNode()).orElse("");
                    if (BEAN_STEPS.contains(key) && t.getValueNode() instanceof MappingNode call) {
                        checkBeanCall(call, new Site(route.file(), t.getValueNode(), route.routeId()));
                    }
                    walk(t.getValueNode(), route, skip);
                }
            }
        }

        void checkBeanCall(MappingNode call, Site site) {
            Optional<String> ref = scalar(get(call, "ref"));
            if (ref.isEmpty()) {
                return;
            }
            Optional<String> method = scalar(get(call, "method")).map(m -> m.contains("(") ? m.substring(0, m.indexOf('(')) : m);
            checkBean(ref.get(), method.map(String::trim).orElse(null), site);
        }

        void checkScalar(String value, Site site) {
            Matcher placeholder = PLACEHOLDER.matcher(value);
            while (placeholder.find()) {
                checkPlaceholder(placeholder.group(1), site);
            }
            if (value.startsWith("direct:") && !value.contains("${")) {
                directTargets.add(Map.entry(directName(value), site));
            }
            Matcher simple = SIMPLE_BEAN.matcher(value);
            while (simple.find()) {
                checkBean(simple.group(1), simple.group(2) != null ? simple.group(2) : simple.group(3), site);
            }
            Matcher uri = BEAN_URI.matcher(value);
            if (uri.matches()) {
                checkBean(uri.group(1), uri.group(2), site);
            }
            Matcher reference = BEAN_REFERENCE.matcher(value);
            if (reference.matches()) {
                checkBean(reference.group(1), null, site);
            }
        }

        void checkBean(String name, String method, Site site) {
            Object bean = beans.get(name);
            if (bean == null) {
                problem(site, "calls bean '" + name + "', which does not exist: use a bean the entrypoint binds"
                        + Names.orList(Names.suggestion(name, boundNames()), boundNames()));
                return;
            }
            if (method == null || method.isEmpty()) {
                return;
            }
            List<String> methods = Arrays.stream(bean.getClass().getMethods())
                    .filter(m -> m.getDeclaringClass() != Object.class).map(Method::getName).distinct().sorted().toList();
            if (!methods.contains(method)) {
                problem(site, "calls method '" + method + "' of bean '" + name + "', which has no such method"
                        + Names.orList(Names.suggestion(method, methods), methods));
            }
        }

        private List<String> boundNames() {
            return beans.keySet().stream().sorted().toList();
        }

        void checkPlaceholder(String expression, Site site) {
            String key = expression.startsWith("?") ? expression.substring(1) : expression;
            if (key.startsWith("env:") || key.startsWith("sys:")) {
                String rest = key.substring(4);
                int colon = rest.indexOf(':');
                String name = colon < 0 ? rest : rest.substring(0, colon);
                boolean known = key.startsWith("env:") ? env.containsKey(name) : System.getProperty(name) != null;
                if (colon < 0 && !known && !expression.startsWith("?")) {
                    problem(site, "property placeholder {{" + expression + "}} does not resolve: " + name + " is not set "
                            + "(give a default as {{" + key + ":value}})");
                }
                return;
            }
            if (key.contains(":") || expression.startsWith("?")) {
                return;
            }
            if (resolves(key)) {
                return;
            }
            problem(site, "property placeholder {{" + key + "}} does not resolve: use a property the entrypoint defines"
                    + Names.orList(Names.suggestion(key, propertyNames()), propertyNames()) + ", or give a default as {{" + key + ":value}}");
        }

        boolean resolves(String key) {
            return properties.getProperty(key) != null
                    || env.containsKey(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }

        List<String> propertyNames() {
            return new TreeSet<>(properties.stringPropertyNames()).stream().toList();
        }

        String resolve(String value) {
            Matcher m = PLACEHOLDER.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String key = m.group(1);
                String resolved = properties.getProperty(key);
                if (resolved == null) {
                    resolved = env.getOrDefault(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), m.group());
                }
                m.appendReplacement(out, Matcher.quoteReplacement(resolved));
            }
            m.appendTail(out);
            return out.toString();
        }

        void link() {
            routeIds.forEach((id, sites) -> duplicates("route id", id, sites));
            configurationIds.forEach((id, sites) -> duplicates("routeConfiguration id", id, sites));
            if (unreadable) {
                return;
            }
            for (Map.Entry<String, Site> target : directTargets) {
                if (!directConsumers.containsKey(target.getKey())) {
                    problem(target.getValue(), missingTarget(target.getKey()));
                }
            }
            for (Map.Entry<String, Site> ref : configurationRefs) {
                String id = ref.getKey();
                boolean found = id.contains("*")
                        ? configurationIds.keySet().stream().anyMatch(c -> c.matches(id.replace("*", ".*")))
                        : configurationIds.containsKey(id);
                if (!found) {
                    problem(ref.getValue(), "routeConfigurationId '" + id + "' names no routeConfiguration: use one of "
                            + String.join(", ", configurationIds.keySet())
                            + Names.suggestion(id, configurationIds.keySet().stream().sorted().toList()));
                }
            }
        }

        /** Why nothing consumes this direct: name, and what to do; a renamed route id names its new or old id. */
        String missingTarget(String name) {
            Optional<String> renamedTo = RenamedRoutes.replacement(name);
            if (renamedTo.isPresent() && directConsumers.containsKey(renamedTo.get())) {
                return "sends to direct:" + name + ", a route id that was renamed: use direct:" + renamedTo.get()
                        + " (route ids are <phase>-<module>-<step>; docs/architecture.md lists the renames)";
            }
            Optional<String> before = RenamedRoutes.previous(name).filter(directConsumers::containsKey);
            if (before.isPresent()) {
                Site old = directConsumers.get(before.get());
                return "sends to direct:" + name + ", but no route starts from it; the route at " + old.file() + ":"
                        + old.line() + " still has its old id " + before.get() + ": rename it (id and from) to " + name
                        + " (docs/architecture.md lists the renames)";
            }
            return "sends to direct:" + name + ", but no route starts from it: fix the name or add a route with from: "
                    + "{uri: direct:" + name + "}" + Names.suggestion(name, directConsumers.keySet().stream().sorted().toList());
        }

        void duplicates(String what, String id, List<Site> sites) {
            if (sites.size() < 2) {
                return;
            }
            Site first = sites.get(0);
            for (Site again : sites.subList(1, sites.size())) {
                problem(again, "duplicate " + what + " '" + id + "': also declared at " + first.file() + ":" + first.line()
                        + "; ids are unique across all files, rename or remove one");
            }
        }
    }

    private static String directName(String uri) {
        String name = uri.substring("direct:".length());
        if (name.startsWith("//")) {
            name = name.substring(2);
        }
        int q = name.indexOf('?');
        return q < 0 ? name : name.substring(0, q);
    }

    private static Node get(Node node, String key) {
        if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (scalar(t.getKeyNode()).filter(key::equals).isPresent()) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    private static Optional<String> scalar(Node node) {
        return node instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
    }
}
