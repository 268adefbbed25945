package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metrics and health of a running entrypoint with real PostgreSQL, and the CLI check against the endpoint. */
class ObservabilityIT {
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void everyRouteHasItsSeriesAndDomainMetersAreExported() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            String metrics = e.http("/observe/metrics").output();
            for (String id : routeIds()) {
                assertTrue(metrics.contains("camel_exchanges_total{camelContext=\"pg-entrypoint\",eventType=\"route\","
                        + "kind=\"CamelRoute\",routeId=\"" + id + "\"}"), "no series for route " + id);
            }
            assertTrue(metrics.contains("camel_route_policy_seconds_count{camelContext=\"pg-entrypoint\",eventType=\"route\","
                    + "kind=\"CamelRoute\",routeId=\"init-database-initdb\"} 1"), metrics);
            assertTrue(metrics.contains("pg_entrypoint_state 4.0"), "state RUNNING is 4");
            assertTrue(value(metrics, "pg_entrypoint_startup_seconds") > 0, "startup seconds");
            assertTrue(value(metrics, "pg_entrypoint_init_seconds") > 0, "init seconds");
            assertTrue(metrics.contains("# HELP pg_entrypoint_state Current state"), "meters have descriptions");
            // the example scrape of docs/observability.md: its comment lines as they are, each series with its
            // labels in this scrape with a number as value (values and times aside)
            List<String> scrapeLines = metrics.lines().toList();
            for (String line : documentedScrape()) {
                if (line.startsWith("#")) {
                    assertTrue(scrapeLines.contains(line), "documented line not in the scrape: " + line + "\n" + metrics);
                    continue;
                }
                String series = line.substring(0, line.lastIndexOf(' ') + 1);
                assertTrue(scrapeLines.stream().anyMatch(l -> l.startsWith(series)
                        && l.substring(series.length()).matches("-?[0-9.]+(E-?[0-9]+)?|NaN")), "documented series not in the scrape: "
                        + line + "\n" + metrics);
            }
        }
    }

    /**
     * The exit counter, as the docs name it, scraped from a running entrypoint: it exists only once a child
     * ended, so a copy of the workflow holds the stop for 4 s, after postgres stopped, before the cleanup.
     */
    @Test
    void theChildExitCounterIsScrapedAsTheDocsNameIt() throws Exception {
        Path workflows = Files.createDirectories(tmp.resolve("workflows"));
        copyTree(EntrypointProcess.DIST.resolve("workflows"), workflows);
        Path workflow = workflows.resolve("entrypoint.camel.yaml");
        String cleanup = "        - to: {uri: direct:runtime-backup-cleanup}\n";
        String yaml = Files.readString(workflow);
        assertTrue(yaml.contains(cleanup), "the cleanup's first step moved: " + yaml);
        Files.writeString(workflow, yaml.replace(cleanup, "        - delay: {expression: {constant: 4000}}\n" + cleanup));
        try (EntrypointProcess e = new EntrypointProcess(Files.createDirectories(tmp.resolve("e")))) {
            e.with("WORKFLOWS_DIR", workflows.toString()).with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            assertFalse(e.http("/observe/metrics").output().contains("pg_entrypoint_child_exits_total"), "no exit yet");
            e.signal("TERM");
            e.awaitLog("server stopped forced=false", Duration.ofSeconds(30));
            String metrics = e.http("/observe/metrics").output();
            assertEquals(0, e.awaitExit(Duration.ofSeconds(30)), e.log());

            Matcher series = Pattern.compile("(?m)^(pg_entrypoint_child_exits_total)\\{child=\"(\\w+)\",reason=\"(\\w+)\"} 1\\.0$")
                    .matcher(metrics);
            assertTrue(series.find(), metrics);
            assertEquals("postgres", series.group(2));
            assertEquals("stopped", series.group(3));
            assertTrue(metrics.contains("# TYPE pg_entrypoint_child_exits_total counter"), metrics);
            // docs/observability.md: name, type, labels and the reasons in its row
            Matcher row = Pattern.compile("(?m)^\\| `(pg_entrypoint_child_exits\\w*)` \\| (\\w+) \\| `(\\w+)`, `(\\w+)` \\| (.*) \\|$")
                    .matcher(Files.readString(Path.of("docs/observability.md")));
            assertTrue(row.find(), "no child exits row in docs/observability.md");
            assertEquals(List.of(series.group(1), "counter", "child", "reason"),
                    List.of(row.group(1), row.group(2), row.group(3), row.group(4)));
            assertTrue(row.group(5).contains("`" + series.group(3) + "`") && row.group(5).contains(series.group(2)), row.group(5));
            // docs/operations.md and docs/ha.md name the same series with the same labels
            assertTrue(Files.readString(Path.of("docs/operations.md")).contains("| `" + series.group(1) + "{child,reason}` | counter |"),
                    "docs/operations.md");
            assertTrue(Files.readString(Path.of("docs/ha.md")).contains("| `" + series.group(1) + "{child=\"patroni\",reason=...}` |"),
                    "docs/ha.md");
        }
    }

    @Test
    void aFailingStepAddedInYamlCountsItsFailures() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path routes = Files.createDirectories(tmp.resolve("routes"));
            copyTree(EntrypointProcess.DIST.resolve("routes"), routes);
            Files.writeString(routes.resolve("flaky.camel.yaml"), """
                    - route:
                        id: custom-flaky
                        from:
                          uri: timer:flaky
                          parameters: {period: 100}
                          steps:
                            - throwException:
                                exceptionType: java.lang.IllegalStateException
                                message: "flaky step"
                    """);
            EntrypointProcess.openUp(routes);
            e.with("ROUTES_DIR", routes.toString()).with("STARTUP_MODE", "sleep").start();
            e.awaitState("READY", START);
            e.await(() -> {
                try {
                    return failures(e.http("/observe/metrics").output()) >= 3;
                } catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            }, Duration.ofSeconds(20), "three failures of custom-flaky");
        }
    }

    @Test
    void healthFollowsPostgresAndTheDiskAndTheCliAgrees() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            assertEquals(200, e.http("/observe/health").code());
            assertEquals(200, e.http("/observe/health/ready").code());
            assertEquals(200, e.http("/observe/health/live").code());
            String answer = e.http("/observe/health").output();
            String documented = Files.readString(Path.of("docs/operations.md")).lines()
                    .filter(l -> l.startsWith("{\"status\":\"UP\",\"time\"")).findFirst().orElseThrow();
            assertEquals(documented.replaceAll("\"time\":\"[^\"]*\"", "").replaceAll("\\d+", "N"),
                    answer.strip().replace(e.pgdata().toString(), "/var/lib/postgresql/data")
                            .replaceAll("\"time\":\"[^\"]*\"", "").replaceAll("\\d+", "N"));
            EntrypointProcess.Result healthy = cli(e, "healthcheck");
            assertEquals(0, healthy.code(), healthy.output());
            // the sample of docs/operations.md, numbers and this test's paths aside
            String sample = Files.readString(Path.of("docs/operations.md")).lines()
                    .filter(l -> l.startsWith("healthy: alive:")).findFirst().orElseThrow();
            assertEquals(sample.replaceAll("\\d+", "N"), healthy.output().replace(e.pgdata().toString(), "/var/lib/postgresql/data")
                    .replace(e.stateFile().toString(), "/tmp/pg-entrypoint-var-lib-postgresql-data.state")
                    .replaceAll("\\d+", "N"));

            long postmaster = e.postmasterPid();
            assertTrue(postmaster > 1, "no postmaster.pid");
            EntrypointProcess.signal(postmaster, "STOP");
            try {
                EntrypointProcess.Result health = e.http("/observe/health");
                assertEquals(503, health.code(), health.output());
                assertTrue(health.output().contains("{\"name\":\"connectivity\",\"status\":\"DOWN\""), health.output());
                assertEquals(200, e.http("/observe/health/live").code(), "liveness does not depend on postgres");
                EntrypointProcess.Result check = cli(e, "healthcheck", "--type=connectivity");
                assertEquals(1, check.code(), check.output());
                assertTrue(check.output().startsWith("unhealthy: connectivity"), check.output());
            } finally {
                EntrypointProcess.signal(postmaster, "CONT");
            }
            e.await(() -> httpCode(e, "/observe/health/ready") == 200, Duration.ofSeconds(10), "ready again");
        }
    }

    @Test
    void diskBelowTheThresholdIsUnhealthyWithTheFreeBytes() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").with("HEALTH_DISK_MIN_FREE", "100%").start();
            e.awaitState("RUNNING", START);
            EntrypointProcess.Result ready = e.http("/observe/health/ready");
            assertEquals(503, ready.code(), ready.output());
            assertTrue(ready.output().matches("(?s).*\"name\":\"disk\",\"status\":\"DOWN\",\"message\":\"[^\"]* has \\d+ bytes free.*"),
                    ready.output());
            EntrypointProcess.Result check = cli(e, "healthcheck", "--type=disk");
            assertEquals(1, check.code(), check.output());
            assertTrue(check.output().contains("bytes free, below the minimum"), check.output());
            assertEquals(1, cli(e, "healthcheck").code(), "the overall check agrees with the endpoint");
        }
    }

    @Test
    void notReadyWhileInitScriptsRunOnTheTemporaryServer() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Path started = e.dir.resolve("run/script-started");
            Path release = e.dir.resolve("run/script-release");
            Files.writeString(scripts.resolve("10-wait.sh"), "touch " + started + "\nfor i in $(seq 300); do [ -e "
                    + release + " ] && exit 0; sleep 0.1; done\nexit 1\n");
            EntrypointProcess.openUp(scripts);
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.await(() -> Files.exists(started), START, "the init script");
            EntrypointProcess.Result ready = e.http("/observe/health/ready");
            assertEquals(503, ready.code(), ready.output());
            assertTrue(ready.output().contains("state INITIALIZING"), ready.output());
            assertEquals(200, e.http("/observe/health/live").code(), "alive while initializing");
            assertEquals(1, cli(e, "healthcheck").code());
            Files.writeString(release, "go");
            e.awaitState("RUNNING", START);
            assertEquals(200, e.http("/observe/health/ready").code());
        }
    }

    @Test
    void theManagementServerCanBeTurnedOff() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("MANAGEMENT_ENABLED", "false").with("STARTUP_MODE", "sleep").start();
            e.awaitState("READY", START);
            assertEquals(-1, e.http("/observe/health").code());
        }
    }

    private static int httpCode(EntrypointProcess e, String path) {
        try {
            return e.http(path).code();
        } catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private EntrypointProcess.Result cli(EntrypointProcess e, String... args) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cli-" + System.nanoTime()));
        try (EntrypointProcess check = EntrypointProcess.sharing(e, dir)) {
            int code = check.run(Duration.ofSeconds(15), args);
            return new EntrypointProcess.Result(code, check.log().trim());
        }
    }

    /** The lines of the "An example scrape" block of docs/observability.md. */
    private static List<String> documentedScrape() throws IOException {
        List<String> doc = Files.readAllLines(Path.of("docs/observability.md"));
        int at = doc.indexOf("### An example scrape");
        assertTrue(at >= 0, "no example scrape in docs/observability.md");
        int open = doc.subList(at, doc.size()).indexOf("```") + at;
        int close = doc.subList(open + 1, doc.size()).indexOf("```") + open + 1;
        List<String> sample = doc.subList(open + 1, close);
        assertTrue(sample.size() >= 5, "example scrape: " + sample);
        return sample;
    }

    private static double failures(String metrics) {
        Matcher m = Pattern.compile("camel_exchanges_failed_total\\{[^}]*routeId=\"custom-flaky\"} ([0-9.]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), name + " missing");
        return Double.parseDouble(m.group(1));
    }

    private static List<String> routeIds() throws Exception {
        try (Stream<Path> files = Stream.concat(Files.walk(EntrypointProcess.DIST.resolve("routes")),
                Files.walk(EntrypointProcess.DIST.resolve("workflows")))) {
            return files.filter(p -> p.toString().endsWith(".camel.yaml")).flatMap(p -> {
                try {
                    // a route with a precondition (a backup schedule) is loaded only when that is true
                    return Pattern.compile("- route:\\s+id: ([a-z0-9-]+)\\n(?!\\s*precondition:)").matcher(Files.readString(p)).results()
                            .map(r -> r.group(1)).toList().stream();
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    EntrypointProcess.openUp(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
