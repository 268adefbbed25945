package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One run of the packaged entrypoint ({@code target/pg-entrypoint/bin/pg-entrypoint}) in a private
 * directory: PGDATA, socket, state and lock files live under it, PostgreSQL listens on 127.0.0.1 on
 * an unusual free port. {@link #close()} stops whatever is left, also when a test failed.
 */
final class EntrypointProcess implements AutoCloseable {
    /** Ports handed out in this JVM, so two fixtures never get the same one. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    /**
     * The packaged distribution, copied once into a directory every user can read: started as root,
     * the entrypoint re-executes itself as postgres, which may not reach the build directory.
     */
    static final Path DIST = readableCopy(Path.of(System.getProperty("pgentrypoint.dist", "target/pg-entrypoint"))
            .toAbsolutePath());

    private static Path readableCopy(Path dist) {
        try {
            Path copy = copyDistribution(dist, Files.createTempDirectory("pg-entrypoint-dist-"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(copy)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // best effort
                }
            }));
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy the distribution " + dist, e);
        }
    }

    /**
     * The distribution in {@code from} copied to {@code to} without its class archives ({@code .jsa}, {@code .aot}:
     * the launcher of the copy makes its own), readable by every user, its parent directories passable: started as
     * root, the launcher checks that postgres can read it.
     */
    static Path copyDistribution(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!name.endsWith(".jsa") && !name.endsWith(".aot")) {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        try {
            Runtime.getRuntime().exec(new String[] {"chmod", "-R", "a+rX", to.toString()}).waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening up " + to, e);
        }
        passable(to);
        return to;
    }

    final Path dir;
    final Map<String, String> env = new HashMap<>();
    final int port;
    final int managementPort;
    private final List<Process> processes = new ArrayList<>();
    private List<String> prefix = List.of();
    private Process process;
    private Path log;
    private int runs;
    private boolean stderrApart;
    private boolean ownsServer = true;

    EntrypointProcess(Path dir) throws IOException {
        this.dir = dir;
        openUp(dir);
        this.port = freePort();
        this.managementPort = freePort();
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("MANAGEMENT_BIND", "127.0.0.1");
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("PGPORT", String.valueOf(port));
        env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
        env.put("STATE_FILE", dir.resolve("run/state.json").toString());
        env.put("LOCK_FILE", dir.resolve("run/entrypoint.lock").toString());
        env.put("INITDB_SCRIPTS_DIR", dir.resolve("initdb.d").toString());
        env.put("CONFIG_DIR", dir.resolve("config").toString());
        env.put("SHUTDOWN_TIMEOUT", "10");
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("config"));
        openUp(dir.resolve("run"));
        openUp(dir.resolve("config"));
    }

    /**
     * Another run against the same settings (e.g. the healthcheck command) in its own directory; its
     * close() leaves the other's server alone.
     */
    static EntrypointProcess sharing(EntrypointProcess other, Path dir) throws IOException {
        EntrypointProcess e = new EntrypointProcess(dir);
        e.env.clear();
        e.env.putAll(other.env);
        e.ownsServer = false;
        return e;
    }

    /** A directory anyone may write into, like /tmp, so the dropped-to postgres user can work there. */
    static void openUp(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        passable(p);
    }

    /** Every parent directory of {@code p} passable by every user (o+x). */
    private static void passable(Path p) throws IOException {
        for (Path parent = p.getParent(); parent != null; parent = parent.getParent()) {
            var perms = Files.getPosixFilePermissions(parent);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(parent, perms);
            }
        }
    }

    static int freePort() throws IOException {
        return freePort(55000, 59999);
    }

    static int freePort(int from, int to) throws IOException {
        for (int i = 0; i < 50; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(from, to);
            if (!GIVEN.add(candidate)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free port in " + from + "-" + to);
    }

    Path pgdata() {
        return Path.of(env.get("PGDATA"));
    }

    Path stateFile() {
        return Path.of(env.get("STATE_FILE"));
    }

    Path lockFile() {
        return Path.of(env.get("LOCK_FILE"));
    }

    EntrypointProcess with(String key, String value) {
        env.put(key, value);
        return this;
    }

    EntrypointProcess without(String key) {
        env.remove(key);
        return this;
    }

    /** Starts the entrypoint as this user (setpriv replaces itself: the pid stays the entrypoint's); needs root. */
    EntrypointProcess asUser(String user) {
        prefix = List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups");
        return this;
    }

    /** Starts the entrypoint as a bare uid and gid, with no supplementary groups; needs root. */
    EntrypointProcess asUid(int uid, int gid) {
        prefix = List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
        return this;
    }

    /** Starts the entrypoint with the given command-line arguments; output goes to a log file of this run. */
    EntrypointProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(DIST.resolve("bin/pg-entrypoint").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PG") || k.equals("DEBUG")
                || k.equals("DRY_RUN") || k.equals("STARTUP_MODE"));
        pb.environment().putAll(env);
        log = dir.resolve("entrypoint-" + (++runs) + ".log");
        if (stderrApart) {
            pb.redirectOutput(log.toFile()).redirectError(log.resolveSibling(log.getFileName() + ".stderr").toFile());
        } else {
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        process = pb.start();
        processes.add(process);
        return this;
    }

    long pid() {
        return process.pid();
    }

    /** From the next start on, standard error goes to its own file ({@link #stderr()}), {@link #log()} has standard output. */
    EntrypointProcess stderrApart() {
        stderrApart = true;
        return this;
    }

    /** Standard error of the last run started after {@link #stderrApart()}. */
    String stderr() {
        try {
            return Files.readString(log.resolveSibling(log.getFileName() + ".stderr"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String state() {
        try {
            return Files.readString(stateFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    boolean inState(String state) {
        return state().contains("\"state\":\"" + state + "\"");
    }

    void awaitState(String state, Duration timeout) {
        await(() -> inState(state), timeout, "state " + state);
    }

    void awaitLog(String text, Duration timeout) {
        await(() -> log().contains(text), timeout, "log line containing '" + text + "'");
    }

    void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                if (condition.getAsBoolean()) {
                    return;
                }
                fail("entrypoint exited with " + process.exitValue() + " before " + what + "; log:\n" + log());
            }
            sleep(50);
        }
        fail("timed out waiting for " + what + "; state " + state() + "; log:\n" + log());
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("entrypoint still running after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** Runs the entrypoint to its end and returns the exit code. */
    int run(Duration timeout, String... args) throws IOException, InterruptedException {
        start(args);
        return awaitExit(timeout);
    }

    void signal(String signal) throws IOException, InterruptedException {
        signal(process.pid(), signal);
    }

    static void signal(long pid, String signal) throws IOException, InterruptedException {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid + " (kill would reach other processes)");
        }
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    }

    /** psql over TCP on 127.0.0.1 with a password; returns exit code and output. */
    Result psql(String user, String password, String database, String sql) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", user,
                "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1", "-c", sql);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGCONNECT_TIMEOUT", "5");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "psql hung");
        return new Result(p.exitValue(), out);
    }

    record Result(int code, String output) {
    }

    /** GET on the management endpoint; code -1 when nothing listens. */
    Result http(String path) throws InterruptedException {
        try {
            java.net.http.HttpResponse<String> response = HTTP.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Result(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The postmaster pid from PGDATA/postmaster.pid, or -1. */
    long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(pgdata().resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                signal(p.pid(), "TERM");
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
        long postmaster = ownsServer ? postmasterPid() : -1;
        if (postmaster > 1 && ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)) {
            signal(postmaster, "QUIT");
            ProcessHandle.of(postmaster).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS)
                    .exceptionally(t -> {
                        h.destroyForcibly();
                        return h;
                    }).join());
        }
    }
}
