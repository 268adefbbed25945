package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Backups for integration tests: the variables of a posix repository under the test's directory, and pgbackrest itself. */
final class PgBackRest {
    static final Duration START = Duration.ofSeconds(60);
    static final Duration STOP = Duration.ofSeconds(30);

    private PgBackRest() {
    }

    /** Backups on, with repository, log, lock and spool under {@code base} (created by the entrypoint). */
    static EntrypointProcess enable(EntrypointProcess e, Path base) {
        return e.with("BACKUP_ENABLED", "true")
                .with("PGBACKREST_REPO1_PATH", base.resolve("repo").toString())
                .with("PGBACKREST_LOG_PATH", base.resolve("pgbackrest-log").toString())
                .with("PGBACKREST_LOCK_PATH", base.resolve("pgbackrest-lock").toString())
                .with("PGBACKREST_SPOOL_PATH", base.resolve("pgbackrest-spool").toString());
    }

    /** The configuration the entrypoint rendered. */
    static Path config(EntrypointProcess e) {
        return e.dir.resolve("run/state.pgbackrest/pgbackrest.conf");
    }

    /** Runs pgbackrest as the postgres user (file logging off, so no root-owned log is left behind). */
    static EntrypointProcess.Result run(Path config, String stanza, String... args) throws IOException, InterruptedException {
        return run(Map.of(), config, stanza, args);
    }

    /** The same with these variables set, as a pgbackrest run by hand in the container gets the container's. */
    static EntrypointProcess.Result run(Map<String, String> env, Path config, String stanza, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        command.addAll(List.of("pgbackrest", "--config=" + config, "--stanza=" + stanza, "--log-level-file=off"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PGBACKREST_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pgbackrest hung");
        return new EntrypointProcess.Result(p.exitValue(), out);
    }

    /** {@code pgbackrest info --output=json}, asserted to succeed. */
    static String info(Path config, String stanza) throws IOException, InterruptedException {
        EntrypointProcess.Result info = run(config, stanza, "--output=json", "info");
        assertEquals(0, info.code(), info.output());
        return info.output();
    }

    /** The WAL files of a stanza's archive (segments and history files), by name. */
    static List<String> archived(Path repo, String stanza) throws IOException {
        Path archive = repo.resolve("archive").resolve(stanza);
        if (!Files.isDirectory(archive)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9A-F]{24}.*|[0-9A-F]{8}\\.history")).sorted().toList();
        }
    }

    /** Switches to a new WAL segment and waits until the one just closed is archived. */
    static void switchAndAwaitArchive(EntrypointProcess e, String password) throws Exception {
        String segment = e.psql("postgres", password, "postgres", "SELECT pg_walfile_name(pg_switch_wal())").output();
        e.await(() -> {
            try {
                String last = e.psql("postgres", password, "postgres", "SELECT last_archived_wal FROM pg_stat_archiver").output();
                return last.compareTo(segment) >= 0;
            } catch (IOException | InterruptedException ex) {
                return false;
            }
        }, START, "WAL segment " + segment + " archived");
    }

    /** {@code pg-entrypoint <args>} next to a running entrypoint, with its environment; returns exit code and output. */
    static EntrypointProcess.Result command(EntrypointProcess e, Path dir, String... args) throws Exception {
        EntrypointProcess cli = new EntrypointProcess(Files.createDirectories(dir));
        cli.env.clear();
        cli.env.putAll(e.env);
        int code = cli.run(Duration.ofSeconds(120), args);
        return new EntrypointProcess.Result(code, cli.log().trim());
    }
}
