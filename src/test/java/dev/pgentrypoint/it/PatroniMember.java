package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.patroni.PatroniHealth;
import dev.pgentrypoint.patroni.PatroniStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One entrypoint in STARTUP_MODE=patroni on 127.0.0.1: its own PGDATA, PostgreSQL and REST API ports. */
final class PatroniMember implements AutoCloseable {
    static final String PASSWORD = "it-superuser-secret";
    static final String REPLICATION_PASSWORD = "it-replication-secret";
    static final String REST_PASSWORD = "it-rest-secret";

    final String name;
    final EntrypointProcess process;
    final int restPort;
    private PatroniHealth health;

    PatroniMember(Path dir, String name, String etcd) throws IOException {
        this.name = name;
        this.process = new EntrypointProcess(dir);
        this.restPort = EntrypointProcess.freePort(56000, 58999);
        Path replicationPassword = Files.writeString(dir.resolve("replication-password"), REPLICATION_PASSWORD + "\n");
        process.with("STARTUP_MODE", "patroni").with("PATRONI_SCOPE", "it-cluster").with("PATRONI_NAME", name)
                .with("PATRONI_ETCD3_HOSTS", etcd)
                .with("PATRONI_RESTAPI_LISTEN", "127.0.0.1:" + restPort)
                .with("PATRONI_RESTAPI_CONNECT_ADDRESS", "127.0.0.1:" + restPort)
                .with("PATRONI_POSTGRESQL_LISTEN", "127.0.0.1:" + process.port)
                .with("PATRONI_POSTGRESQL_CONNECT_ADDRESS", "127.0.0.1:" + process.port)
                .with("POSTGRES_PASSWORD", PASSWORD)
                .with("PATRONI_REPLICATION_PASSWORD_FILE", replicationPassword.toString())
                .with("PATRONI_RESTAPI_USERNAME", "patroni").with("PATRONI_RESTAPI_PASSWORD", REST_PASSWORD)
                .with("PATRONI_TTL", "10").with("PATRONI_LOOP_WAIT", "2").with("PATRONI_RETRY_TIMEOUT", "4")
                .with("START_TIMEOUT", "120").with("SHUTDOWN_TIMEOUT", "20");
    }

    PatroniMember start() throws IOException {
        health = null;
        process.start();
        return this;
    }

    void awaitRunning(Duration timeout) {
        process.awaitState("RUNNING", timeout);
    }

    /** The member's health as the entrypoint's Patroni check sees it. */
    PatroniHealth health() {
        if (health == null) {
            health = PatroniHealth.fromStateFile(process.stateFile(), Clock.systemUTC())
                    .orElseThrow(() -> new AssertionError(name + ": no Patroni facts in " + process.state()));
        }
        return health;
    }

    Optional<PatroniStatus> status() {
        return health().status();
    }

    boolean isLeader() {
        return status().map(s -> s.running() && s.isLeader()).orElse(false);
    }

    boolean isStreamingReplica() {
        return status().map(s -> s.ready() && PatroniStatus.REPLICA.equals(s.role())).orElse(false);
    }

    /** HTTP status of the management endpoint's readiness probe. */
    int readyProbe() throws InterruptedException {
        return process.http("/observe/health/ready").code();
    }

    /** A value of the management endpoint's metrics, NaN when missing; {@code series} as in the text format. */
    double metric(String series) throws InterruptedException {
        String text = process.http("/observe/metrics").output();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** {@code pg-entrypoint healthcheck --type=patroni} against this member: exit code and its one line. */
    EntrypointProcess.Result healthcheckCli(Path dir) throws Exception {
        try (EntrypointProcess check = EntrypointProcess.sharing(process, Files.createDirectories(dir))) {
            int code = check.run(Duration.ofSeconds(15), "healthcheck", "--type=patroni");
            return new EntrypointProcess.Result(code, check.log().trim());
        }
    }

    EntrypointProcess.Result sql(String sql) throws IOException, InterruptedException {
        return process.psql("postgres", PASSWORD, "postgres", sql);
    }

    String query(String sql) throws IOException, InterruptedException {
        EntrypointProcess.Result r = sql(sql);
        assertTrue(r.code() == 0, name + ": " + sql + " failed: " + r.output());
        return r.output();
    }

    /** Patroni and PostgreSQL processes of this member, found by the paths only this member uses. */
    List<Long> serverPids() {
        List<Long> pids = new ArrayList<>();
        String dir = process.dir.toString();
        ProcessHandle.allProcesses().filter(PatroniMember::alive)
                .filter(p -> p.info().commandLine().orElse("").contains(dir)).forEach(p -> pids.add(p.pid()));
        long postmaster = process.postmasterPid();
        if (postmaster > 0 && alive(postmaster) && !pids.contains(postmaster)) {
            pids.add(postmaster);
        }
        return pids;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(PatroniMember::alive).orElse(false);
    }

    /** Alive and not a zombie: an orphan that exited is only gone once PID 1 reaps it. */
    static boolean alive(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"), StandardCharsets.UTF_8);
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        process.close();
    }
}
