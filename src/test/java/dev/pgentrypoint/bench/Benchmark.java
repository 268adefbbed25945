package dev.pgentrypoint.bench;

import dev.pgentrypoint.settings.PgBinaries;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The project's benchmark: the entrypoint next to the same work done by hand, on this machine, in
 * one run. Started as root it runs everything as the postgres user (the image's default user).
 * Prints a table for docs/performance.md. Run with {@code mvn -Pbenchmark verify}.
 */
public final class Benchmark {
    static final int RUNS = Integer.getInteger("bench.runs", 5);
    static final int PROBES = Integer.getInteger("bench.probes", 1000);
    /** Seconds of each idle window whose CPU time is measured (reported per minute). */
    static final int IDLE = Integer.getInteger("bench.idle", 20);
    static final String PASSWORD = "bench-pw";
    /** Every server the benchmark started: stopped at exit, also when a measurement fails. */
    static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set when the benchmark is ending: the main thread may still be starting a server then. */
    static volatile boolean stopping;
    static final Path DIST = Path.of(System.getProperty("pgentrypoint.dist", "target/pg-entrypoint")).toAbsolutePath();

    final Path work;
    final PgBinaries bin;
    private final boolean root;

    Benchmark(Path work, PgBinaries bin, boolean root) {
        this.work = work;
        this.bin = bin;
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("pg-entrypoint-bench-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        PgBinaries bin = PgBinaries.discover(Optional.ofNullable(System.getenv("PG_BIN_DIR")), System.getenv("PATH"),
                Path.of("/usr/lib/postgresql")).orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Class.forName("org.postgresql.Driver");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            STARTED.stream().filter(Process::isAlive).forEach(p -> {
                try {
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    }
                } catch (IOException | InterruptedException e) {
                    p.destroyForcibly();
                }
            });
        }));
        Benchmark benchmark = new Benchmark(work, bin, root);
        switch (System.getProperty("bench.mode", "process")) {
            case "process" -> benchmark.run();
            case "flags" -> new FlagsBenchmark(benchmark).run();
            case "container" -> new ContainerBenchmark().run();
            case "upgrade" -> new UpgradeBenchmark(benchmark).run();
            default -> throw new IllegalArgumentException("bench.mode: process, flags, container or upgrade");
        }
    }

    private void run() throws Exception {
        List<Double> floorInit = new ArrayList<>();
        List<Double> floorRestart = new ArrayList<>();
        List<Double> firstInit = new ArrayList<>();
        List<Double> restart = new ArrayList<>();
        List<Double> stop = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> cli = new ArrayList<>();
        List<Double> probes = new ArrayList<>();
        List<Double> floorIdle = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        List<Double> jvmIdle = new ArrayList<>();
        List<Double> anonymous = new ArrayList<>();
        List<Double> pss = new ArrayList<>();
        int archiveMapped = 0;
        for (int i = 0; i < RUNS; i++) {
            Path floor = dir("floor-" + i);
            long t0 = System.nanoTime();
            exec(List.of(bin.tool("initdb").toString(), "-D", floor.resolve("data").toString(), "-U", "postgres",
                    "--pwfile=" + pwfile(floor), "--auth-local=trust", "--auth-host=scram-sha-256"));
            Process server = bare(floor);
            floorInit.add(seconds(t0));
            stopBare(server);
            t0 = System.nanoTime();
            server = bare(floor);
            floorRestart.add(seconds(t0));
            Thread.sleep(2000);
            floorIdle.add(idleCpuPerMinute(server.pid())[0]);
            stopBare(server);

            Path ep = dir("entrypoint-" + i);
            int port = freePort();
            int mgmt = freePort();
            t0 = System.nanoTime();
            Process entrypoint = entrypoint(ep, port, mgmt);
            awaitLogin(port, entrypoint);
            firstInit.add(seconds(t0));
            stopEntrypoint(entrypoint);
            t0 = System.nanoTime();
            entrypoint = entrypoint(ep, port, mgmt);
            awaitLogin(port, entrypoint);
            restart.add(seconds(t0));
            Thread.sleep(1000);
            probes.addAll(probe(mgmt));
            rss.add(rssMegabytes(entrypoint.pid()));
            Footprint.Memory memory = Footprint.memory(entrypoint.pid());
            anonymous.add(memory.anonymous());
            pss.add(memory.pss());
            archiveMapped += Footprint.archiveMapped(entrypoint.pid()) ? 1 : 0;
            double[] cpu = idleCpuPerMinute(entrypoint.pid());
            idle.add(cpu[0]);
            jvmIdle.add(cpu[1]);
            cli.add(cliCheck(ep, port));
            t0 = System.nanoTime();
            stopEntrypoint(entrypoint);
            stop.add(seconds(t0));
            System.err.printf(Locale.ROOT, "run %d: init %.2f s (floor %.2f), restart %.2f s (floor %.2f), stop %.2f s, "
                    + "rss %.1f MB, anonymous %.1f MB, pss %.1f MB, idle CPU %.0f ms/min (floor %.0f), JVM %.0f ms/min%n",
                    i + 1, firstInit.get(i), floorInit.get(i), restart.get(i), floorRestart.get(i), stop.get(i),
                    rss.get(i), anonymous.get(i), pss.get(i), idle.get(i), floorIdle.get(i), jvmIdle.get(i));
        }
        double floorFirst = median(floorInit);
        double floorIdleCpu = median(floorIdle);
        print(List.of(
                row("first init to first password login (entrypoint)", median(firstInit), "s",
                        "≤ 1.3 × floor = " + fmt(1.3 * floorFirst), median(firstInit) <= 1.3 * floorFirst),
                row("first init floor: initdb + bare postgres start", floorFirst, "s", "", true),
                row("restart on existing data to first password login", median(restart), "s", "≤ 0.60",
                        median(restart) <= 0.6),
                row("restart floor: bare postgres start", median(floorRestart), "s", "", true),
                row("SIGTERM to exit, idle server", median(stop), "s", "≤ 1.00", median(stop) <= 1.0),
                row("HTTP health probe p50", percentile(probes, 50) * 1000, "ms", "", true),
                row("HTTP health probe p99", percentile(probes, 99) * 1000, "ms", "< 50", percentile(probes, 99) < 0.05),
                row("CLI healthcheck wall time", median(cli), "s", "< 1.00", median(cli) < 1.0),
                row("supervisor RSS while RUNNING (metrics on, after 20 scrapes)", median(rss), "MB", "< 50",
                        median(rss) < 50),
                row("JVM anonymous memory while RUNNING", median(anonymous), "MB", "≤ 35", median(anonymous) <= 35),
                row("JVM Pss while RUNNING", median(pss), "MB", "≤ 45", median(pss) <= 45),
                row("idle CPU per minute, entrypoint + its postgres", median(idle), "ms",
                        "≤ 2 × floor = " + fmt(2 * floorIdleCpu), median(idle) <= 2 * floorIdleCpu),
                row("idle CPU per minute floor: bare postgres", floorIdleCpu, "ms", "", true),
                row("idle CPU per minute, the JVM alone", median(jvmIdle), "ms", "", true)));
        System.out.printf(Locale.ROOT, "%nclass archive (lib/pg-entrypoint.jsa or .aot) mapped in %d of %d runs%s%n",
                archiveMapped, RUNS, archiveMapped == RUNS ? "" : ": the figures above are WITHOUT the archive for the "
                        + "other runs (made for another directory or another java?)");
        System.out.printf(Locale.ROOT, "%nmedian of %d runs; %d health probes per run; %d cores; %s%n", RUNS, PROBES,
                Runtime.getRuntime().availableProcessors(), bin.binDir());
    }

    static String row(String what, double value, String unit, String target, boolean met) {
        return String.format(Locale.ROOT, "| %s | %s %s | %s | %s |", what, fmt(value), unit, target,
                target.isEmpty() ? "" : met ? "met" : "MISSED");
    }

    static void print(List<String> rows) {
        System.out.println();
        System.out.println("| figure | measured | target | |");
        System.out.println("|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    Path dir(String name) throws IOException {
        Path d = Files.createDirectories(work.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    String pwfile(Path dir) throws IOException {
        Path f = dir.resolve("pw");
        Files.writeString(f, PASSWORD + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f.toString();
    }

    List<String> asPostgres(List<String> command) {
        if (!root) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        wrapped.addAll(command);
        return wrapped;
    }

    void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(asPostgres(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }

    /** A bare postgres on the floor's data directory, timed until the first password login. */
    Process bare(Path floor) throws Exception {
        int port = freePort();
        Path sock = Files.createDirectories(floor.resolve("sock"));
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwxrwxrwx"));
        Process p = new ProcessBuilder(asPostgres(List.of(bin.tool("postgres").toString(), "-D",
                floor.resolve("data").toString(), "-p", String.valueOf(port), "-k", sock.toString(),
                "-c", "listen_addresses=127.0.0.1"))).redirectErrorStream(true)
                .redirectOutput(floor.resolve("postgres.log").toFile()).start();
        started(p);
        awaitLogin(port, p);
        return p;
    }

    /** Keeps a started server for the exit hook; one started while the benchmark ends is stopped at once. */
    private static void started(Process p) throws IOException {
        STARTED.add(p);
        if (stopping) {
            p.destroy();
            throw new IOException("the benchmark is ending");
        }
    }

    static void stopBare(Process p) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    Process entrypoint(Path dir, int port, int mgmt) throws IOException {
        return entrypoint(dir, port, mgmt, Map.of());
    }

    /** The packaged entrypoint on a directory of its own; {@code extra} adds to its environment (JAVA_OPTS). */
    Process entrypoint(Path dir, int port, int mgmt, Map<String, String> extra) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(asPostgres(List.of(DIST.resolve("bin/pg-entrypoint").toString())));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("POSTGRES_"));
        env.put("PGDATA", dir.resolve("data").toString());
        env.put("POSTGRES_PASSWORD", PASSWORD);
        env.put("PGPORT", String.valueOf(port));
        env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
        env.put("STATE_FILE", dir.resolve("state.json").toString());
        env.put("LOCK_FILE", dir.resolve("lock").toString());
        env.put("MANAGEMENT_PORT", String.valueOf(mgmt));
        env.put("MANAGEMENT_BIND", "127.0.0.1");
        env.putAll(extra);
        Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.resolve("entrypoint.log").toFile())).start();
        started(p);
        return p;
    }

    static void stopEntrypoint(Process p) throws Exception {
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("the entrypoint did not stop cleanly");
        }
    }

    static void awaitLogin(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/postgres?connectTimeout=2&sslmode=disable", "postgres", PASSWORD)) {
                return;
            } catch (SQLException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("server exited with " + p.exitValue());
                }
                Thread.sleep(5);
            }
        }
        throw new IllegalStateException("no login within 180 s on port " + port);
    }

    private static List<Double> probe(int mgmt) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/observe/health/ready")).build();
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/observe/metrics")).build();
        for (int i = 0; i < 20; i++) {
            client.send(metrics, HttpResponse.BodyHandlers.discarding());
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            long t0 = System.nanoTime();
            HttpResponse<Void> r = client.send(ready, HttpResponse.BodyHandlers.discarding());
            times.add(seconds(t0));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("health probe answered " + r.statusCode());
            }
        }
        return times;
    }

    private double cliCheck(Path dir, int port) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ProcessBuilder pb = new ProcessBuilder(asPostgres(List.of(DIST.resolve("bin/pg-entrypoint").toString(),
                    "healthcheck")));
            pb.environment().put("PGDATA", dir.resolve("data").toString());
            pb.environment().put("PGPORT", String.valueOf(port));
            pb.environment().put("PG_SOCKET_DIR", dir.resolve("sock").toString());
            pb.environment().put("STATE_FILE", dir.resolve("state.json").toString());
            long t0 = System.nanoTime();
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("healthcheck failed: " + out);
            }
            times.add(seconds(t0));
        }
        return median(times);
    }

    /** CPU time over an idle window, in ms per minute: of the process with its descendants, and of it alone. */
    static double[] idleCpuPerMinute(long pid) throws InterruptedException {
        Footprint.Cpu tree = Footprint.cpu(pid, false);
        Footprint.Cpu own = Footprint.cpu(pid, true);
        long t0 = System.nanoTime();
        Thread.sleep(IDLE * 1000L);
        long treeUsed = Footprint.cpu(pid, false).since(tree);
        long ownUsed = Footprint.cpu(pid, true).since(own);
        double perMinute = 60e9 / (System.nanoTime() - t0);
        return new double[] {treeUsed / 1e6 * perMinute, ownUsed / 1e6 * perMinute};
    }

    private static double rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }

}
