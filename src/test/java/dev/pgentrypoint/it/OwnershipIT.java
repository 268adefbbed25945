package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the user (or an init script) wrote in PGDATA stays theirs: a volume as the official image leaves it, edited,
 * started twice by the entrypoint, keeps its pg_hba.conf byte for byte, its settings, and works with a bare postgres.
 */
class OwnershipIT {
    static final Duration START = Duration.ofSeconds(90);
    static final Duration STOP = Duration.ofSeconds(30);
    static final String REJECT = "host all blocked all reject\n";

    private static final Privileges POSTGRES = new Privileges("postgres");
    private static final PgBinaries BIN = PgBinaries.discover(Optional.empty(), System.getenv("PATH"),
            Path.of("/usr/lib/postgresql")).orElseThrow(() -> new AssertionError("the test needs PostgreSQL binaries"));

    @TempDir
    Path tmp;

    /** Runs a command as postgres (when the test runs as root) and returns its output; fails on a non-zero exit. */
    private static String run(String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(POSTGRES.asTargetUser(List.of(command))).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "hung: " + List.of(command));
            assertEquals(0, p.exitValue(), () -> List.of(command) + " failed: " + out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /** initdb, then what the official entrypoint does to the files: listen_addresses='*' and one host line. */
    private static void officialVolume(Path pgdata) throws Exception {
        Path pwfile = pgdata.resolveSibling("pwfile");
        Files.writeString(pwfile, "secret\n");
        Files.setPosixFilePermissions(pwfile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        run(null, BIN.tool("initdb").toString(), "--pgdata=" + pgdata, "--username=postgres", "--pwfile=" + pwfile, "-N");
        Files.delete(pwfile);
        run(null, "sed", "-ri", "s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!", pgdata.resolve("postgresql.conf").toString());
        run(null, "sh", "-c", "printf '\\nhost all all all scram-sha-256\\n' >> '" + pgdata.resolve("pg_hba.conf") + "'");
        run("CREATE ROLE blocked LOGIN PASSWORD 'pw';\n", BIN.tool("postgres").toString(), "--single", "-D",
                pgdata.toString(), "postgres");
    }

    /** The user's edits: a reject rule first (it matters: it comes before initdb's loopback trust) and a setting. */
    private static void userEdits(Path pgdata) throws Exception {
        run(null, "sed", "-i", "1i " + REJECT.strip(), pgdata.resolve("pg_hba.conf").toString());
        run(null, "sh", "-c", "echo \"work_mem = '77MB'\" >> '" + pgdata.resolve("postgresql.conf") + "'");
    }

    private static void assertTheUsersRulesHold(EntrypointProcess e) throws Exception {
        EntrypointProcess.Result rejected = e.psql("blocked", "pw", "postgres", "SELECT 1");
        assertNotEquals(0, rejected.code(), rejected.output());
        assertTrue(rejected.output().contains("rejects connection"), rejected.output());
        assertEquals(new EntrypointProcess.Result(0, "77MB"), e.psql("postgres", "secret", "postgres", "SHOW work_mem"));
        assertEquals(new EntrypointProcess.Result(0, "off"), e.psql("postgres", "secret", "postgres", "SHOW archive_mode"));
    }

    /** Returns the log of each start. */
    private static List<String> startTwice(EntrypointProcess e, byte[] hba) throws Exception {
        List<String> logs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            e.start();
            e.awaitState("RUNNING", START);
            assertTheUsersRulesHold(e);
            e.signal("INT");
            assertEquals(0, e.awaitExit(STOP), e.log());
            assertEquals(new String(hba, StandardCharsets.UTF_8), Files.readString(e.pgdata().resolve("pg_hba.conf")),
                    "pg_hba.conf changed at start " + (i + 1));
            logs.add(e.log());
        }
        return logs;
    }

    /** The official image runs a bare postgres on the volume: same settings. */
    private static void backToTheOfficialImage(Path pgdata) throws Exception {
        assertEquals(String.valueOf(77 * 1024), run(null, BIN.tool("postgres").toString(), "-D", pgdata.toString(), "-C",
                "work_mem").strip(), "work_mem in kB");
        assertEquals("off", run(null, BIN.tool("postgres").toString(), "-D", pgdata.toString(), "-C", "archive_mode").strip());
    }

    @Test
    void aVolumeOfTheOfficialImageKeepsTheUsersEdits() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            officialVolume(e.pgdata());
            userEdits(e.pgdata());
            byte[] hba = Files.readAllBytes(e.pgdata().resolve("pg_hba.conf"));
            String conf = Files.readString(e.pgdata().resolve("postgresql.conf"));

            List<String> logs = startTwice(e, hba);

            String after = Files.readString(e.pgdata().resolve("postgresql.conf"));
            assertTrue(after.startsWith(conf), "the user's lines are unchanged and first");
            assertEquals(List.of("include_if_exists 'pg-entrypoint.conf'"), after.substring(conf.length()).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList(), "one include line added");
            assertEquals(1, backups(e.pgdata(), "postgresql.conf").size(), "the previous version kept, once");
            assertTrue(logs.get(0).contains("action=config-file-changed file=" + e.pgdata().resolve("postgresql.conf")),
                    logs.get(0));
            assertTrue(logs.get(0).contains("postgresql.conf + include_if_exists 'pg-entrypoint.conf'"), logs.get(0));
            assertTrue(!logs.get(1).contains("file=" + e.pgdata().resolve("postgresql.conf")), "no change at the second start");
            backToTheOfficialImage(e.pgdata());
        }
    }

    @Test
    void editsOfAnInitScriptOnTheFirstStartStay() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            EntrypointProcess.openUp(scripts);
            Files.writeString(scripts.resolve("10-role.sql"), "CREATE ROLE blocked LOGIN PASSWORD 'pw';\n");
            Files.writeString(scripts.resolve("20-edit.sh"), "set -e\n"
                    + "sed -i '1i " + REJECT.strip() + "' \"$PGDATA/pg_hba.conf\"\n"
                    + "echo \"work_mem = '77MB'\" >> \"$PGDATA/postgresql.conf\"\n");
            e.with("POSTGRES_PASSWORD", "secret").start();
            e.awaitState("RUNNING", START);
            assertTheUsersRulesHold(e);
            e.signal("INT");
            assertEquals(0, e.awaitExit(STOP), e.log());
            byte[] hba = Files.readAllBytes(e.pgdata().resolve("pg_hba.conf"));
            assertTrue(new String(hba, StandardCharsets.UTF_8).startsWith(REJECT));

            e.without("POSTGRES_PASSWORD");
            startTwice(e, hba);
            backToTheOfficialImage(e.pgdata());
        }
    }

    @Test
    void aBrokenLineInTheUsersPostgresqlConfStopsTheStartBeforeAnythingChanges() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            officialVolume(e.pgdata());
            run(null, "sh", "-c", "echo 'work_mem = = 3' >> '" + e.pgdata().resolve("postgresql.conf") + "'");
            String conf = Files.readString(e.pgdata().resolve("postgresql.conf"));
            byte[] hba = Files.readAllBytes(e.pgdata().resolve("pg_hba.conf"));
            int line = (int) conf.lines().count();

            assertEquals(1, e.run(START), e.log());

            assertTrue(e.log().contains("\"" + e.pgdata().resolve("postgresql.conf") + "\" line " + line), e.log());
            assertEquals(conf, Files.readString(e.pgdata().resolve("postgresql.conf")));
            assertEquals(new String(hba, StandardCharsets.UTF_8), Files.readString(e.pgdata().resolve("pg_hba.conf")));
            assertTrue(!Files.exists(e.pgdata().resolve("pg-entrypoint.conf")), "nothing written");
            assertEquals(List.of(), backups(e.pgdata(), "postgresql.conf"));
        }
    }

    private static List<Path> backups(Path pgdata, String name) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var files = Files.list(pgdata)) {
            files.filter(p -> p.getFileName().toString().startsWith(name + ".pg-entrypoint-")).forEach(found::add);
        }
        return found;
    }
}
