package dev.pgentrypoint.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The container mode of the benchmark: the project's image next to a reference image built from the
 * same base with Debian's PostgreSQL and a minimal shell entrypoint (docker/reference-entrypoint.sh:
 * initdb when empty, then exec postgres), the floor. Per run and image, interleaved: first init to
 * first password login, idle container memory after 30 s (podman stats), the JVM's RSS, anonymous
 * memory and Pss, the container's CPU over an idle minute with the image's HEALTHCHECK run at its
 * interval, the same idle time without it, the engine's cost of one exec, restart to login, and stop. Every engine command of a run holds /tmp/podman.lock (the
 * engine is shared); the images are built under it too.
 * {@code mvn -Pbenchmark verify -Dbench.mode=container [-Dbench.runs=5] [-Dbench.build=false]}.
 */
final class ContainerBenchmark {
    static final String ENGINE = System.getProperty("bench.engine", "podman");
    static final String IMAGE = System.getProperty("bench.image", "localhost/pg-entrypoint:bench");
    static final String REFERENCE = System.getProperty("bench.reference", "localhost/pg-entrypoint-reference:bench");
    static final String BASE = System.getProperty("bench.base", "localhost/pg-entrypoint-base:bookworm-slim");
    static final int IDLE = Integer.getInteger("bench.container.idle", 60);
    /** Seconds of the idle window without HEALTHCHECK runs. */
    static final int QUIET = Integer.getInteger("bench.container.quiet", 30);
    /** How many {@code exec true} measure the engine's cost of one exec. */
    static final int EXECS = 5;
    static final int SETTLE = 30;
    static final String PASSWORD = "bench-pw";
    /** Our image with a backup schedule: pgBackRest archiving to a repository in the container. */
    static final List<String> SCHEDULE_ENV = List.of("-e", "BACKUP_ENABLED=true", "-e",
            "BACKUP_SCHEDULE_FULL=0 3 * * *", "-e", "PGBACKREST_REPO1_PATH=/var/lib/postgresql/repo", "-e",
            "PGBACKREST_LOG_PATH=/tmp/pgbackrest-log", "-e", "PGBACKREST_SPOOL_PATH=/tmp/pgbackrest-spool");

    private final Path work;
    private int unhealthyChecks;
    private final String tag = "pge-bench-" + ProcessHandle.current().pid();

    ContainerBenchmark() throws IOException {
        work = Files.createTempDirectory("pg-entrypoint-container-bench-");
        // the machine's engine settings, as docker/test-image.sh writes them: runc and fixed limits
        Files.writeString(work.resolve("containers.conf"), "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", "
                + "\"nproc=32768:32768\"]\n[engine]\nruntime = \"runc\"\n");
    }

    private record Variant(String name, String image, List<String> options) {
    }

    /**
     * {@code cpu}: an idle minute with the HEALTHCHECK at its interval; {@code quietCpu}: the same without it;
     * {@code execCpu}: the container's CPU for one {@code exec true}, what the engine charges for any exec.
     */
    private record Sample(double init, double memory, double rss, double anonymous, double pss, double cpu,
            double healthchecks, double quietCpu, double execCpu, double restart, double stop) {
        /** The container's CPU of one HEALTHCHECK run: the idle minute's excess over the quiet one, per run. */
        double probeCpu() {
            return healthchecks == 0 ? 0 : Math.max(0, cpu - quietCpu) / healthchecks;
        }
    }

    void run() throws Exception {
        if (!"false".equals(System.getProperty("bench.build"))) {
            build();
        }
        List<Variant> variants = List.of(new Variant("reference (shell entrypoint)", REFERENCE, List.of()),
                new Variant("pg-entrypoint", IMAGE, List.of()),
                new Variant("pg-entrypoint with a backup schedule", IMAGE, SCHEDULE_ENV));
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        variants.forEach(v -> samples.put(v.name(), new ArrayList<>()));
        int interval = healthcheckSeconds(IMAGE);
        for (int i = 0; i < Benchmark.RUNS; i++) {
            // one run of every variant under the lock; the order turns each run so no image always goes first
            try (Lock lock = Lock.take()) {
                for (int k = 0; k < variants.size(); k++) {
                    Variant v = variants.get((i + k) % variants.size());
                    Sample s = measure(v, i, v.image().equals(IMAGE) ? interval : 0);
                    samples.get(v.name()).add(s);
                    System.err.printf(Locale.ROOT, "run %d %s: %s%n", i + 1, v.name(), s);
                }
            }
            if (i + 1 < Benchmark.RUNS) {
                System.out.printf(Locale.ROOT, "%nafter %d of %d runs:", i + 1, Benchmark.RUNS);
                report(samples, interval);
            }
        }
        System.out.printf(Locale.ROOT, "%nall %d runs:", Benchmark.RUNS);
        report(samples, interval);
        System.out.printf(Locale.ROOT, "HEALTHCHECK runs that were unhealthy while idle: %d%n", unhealthyChecks);
    }

    private void build() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        String plain = "localhost/pg-entrypoint-plain:bench";
        try (Lock lock = Lock.take()) {
            engine(List.of("build", "--network", "host", "--format", "docker", "--build-arg", "BASE_IMAGE=" + BASE,
                    "-f", "docker/Dockerfile", "-t", IMAGE, "."), root, 3600);
        }
        try (Lock lock = Lock.take()) {
            engine(List.of("build", "--network", "host", "--format", "docker", "--build-arg", "BASE_IMAGE=" + BASE,
                    "--target", "postgres", "-f", "docker/Dockerfile", "-t", plain, "."), root, 3600);
            engine(List.of("build", "--format", "docker", "--build-arg", "POSTGRES_IMAGE=" + plain,
                    "-f", "docker/reference.Dockerfile", "-t", REFERENCE, "."), root, 600);
        }
    }

    private Sample measure(Variant v, int run, int interval) throws Exception {
        String name = tag + "-" + run + "-" + (v.options().isEmpty() ? v.image().equals(IMAGE) ? "ours" : "ref" : "sched");
        String volume = name + "-data";
        engine(List.of("volume", "create", volume), work, 60);
        try {
            List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "-e", "POSTGRES_PASSWORD=" + PASSWORD,
                    "-p", "127.0.0.1::5432", "-v", volume + ":/var/lib/postgresql/data"));
            args.addAll(v.options());
            args.add(v.image());
            long t0 = System.nanoTime();
            engine(args, work, 120);
            awaitLogin(hostPort(name));
            double init = Benchmark.seconds(t0);
            Thread.sleep(SETTLE * 1000L);
            double memory = statsMegabytes(name);
            long containerPid = Long.parseLong(engine(List.of("inspect", "--format", "{{.State.Pid}}", name), work, 30).trim());
            Footprint.Memory jvm = java(containerPid).map(pid -> {
                try {
                    return Footprint.memory(pid);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).orElse(new Footprint.Memory(0, 0, 0));
            Path cpuacct = cpuacct(containerPid);
            long before = usage(cpuacct);
            long start = System.nanoTime();
            int checks = 0;
            long end = start + TimeUnit.SECONDS.toNanos(IDLE);
            while (System.nanoTime() < end) {
                if (interval > 0) {
                    try {
                        engine(List.of("healthcheck", "run", name), work, 30);
                    } catch (IllegalStateException unhealthy) {
                        unhealthyChecks++;
                        System.err.println("unhealthy while idle: " + unhealthy.getMessage());
                    }
                    checks++;
                }
                long next = interval > 0 ? Math.min(end, start + TimeUnit.SECONDS.toNanos((long) checks * interval)) : end;
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            }
            double cpu = (usage(cpuacct) - before) / 1e6 * 60e9 / (System.nanoTime() - start);
            // the same idle time without the HEALTHCHECK: what the container costs by itself
            before = usage(cpuacct);
            start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(QUIET));
            double quietCpu = (usage(cpuacct) - before) / 1e6 * 60e9 / (System.nanoTime() - start);
            // what the engine charges the container for an exec of anything (runc joins its cgroup)
            before = usage(cpuacct);
            for (int k = 0; k < EXECS; k++) {
                engine(List.of("exec", name, "true"), work, 30);
            }
            double execCpu = (usage(cpuacct) - before) / 1e6 / EXECS;
            t0 = System.nanoTime();
            engine(List.of("restart", "-t", "50", name), work, 120);
            awaitLogin(hostPort(name));
            double restart = Benchmark.seconds(t0);
            t0 = System.nanoTime();
            engine(List.of("stop", "-t", "50", name), work, 120);
            double stop = Benchmark.seconds(t0);
            return new Sample(init, memory, jvm.rss(), jvm.anonymous(), jvm.pss(), cpu, checks, quietCpu, execCpu, restart,
                    stop);
        } finally {
            engineQuietly(List.of("rm", "-f", "-v", name));
            engineQuietly(List.of("volume", "rm", "-f", volume));
        }
    }

    /** The HEALTHCHECK interval the image declares, in seconds (0 when it has none); the engine prints "10s" or "1m30s". */
    private int healthcheckSeconds(String image) throws Exception {
        String interval = engine(List.of("image", "inspect", "--format", "{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}}"
                + "{{end}}", image), work, 30).trim();
        return interval.isEmpty() ? 0 : (int) java.time.Duration.parse("PT" + interval.toUpperCase(Locale.ROOT)).getSeconds();
    }

    private static java.util.Optional<Long> java(long containerPid) {
        return Footprint.tree(containerPid).stream().filter(p -> ProcessHandle.of(p)
                .flatMap(h -> h.info().command()).map(c -> c.endsWith("/java")).orElse(false)).findFirst();
    }

    /** The container's CPU time so far, in nanoseconds. */
    private static long usage(Path cpuacct) throws IOException {
        return Long.parseLong(Files.readString(cpuacct).trim());
    }

    /** The container's cpuacct.usage file (cgroup v1), from its init process. */
    private static Path cpuacct(long containerPid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(containerPid), "cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("cpuacct")) {
                return Path.of("/sys/fs/cgroup/cpuacct" + f[2], "cpuacct.usage");
            }
            if (f.length == 3 && f[1].isEmpty() && Files.exists(Path.of("/sys/fs/cgroup" + f[2], "cpu.stat"))) {
                throw new IllegalStateException("cgroup v2: read usage_usec of /sys/fs/cgroup" + f[2] + "/cpu.stat");
            }
        }
        throw new IllegalStateException("no cpuacct cgroup for " + containerPid);
    }

    private double statsMegabytes(String name) throws Exception {
        String usage = engine(List.of("stats", "--no-stream", "--format", "{{.MemUsage}}", name), work, 60).trim();
        String used = usage.split("/")[0].trim();
        double value = Double.parseDouble(used.replaceAll("[^0-9.]", ""));
        String unit = used.replaceAll("[0-9.\\s]", "");
        return switch (unit) {
            case "kB", "KB", "KiB" -> value / 1000;
            case "MB", "MiB" -> value;
            case "GB", "GiB" -> value * 1000;
            default -> value / 1e6;
        };
    }

    private int hostPort(String name) throws Exception {
        String out = engine(List.of("port", name, "5432"), work, 30).trim().split("\n")[0];
        return Integer.parseInt(out.substring(out.lastIndexOf(':') + 1));
    }

    private static void awaitLogin(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/postgres?connectTimeout=2&sslmode=disable", "postgres", PASSWORD)) {
                return;
            } catch (SQLException notYet) {
                Thread.sleep(5);
            }
        }
        throw new IllegalStateException("no login within 120 s on port " + port);
    }

    private String engine(List<String> args, Path dir, int timeoutSeconds) throws Exception {
        List<String> command = new ArrayList<>(List.of(ENGINE));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("CONTAINERS_CONF", work.resolve("containers.conf").toString());
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.contains("systemd")) {
                    out.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out.toString();
    }

    private void engineQuietly(List<String> args) {
        try {
            engine(args, work, 120);
        } catch (Exception e) {
            System.err.println(e.getMessage());
        }
    }

    private static void report(Map<String, List<Sample>> samples, int interval) {
        List<Sample> ref = samples.get("reference (shell entrypoint)");
        System.out.println();
        System.out.println("| figure | " + String.join(" | ", samples.keySet()) + " | ours vs reference | target |");
        System.out.println("|---|---|---|---|---|---|");
        line(samples, "first init → first password login", "s", Sample::init, ratio(samples, Sample::init), "≤ 1.3×",
                med(samples.get("pg-entrypoint"), Sample::init) <= 1.3 * med(ref, Sample::init));
        line(samples, "restart → first password login", "s", Sample::restart, ratio(samples, Sample::restart), "≤ 1.5×",
                med(samples.get("pg-entrypoint"), Sample::restart) <= 1.5 * med(ref, Sample::restart));
        line(samples, "stop (podman stop)", "s", Sample::stop, ratio(samples, Sample::stop), "", true);
        double extra = med(samples.get("pg-entrypoint"), Sample::memory) - med(ref, Sample::memory);
        line(samples, "idle container memory after " + SETTLE + " s (podman stats)", "MB", Sample::memory,
                String.format(Locale.ROOT, "+%.1f MB", extra), "≤ +35 MB", extra <= 35);
        line(samples, "JVM RSS", "MB", Sample::rss, "", "", true);
        line(samples, "JVM anonymous", "MB", Sample::anonymous, "", "≤ 35 MB",
                med(samples.get("pg-entrypoint"), Sample::anonymous) <= 35);
        line(samples, "JVM Pss", "MB", Sample::pss, "", "≤ 45 MB", med(samples.get("pg-entrypoint"), Sample::pss) <= 45);
        line(samples, "idle CPU per minute, container, HEALTHCHECK every " + interval + " s", "ms", Sample::cpu,
                ratio(samples, Sample::cpu), "≤ 2×", med(samples.get("pg-entrypoint"), Sample::cpu) <= 2 * med(ref, Sample::cpu));
        line(samples, "idle CPU per minute, container, no HEALTHCHECK run", "ms", Sample::quietCpu,
                ratio(samples, Sample::quietCpu), "", true);
        line(samples, "one `exec true` into the container (the engine's cost of any exec)", "ms", Sample::execCpu, "", "",
                true);
        line(samples, "one HEALTHCHECK run (exec and probe; the excess of the idle minute per run)", "ms",
                Sample::probeCpu, "", "", true);
        double schedule = med(samples.get("pg-entrypoint with a backup schedule"), Sample::pss)
                - med(samples.get("pg-entrypoint"), Sample::pss);
        System.out.printf(Locale.ROOT, "%nbackup schedule: JVM Pss %+.1f MB (target ≤ +3 MB: %s)%n", schedule,
                schedule <= 3 ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "median of %d runs (a median of two is the lower), interleaved (order turned each "
                + "run); idle window %d s after %d s; %d cores; the machine is shared, so compare the columns of one run, "
                + "not runs%n", ref.size(), IDLE,
                SETTLE, Runtime.getRuntime().availableProcessors());
    }

    private static double med(List<Sample> l, java.util.function.ToDoubleFunction<Sample> f) {
        return Benchmark.median(l.stream().map(f::applyAsDouble).toList());
    }

    private static String ratio(Map<String, List<Sample>> samples, java.util.function.ToDoubleFunction<Sample> f) {
        return String.format(Locale.ROOT, "%.2f×", med(samples.get("pg-entrypoint"), f)
                / med(samples.get("reference (shell entrypoint)"), f));
    }

    private static void line(Map<String, List<Sample>> samples, String what, String unit,
            java.util.function.ToDoubleFunction<Sample> f, String ratio, String target, boolean met) {
        StringBuilder b = new StringBuilder("| " + what + " | ");
        for (List<Sample> l : samples.values()) {
            b.append(Benchmark.fmt(med(l, f))).append(' ').append(unit).append(" | ");
        }
        b.append(ratio).append(" | ").append(target).append(target.isEmpty() ? "" : met ? " met" : " MISSED").append(" |");
        System.out.println(b);
    }

    /** /tmp/podman.lock held with flock(1) (the lock the project's scripts take) while open. */
    private static final class Lock implements AutoCloseable {
        private final Process holder;

        private Lock(Process holder) {
            this.holder = holder;
        }

        static Lock take() throws IOException {
            Process p = new ProcessBuilder("flock", "/tmp/podman.lock", "sh", "-c", "echo locked; exec cat >/dev/null")
                    .redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            if (!"locked".equals(r.readLine())) {
                p.destroyForcibly();
                throw new IllegalStateException("could not take /tmp/podman.lock");
            }
            return new Lock(p);
        }

        @Override
        public void close() throws IOException {
            holder.getOutputStream().close();
            try {
                holder.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            holder.destroyForcibly();
        }
    }
}
