package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patroni mode around the cluster test: the dry run, bad input, an unreachable etcd, a stop while
 * Patroni starts and Patroni dying; each with its exit code and nothing left running.
 */
class PatroniInputsIT {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void dryRunPrintsTheEffectiveConfigurationWithoutSecrets() throws Exception {
        try (PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:2379")) {
            Files.writeString(m.process.dir.resolve("config/patroni.yml"), "tags:\n  nofailover: true\n");
            m.process.with("DRY_RUN", "1");
            assertEquals(0, m.process.run(RUN), m.process.log());
            String log = m.process.log();
            for (String line : List.of("00-generated.yml (pg-entrypoint defaults), 10-user.yml (", "scope: it-cluster",
                    "name: m1", "nofailover: true", "password: \"****\"", "password_encryption: scram-sha-256",
                    "wait up to 60 s (DCS_TIMEOUT) for etcd on 127.0.0.1:2379")) {
                assertTrue(log.contains(line), "'" + line + "' missing in:\n" + log);
            }
            for (String secret : List.of(PatroniMember.PASSWORD, PatroniMember.REPLICATION_PASSWORD,
                    PatroniMember.REST_PASSWORD)) {
                assertFalse(log.contains(secret), "a password in the plan");
            }
            assertFalse(Files.exists(m.process.pgdata()), "PGDATA was created");
        }
    }

    /** What a DRY_RUN plan says a Patroni start does, or what the log of a real start shows it did. */
    record Steps(boolean entrypointInitdb, boolean patroniConfigWritten, boolean patroniSupervised, boolean postgresSupervised) {
        static Steps planned(String plan) {
            return new Steps(Pattern.compile("- run \\S*/initdb\\b").matcher(plan).find(),
                    plan.contains("- write Patroni configuration ") && plan.contains("00-generated.yml (pg-entrypoint defaults)"),
                    Pattern.compile("- start and supervise \\S*patroni\\b").matcher(plan).find(),
                    Pattern.compile("- start and supervise \\S*/postgres\\b").matcher(plan).find());
        }

        static Steps ran(String log) {
            return new Steps(log.contains("initdb done"), log.contains("Patroni configuration written scope=it-cluster member=m1"),
                    log.contains("Started child 'patroni'") && log.contains("Patroni is ready pid="),
                    log.contains("PostgreSQL is ready pid="));
        }
    }

    @Test
    void theDryRunPlanIsWhatAPatroniStartDoes() throws Exception {
        try (EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember m = new PatroniMember(Files.createDirectories(tmp.resolve("m1")), "m1", etcd.endpoint())) {
            for (String state : List.of("empty PGDATA", "existing data")) {
                Steps planned = Steps.planned(WorkflowIT.dryRunPlan(m.process, RUN));
                assertEquals(new Steps(false, true, true, false), planned, state + ": " + m.process.log());
                assertTrue(m.process.log().contains("- wait up to 60 s (DCS_TIMEOUT) for etcd on " + etcd.endpoint()),
                        m.process.log());
                m.start().awaitRunning(Duration.ofSeconds(120));
                m.process.signal("TERM");
                assertEquals(0, m.process.awaitExit(RUN), m.process.log());
                assertEquals(planned, Steps.ran(m.process.log()), state + ", the plan is what the start did: " + m.process.log());
            }
        }
    }

    /** The example CONFIG_DIR/patroni.yml of docs/ha.md passes validation and is in the effective configuration. */
    @Test
    void theExamplePatroniYmlOfTheDocsIsMerged() throws Exception {
        String doc = Files.readString(Path.of("docs/ha.md"));
        int at = doc.indexOf("```yaml", doc.indexOf("Example `CONFIG_DIR/patroni.yml`:"));
        String example = doc.substring(doc.indexOf('\n', at) + 1, doc.indexOf("```", at + 7));
        assertTrue(example.contains("max_connections: 200"), example);
        try (PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:2379")) {
            Files.writeString(m.process.dir.resolve("config/patroni.yml"), example);
            String plan = WorkflowIT.dryRunPlan(m.process, RUN);
            assertTrue(plan.contains("10-user.yml ("), plan);
            for (String setting : List.of("max_connections: 200", "work_mem: 16MB", "nofailover: false")) {
                assertTrue(plan.replace("\"", "").contains(setting), "'" + setting + "' of the example not in the effective configuration:\n" + plan);
            }
        }
    }

    @Test
    void noScopeAndNoNameIsInvalidInput() throws Exception {
        try (PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:2379")) {
            m.process.without("PATRONI_SCOPE").without("PATRONI_NAME");
            assertEquals(1, m.process.run(RUN), m.process.log());
            assertTrue(m.process.log().contains("PATRONI_SCOPE: no cluster name"), m.process.log());
            assertTrue(m.process.log().contains("PATRONI_NAME: no member name"), m.process.log());
            assertFalse(Files.exists(m.process.pgdata()), "PGDATA was created");
        }
    }

    @Test
    void dataOfAnotherClusterIsInvalidInput() throws Exception {
        try (PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:2379")) {
            Files.createDirectories(m.process.pgdata());
            Files.writeString(m.process.pgdata().resolve("PG_VERSION"), "15\n");
            Files.writeString(m.process.pgdata().resolve("postgresql.conf"), "cluster_name = 'payments'\n");
            assertEquals(1, m.process.run(RUN), m.process.log());
            assertTrue(m.process.log().contains("PATRONI_SCOPE: 'it-cluster' differs from cluster 'payments'"),
                    m.process.log());
        }
    }

    @Test
    void unreachableEtcdIsARuntimeFailureNamingTheHostsTried() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:" + closed)) {
            m.process.with("DCS_TIMEOUT", "2").with("DEBUG", "1");
            long begin = System.nanoTime();
            assertEquals(3, m.process.run(RUN), m.process.log());
            assertTrue(System.nanoTime() - begin >= Duration.ofSeconds(2).toNanos(), "gave up before DCS_TIMEOUT");
            assertTrue(m.process.log().contains("no etcd host answered within 2 s (DCS_TIMEOUT); tried 127.0.0.1:"
                    + closed + " (Connection refused)"), m.process.log());
            assertTrue(m.process.inState("ERROR"), m.process.state());
            assertFalse(m.process.log().contains("Started child 'patroni'"), "Patroni was started");
            assertTrue(m.process.log().contains("scope: it-cluster"), "DEBUG shows the effective configuration");
            assertFalse(m.process.log().contains(PatroniMember.REPLICATION_PASSWORD), "a password in the log");
            assertFalse(Files.exists(m.process.dir.resolve("sock/patroni/config")), "rendered config left behind");
        }
    }

    @Test
    void aStopWhilePatroniStartsEndsTheStartAndExits0() throws Exception {
        try (ServerSocket silentEtcd = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                PatroniMember m = new PatroniMember(tmp, "m1", "127.0.0.1:" + silentEtcd.getLocalPort())) {
            m.start();
            m.process.awaitLog("Started child 'patroni'", RUN);
            m.process.awaitLog("[patroni]", RUN);
            List<Long> pids = m.serverPids();
            assertFalse(pids.isEmpty(), "no Patroni process found");
            long begin = System.nanoTime();
            m.process.signal("TERM");
            assertEquals(0, m.process.awaitExit(RUN), m.process.log());
            double seconds = (System.nanoTime() - begin) / 1e9;
            assertTrue(seconds < 15, "stopping took " + seconds + " s");
            assertTrue(m.process.inState("STOPPED"), m.process.state());
            assertTrue(m.process.log().contains("Child 'patroni' (pid " + pids.get(0) + ") stopped while starting"),
                    m.process.log());
            assertTrue(pids.stream().noneMatch(PatroniMember::alive), "Patroni left running: " + pids);
        }
    }

    @Test
    void patroniDyingIsARuntimeFailureAndItsPostgresIsStopped() throws Exception {
        try (EtcdProcess etcd = new EtcdProcess(tmp.resolve("etcd"));
                PatroniMember m = new PatroniMember(Files.createDirectories(tmp.resolve("m1")), "m1", etcd.endpoint())) {
            m.start().awaitRunning(RUN);
            long postmaster = m.process.postmasterPid();
            long patroni = ProcessHandle.of(m.process.pid()).orElseThrow().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("bin/patroni")).findFirst().orElseThrow().pid();
            EntrypointProcess.signal(patroni, "KILL");
            assertEquals(3, m.process.awaitExit(RUN), m.process.log());
            assertTrue(m.process.log().contains("patroni (pid " + patroni + ") exited on its own with code 137"),
                    m.process.log());
            assertTrue(m.process.log().contains("PostgreSQL (pid " + postmaster + ") outlived Patroni: sending SIGINT"),
                    m.process.log());
            assertFalse(PatroniMember.alive(postmaster), "postgres outlived its entrypoint");
            assertTrue(m.process.inState("ERROR"), m.process.state());
        }
    }
}
