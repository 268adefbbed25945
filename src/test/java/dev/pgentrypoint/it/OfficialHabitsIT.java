package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Habits of the official image that keep working: postgres' print-and-exit options, compressed init scripts. */
class OfficialHabitsIT {
    static final Duration START = Duration.ofSeconds(90);
    static final Duration QUICK = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void postgresPrintAndExitOptionsPassThroughWithoutSetup() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            List<List<String>> calls = List.of(List.of("postgres", "--version"), List.of("-V"), List.of("postgres", "--help"),
                    List.of("-?"), List.of("postgres", "--describe-config"));
            List<String> expected = List.of("postgres (PostgreSQL) ", "postgres (PostgreSQL) ", "Usage:", "Usage:",
                    "archive_command\t");
            for (int i = 0; i < calls.size(); i++) {
                assertEquals(0, e.run(QUICK, calls.get(i).toArray(String[]::new)), e.log());
                assertTrue(e.log().contains(expected.get(i)), calls.get(i) + ": " + e.log());
            }
            assertFalse(Files.exists(e.pgdata()), "no initialization");
            assertFalse(Files.exists(e.stateFile()), "the entrypoint did not run");

            PgBinaries bin = PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"))
                    .orElseThrow();
            Process initdb = new ProcessBuilder(new Privileges("postgres").asTargetUser(List.of(bin.tool("initdb").toString(),
                    "-D", e.pgdata().toString(), "-N"))).redirectErrorStream(true).start();
            initdb.getInputStream().readAllBytes();
            assertTrue(initdb.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, initdb.exitValue());
            assertEquals(0, e.run(QUICK, "postgres", "-C", "port"), e.log());
            assertEquals(String.valueOf(e.port), e.log().strip(), "postgres -C read PGPORT, nothing else printed");
            assertFalse(Files.exists(e.pgdata().resolve("pg-entrypoint.conf")), "nothing written");
        }
    }

    @Test
    void xzAndZstdInitScriptsRunAndOtherFilesAreLoggedAsIgnored() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            EntrypointProcess.openUp(scripts);
            for (String tool : List.of("xz", "zstd")) {
                Path sql = Files.writeString(scripts.resolve("10-" + tool + ".sql"), "CREATE TABLE ran_" + tool + "(x int);\n");
                Process p = new ProcessBuilder(tool.equals("xz") ? List.of("xz", "-q", sql.toString())
                        : List.of("zstd", "-q", "--rm", sql.toString())).inheritIO().start();
                assertEquals(0, p.waitFor());
            }
            Files.writeString(scripts.resolve("notes.txt"), "not a script\n");
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            assertEquals(new EntrypointProcess.Result(0, "2"), e.psql("postgres", "pw", "postgres",
                    "SELECT count(*) FROM pg_tables WHERE tablename IN ('ran_xz', 'ran_zstd')"));
            assertTrue(e.log().contains("ignoring notes.txt"), e.log());
        }
    }
}
