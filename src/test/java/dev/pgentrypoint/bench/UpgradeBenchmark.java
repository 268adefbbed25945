package dev.pgentrypoint.bench;

import dev.pgentrypoint.it.OldPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench.mode=upgrade}: {@code POSTGRES_UPGRADE=auto} on a PostgreSQL 14 cluster of about 1 GB
 * ({@code pgbench -i -s bench.scale}, default 70), in copy and in link mode, each timed from launching
 * the entrypoint to the first password login on the upgraded server. Next to floors measured in the
 * same run, interleaved: {@code cp -a} of the same data directory (what copy mode cannot beat), and
 * pg_upgrade's own {@code --link} run by hand (initdb, {@code pg_upgrade --link}, a bare start to the
 * first login). The 14 binaries are those of the upgrade tests (io.zonky on Maven Central).
 */
final class UpgradeBenchmark {
    static final int SCALE = Integer.getInteger("bench.scale", 70);
    /** A copy-mode upgrade of a large cluster on a loaded machine takes minutes. */
    static final long LOGIN_SECONDS = 3600;

    private final Benchmark b;

    UpgradeBenchmark(Benchmark b) {
        this.b = b;
    }

    void run() throws Exception {
        Path oldBin = OldPostgres.binDir();
        Path template = b.dir("old-14");
        double bytes = createOldCluster(oldBin, template);
        double relations = bytes(template.resolve("data/base"));
        List<Double> copyFloor = new ArrayList<>();
        List<Double> copy = new ArrayList<>();
        List<Double> linkFloor = new ArrayList<>();
        List<Double> link = new ArrayList<>();
        for (int i = 0; i < Benchmark.RUNS; i++) {
            Path floor = b.dir("floor-copy-" + i);
            long t0 = System.nanoTime();
            b.exec(List.of("cp", "-a", template.resolve("data").toString(), floor.resolve("data").toString()));
            copyFloor.add(Benchmark.seconds(t0));
            remove(floor);

            copy.add(entrypoint(oldBin, template, "copy", i));

            linkFloor.add(pgUpgradeLinkByHand(oldBin, template, i));

            link.add(entrypoint(oldBin, template, "link", i));
        }
        remove(template);
        double copyRatio = Benchmark.median(copy) / Benchmark.median(copyFloor);
        double linkRatio = Benchmark.median(link) / Benchmark.median(linkFloor);
        System.out.println();
        System.out.println("| figure | measured | floor | ratio |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| upgrade 14 -> %s, copy mode, launch to first login | %s s | %s s (cp -a of PGDATA) "
                + "| %.1f× |%n", b.bin.majorVersion().orElse(0), Benchmark.fmt(Benchmark.median(copy)),
                Benchmark.fmt(Benchmark.median(copyFloor)), copyRatio);
        System.out.printf(Locale.ROOT, "| upgrade 14 -> %s, link mode, launch to first login | %s s | %s s (initdb + "
                + "pg_upgrade --link + bare start, by hand) | %.1f× |%n", b.bin.majorVersion().orElse(0),
                Benchmark.fmt(Benchmark.median(link)), Benchmark.fmt(Benchmark.median(linkFloor)), linkRatio);
        System.out.printf(Locale.ROOT, "%nPGDATA %.0f MB, of which base/ %.0f MB (pgbench scale %d); median of %d runs; "
                + "copy %s; copy floor %s; link %s; link floor %s; %d cores%n", bytes / (1 << 20), relations / (1 << 20),
                SCALE, Benchmark.RUNS, copy, copyFloor, link, linkFloor, Runtime.getRuntime().availableProcessors());
    }

    /** initdb of 14, pgbench -i on a server of 14, a clean stop; the size of PGDATA in bytes. */
    private double createOldCluster(Path oldBin, Path dir) throws Exception {
        b.exec(List.of(oldBin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--pwfile=" + b.pwfile(dir), "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                "--locale=C.UTF-8"));
        int port = Benchmark.freePort();
        Path sock = b.dir("old-14-sock");
        b.exec(List.of(oldBin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-o",
                "-c listen_addresses='' -k " + sock + " -p " + port, "-w", "-t", "300", "-l",
                dir.resolve("server.log").toString(), "start"));
        try {
            b.exec(List.of(b.bin.tool("pgbench").toString(), "-i", "-q", "-s", String.valueOf(SCALE), "-h", sock.toString(),
                    "-p", String.valueOf(port), "-U", "postgres", "postgres"));
        } finally {
            b.exec(List.of(oldBin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                    "-t", "300", "stop"));
        }
        return bytes(dir.resolve("data"));
    }

    /** {@code du -sb}: the bytes below a directory. */
    private static double bytes(Path dir) throws Exception {
        Process du = new ProcessBuilder("du", "-sb", dir.toString()).start();
        String out = new String(du.getInputStream().readAllBytes()).trim();
        du.waitFor();
        return Double.parseDouble(out.split("\\s+")[0]);
    }

    /** The entrypoint with POSTGRES_UPGRADE=auto on a copy of the 14 cluster (the copy untimed). */
    private double entrypoint(Path oldBin, Path template, String mode, int run) throws Exception {
        Path ep = b.dir("upgrade-" + mode + "-" + run);
        b.exec(List.of("cp", "-a", template.resolve("data").toString(), ep.resolve("data").toString()));
        int port = Benchmark.freePort();
        int mgmt = Benchmark.freePort();
        long t0 = System.nanoTime();
        Process p = b.entrypoint(ep, port, mgmt, Map.of("POSTGRES_UPGRADE", "auto", "POSTGRES_UPGRADE_MODE", mode,
                "PG_OLD_BIN_DIR", oldBin.toString()));
        awaitRows(port, p);
        double seconds = Benchmark.seconds(t0);
        Benchmark.stopEntrypoint(p);
        remove(ep);
        return seconds;
    }

    /** What a careful person runs for a link-mode upgrade: initdb alike, pg_upgrade --link, start, first login. */
    private double pgUpgradeLinkByHand(Path oldBin, Path template, int run) throws Exception {
        Path floor = b.dir("floor-link-" + run);
        b.exec(List.of("cp", "-a", template.resolve("data").toString(), floor.resolve("old").toString()));
        Path sock = b.dir("floor-link-" + run + "-upgrade-sock");
        int port = Benchmark.freePort();
        long t0 = System.nanoTime();
        b.exec(List.of(b.bin.tool("initdb").toString(), "-D", floor.resolve("data").toString(), "-U", "postgres",
                "--pwfile=" + b.pwfile(floor), "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                "--locale=C.UTF-8"));
        ProcessBuilder pb = new ProcessBuilder(b.asPostgres(List.of(b.bin.tool("pg_upgrade").toString(),
                "--old-bindir=" + oldBin, "--new-bindir=" + b.bin.binDir(), "--old-datadir=" + floor.resolve("old"),
                "--new-datadir=" + floor.resolve("data"), "--username=postgres", "--old-port=" + port,
                "--new-port=" + port, "--socketdir=" + sock,
                "--jobs=" + Math.max(1, Runtime.getRuntime().availableProcessors()), "--link")))
                .directory(floor.toFile()).redirectErrorStream(true).redirectOutput(floor.resolve("pg_upgrade.log").toFile());
        Process upgrade = pb.start();
        if (upgrade.waitFor() != 0) {
            throw new IllegalStateException("pg_upgrade --link failed; see " + floor.resolve("pg_upgrade.log"));
        }
        Process server = b.bare(floor);
        double seconds = Benchmark.seconds(t0);
        Benchmark.stopBare(server);
        remove(floor);
        return seconds;
    }

    /** The first password login on the upgraded server that sees pgbench's rows. */
    private static void awaitRows(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOGIN_SECONDS);
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/postgres?connectTimeout=2&sslmode=disable", "postgres", Benchmark.PASSWORD);
                    ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM pgbench_branches")) {
                r.next();
                if (r.getLong(1) != SCALE) {
                    throw new IllegalStateException("pgbench_branches has " + r.getLong(1) + " rows, not " + SCALE);
                }
                return;
            } catch (SQLException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the entrypoint exited with " + p.exitValue());
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("no login within " + LOGIN_SECONDS + " s on port " + port);
    }

    private void remove(Path dir) throws Exception {
        if (Files.exists(dir)) {
            new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
        }
    }
}
