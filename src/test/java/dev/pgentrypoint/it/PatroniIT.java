package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.patroni.PatroniHealth;
import dev.pgentrypoint.patroni.PatroniStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real etcd, real Patroni, three entrypoints on 127.0.0.1: a leader is elected, replicas stream, a
 * SIGTERM to the leader's entrypoint fails over without losing an acknowledged row, the stopped
 * entrypoint exits 0 leaving no process, and the old leader comes back as a replica.
 */
class PatroniIT {
    static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void electsStreamsFailsOverAndRejoins() throws Exception {
        try (EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember m1 = member("m1", etcd);
                PatroniMember m2 = member("m2", etcd);
                PatroniMember m3 = member("m3", etcd)) {
            long begin = System.nanoTime();
            m1.start().awaitRunning(START);
            assertTrue(m1.isLeader(), "the first member leads: " + m1.status());
            log("leader up %.1f s after its entrypoint started", begin);

            long replicasStarted = System.nanoTime();
            m2.start();
            m3.start();
            m2.awaitRunning(START);
            m3.awaitRunning(START);
            await(() -> m2.isStreamingReplica() && m3.isStreamingReplica(), START, "both replicas streaming");
            log("replicas streaming %.1f s after their entrypoints started", replicasStarted);
            assertRoles(m1, m2, m3);
            assertEquals(1, m1.metric("pg_entrypoint_patroni_timeline"));
            assertEquals(drawnAncestors(), realAncestors(m1), "the drawing \"What runs where\" of docs/ha.md");

            // the same CONFIG_DIR sources as direct mode, and the user YAML merged over the generated one
            assertEquals("scram-sha-256", m2.query("SHOW password_encryption"));
            assertEquals("2500ms", m3.query("SHOW log_min_duration_statement"));
            assertEquals("7MB", m1.query("SHOW work_mem"));
            assertEquals("60", m2.query("SHOW max_connections"));

            m1.query("CREATE TABLE acknowledged (id int PRIMARY KEY)");
            m1.query("INSERT INTO acknowledged SELECT generate_series(1, 100)");
            await(() -> count(m2) == 100 && count(m3) == 100, Duration.ofSeconds(20), "rows on the replicas");

            List<Long> leaderPids = m1.serverPids();
            assertTrue(leaderPids.size() >= 2, "Patroni and postgres of m1: " + leaderPids);
            m1.query("INSERT INTO acknowledged SELECT generate_series(101, 200)");
            long failover = System.nanoTime();
            m1.process.signal("TERM");
            await(() -> m2.isLeader() || m3.isLeader(), Duration.ofSeconds(10), "a replica to become leader");
            double failoverSeconds = (System.nanoTime() - failover) / 1e9;
            log("failover %.1f s after SIGTERM", failover);
            assertTrue(failoverSeconds < 10, "failover took " + failoverSeconds + " s");

            assertEquals(0, m1.process.awaitExit(Duration.ofSeconds(60)), m1.process.log());
            assertTrue(m1.process.inState("STOPPED"), m1.process.state());
            await(() -> leaderPids.stream().noneMatch(PatroniMember::alive), Duration.ofSeconds(5),
                    "no process of the stopped member left: " + leaderPids);
            assertEquals(List.of(), m1.serverPids(), "processes of the stopped member");
            assertFalse(Files.exists(m1.process.dir.resolve("sock/patroni/config")), "rendered config left behind");

            PatroniMember leader = m2.isLeader() ? m2 : m3;
            PatroniMember other = leader == m2 ? m3 : m2;
            await(() -> count(leader) == 200, Duration.ofSeconds(10), "every acknowledged row on the new leader");
            PatroniStatus promoted = leader.status().orElseThrow();
            assertEquals(PatroniStatus.LEADER, promoted.role());
            assertEquals(2, promoted.timeline(), "a promotion starts timeline 2");
            assertTrue(leader.health().secondsSinceLeaderChange().orElseThrow() < 30,
                    "the leader changed moments ago: " + leader.health().secondsSinceLeaderChange());
            assertEquals(2, leader.metric("pg_entrypoint_patroni_timeline"));
            assertTrue(leader.metric("pg_entrypoint_patroni_since_leader_change_seconds") < 30,
                    "metric of the leader change");
            leader.query("INSERT INTO acknowledged VALUES (201)");

            m1.start().awaitRunning(START);
            await(() -> m1.isStreamingReplica() && other.isStreamingReplica(), START, "m1 and " + other.name
                    + " streaming from " + leader.name);
            await(() -> count(m1) == 201, Duration.ofSeconds(20), "the new leader's row on the rejoined m1");
            assertEquals(leader.name, m1.status().orElseThrow().leader());
            assertRoles(leader, m1, other);
            assertFalse(m1.process.log().contains(PatroniMember.PASSWORD), "superuser password in the log");
            for (String secret : List.of(PatroniMember.REPLICATION_PASSWORD, PatroniMember.REST_PASSWORD)) {
                assertFalse(m1.process.log().contains(secret), "a password in the log");
            }
        }
    }

    /** Health (the check, the readiness probe, the CLI) and the role metric agree with the roles. */
    private void assertRoles(PatroniMember leader, PatroniMember... replicas) throws Exception {
        for (PatroniMember m : List.of(leader, replicas[0], replicas[1])) {
            boolean leads = m == leader;
            PatroniHealth.Result health = m.health().check();
            assertTrue(health.healthy(), m.name + " unhealthy: " + health.reason());
            assertTrue(health.reason().contains(leads ? "role leader" : "role replica, state running, timeline"),
                    health.reason());
            await(() -> probe(m) == 200, Duration.ofSeconds(15), m.name + " ready on /observe/health/ready");
            EntrypointProcess.Result cli = m.healthcheckCli(tmp.resolve("cli-" + m.name + "-" + System.nanoTime()));
            assertEquals(0, cli.code(), cli.output());
            assertTrue(cli.output().contains(leads ? "role leader" : "streaming"), cli.output());
            if (!leads) {
                // the sample line of docs/ha.md, member names and numbers aside
                String sample = Files.readString(Path.of("docs/ha.md")).lines().map(String::strip)
                        .filter(l -> l.startsWith("`healthy: patroni: member ")).findFirst().orElseThrow().split("`")[1];
                assertEquals(sample.replaceAll("\\bpg\\d\\b", "M").replaceAll("\\d+", "N"),
                        cli.output().replace(m.process.pgdata().toString(), "/var/lib/postgresql/data")
                                .replace(m.process.stateFile().toString(), "/tmp/pg-entrypoint-var-lib-postgresql-data.state")
                                .replaceAll("\\bm\\d\\b", "M").replaceAll("\\d+", "N"));
            }
            // the metrics table of docs/ha.md: each series this member has while it runs (child exits come at its end)
            String metrics = m.process.http("/observe/metrics").output();
            for (String series : haMetrics()) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith(series)), m.name + ": no " + series + " in\n" + metrics);
            }
            assertEquals(1, m.metric("pg_entrypoint_patroni_role{role=\"" + (leads ? "leader" : "replica") + "\"}"));
            assertEquals(0, m.metric("pg_entrypoint_patroni_role{role=\"" + (leads ? "replica" : "leader") + "\"}"));
            double lag = m.metric("pg_entrypoint_patroni_replication_lag_bytes");
            assertTrue(leads ? lag == 0 : lag >= 0, m.name + " lag " + lag);
        }
    }

    private static final List<String> DRAWN = List.of("pg-entrypoint", "patroni", "postgres");

    /**
     * Each process of the drawing in docs/ha.md ("What runs where") with those of {@link #DRAWN} above it:
     * a line "└─ name" is a child of the nearest line above it indented one step less.
     */
    private static Map<String, List<String>> drawnAncestors() throws IOException {
        String doc = Files.readString(Path.of("docs/ha.md"));
        int section = doc.indexOf("## What runs where");
        int open = doc.indexOf("```\n", section) + 4;
        List<String> lines = doc.substring(open, doc.indexOf("```", open)).lines().toList();
        Map<String, List<String>> ancestors = new TreeMap<>();
        List<String> path = new ArrayList<>();
        for (String line : lines) {
            Matcher m = Pattern.compile("^( *)(└─ )?([a-z][a-z0-9-]*) ").matcher(line);
            if (!m.find() || line.startsWith("container") || line.startsWith("─")) {
                continue;
            }
            int depth = m.group(2) == null ? 0 : m.group(1).length() / 3 + 1;
            while (path.size() > depth) {
                path.remove(path.size() - 1);
            }
            if (DRAWN.contains(m.group(3))) {
                ancestors.put(m.group(3), path.stream().filter(DRAWN::contains).toList());
            }
            path.add(m.group(3));
        }
        assertEquals(DRAWN.stream().sorted().toList(), List.copyOf(ancestors.keySet()), "processes drawn in docs/ha.md: " + lines);
        return ancestors;
    }

    /** The same for the running member: its entrypoint (the JVM), the Patroni child of it, and the postmaster. */
    private static Map<String, List<String>> realAncestors(PatroniMember m) {
        ProcessHandle entrypoint = ProcessHandle.of(m.process.pid()).orElseThrow();
        assertTrue(entrypoint.info().command().orElse("").endsWith("/java"), "the entrypoint's pid is its JVM: "
                + entrypoint.info());
        // Patroni's processes of this member (its config is under the member's directory), the topmost one
        List<ProcessHandle> candidates = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                .contains("patroni") && p.info().commandLine().orElse("").contains(m.process.dir.toString())
                && !p.info().command().orElse("").endsWith("/postgres")).toList();
        List<Long> pids = candidates.stream().map(ProcessHandle::pid).toList();
        List<ProcessHandle> patroni = candidates.stream()
                .filter(p -> !pids.contains(p.parent().map(ProcessHandle::pid).orElse(-1L))).toList();
        assertEquals(1, patroni.size(), "one Patroni of " + m.name + ": " + candidates.stream().map(p -> p.info()).toList());
        Map<Long, String> names = Map.of(entrypoint.pid(), "pg-entrypoint", patroni.get(0).pid(), "patroni",
                m.process.postmasterPid(), "postgres");
        Map<String, List<String>> ancestors = new TreeMap<>();
        names.forEach((pid, name) -> {
            List<String> above = new ArrayList<>();
            for (ProcessHandle p = ProcessHandle.of(pid).orElseThrow(); p.parent().isPresent(); p = p.parent().get()) {
                String parent = names.get(p.parent().get().pid());
                if (parent != null) {
                    above.add(0, parent);
                }
            }
            ancestors.put(name, above);
        });
        return ancestors;
    }

    /** The series of the metrics table of docs/ha.md, with their first label value; without the exit counter. */
    private static List<String> haMetrics() throws IOException {
        List<String> series = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `(pg_entrypoint_\\w+)(\\{(\\w+)=\"?(\\w+))?").matcher(Files.readString(Path.of("docs/ha.md")));
        while (row.find()) {
            if (!row.group(1).equals("pg_entrypoint_child_exits_total")) {
                series.add(row.group(1) + (row.group(2) == null ? " " : "{" + row.group(3) + "=\"" + row.group(4) + "\"}"));
            }
        }
        assertEquals(5, series.size(), "rows of the metrics table of docs/ha.md: " + series);
        return series;
    }

    private static int probe(PatroniMember m) {
        try {
            return m.readyProbe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private PatroniMember member(String name, EtcdProcess etcd) throws Exception {
        PatroniMember m = new PatroniMember(Files.createDirectories(tmp.resolve(name)), name, etcd.endpoint());
        Path config = m.process.dir.resolve("config");
        Files.createDirectories(config.resolve("conf.d"));
        Files.writeString(config.resolve("conf.d/10-it.conf"), "log_min_duration_statement = 2500\n");
        Files.writeString(config.resolve("patroni.yml"), """
                bootstrap:
                  dcs:
                    postgresql:
                      parameters:
                        max_connections: 60
                postgresql:
                  parameters:
                    work_mem: 7MB
                """);
        EntrypointProcess.openUp(config.resolve("conf.d"));
        return m;
    }

    private static long count(PatroniMember m) {
        try {
            EntrypointProcess.Result r = m.sql("SELECT count(*) FROM acknowledged");
            return r.code() == 0 ? Long.parseLong(r.output()) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void log(String format, long sinceNanos) {
        System.out.printf("PatroniIT: " + format + "%n", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
