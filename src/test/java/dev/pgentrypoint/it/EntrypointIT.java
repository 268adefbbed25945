package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged entrypoint against real PostgreSQL: init, login, restart, scripts, signals, failures. */
class EntrypointIT {
    static final Duration START = Duration.ofSeconds(60);
    static final Duration STOP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void firstInitLoginRestartAndCleanStop() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "s3cret").start();
            e.awaitState("RUNNING", START);
            assertEquals(new EntrypointProcess.Result(0, "1"), e.psql("postgres", "s3cret", "postgres", "SELECT 1"));
            EntrypointProcess.Result wrong = e.psql("postgres", "wrong", "postgres", "SELECT 1");
            assertNotEquals(0, wrong.code());
            assertTrue(wrong.output().contains("password authentication failed"), wrong.output());
            assertEquals(0, e.psql("postgres", "s3cret", "postgres",
                    "CREATE TABLE kept(x int); INSERT INTO kept VALUES (42)").code());

            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            assertTrue(e.inState("STOPPED"), e.state());
            assertFalse(Files.exists(e.pgdata().resolve("postmaster.pid")), "stale postmaster.pid");
            assertFalse(Files.exists(e.lockFile()), "lock file left behind");
            assertTrue(e.log().contains("received fast shutdown request"), e.log());

            e.without("POSTGRES_PASSWORD").start();
            e.awaitState("RUNNING", START);
            assertTrue(e.log().contains("PGDATA holds a database; skipping initialization"), e.log());
            assertFalse(e.log().contains("initdb done"), e.log());
            assertEquals("42", e.psql("postgres", "s3cret", "postgres", "SELECT x FROM kept").output());
            e.signal("INT");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    @Test
    void noProcessOfOursRunsAsRoot() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            ProcessHandle entrypoint = ProcessHandle.of(e.pid()).orElseThrow();
            List<ProcessHandle> ours = Stream.concat(Stream.of(entrypoint), entrypoint.descendants()).toList();
            assertTrue(ours.size() > 2, "expected the JVM, the postmaster and its children: " + ours);
            int self = uid(ProcessHandle.current().pid());
            for (ProcessHandle p : ours) {
                int uid = uid(p.pid());
                if (self == 0) {
                    assertNotEquals(0, uid, "runs as root: " + p.info().commandLine().orElse("?"));
                } else {
                    assertEquals(self, uid, "runs as another user: " + p.info().commandLine().orElse("?"));
                }
            }
            assertTrue(e.log().contains(self == 0 ? "handing over to postgres" : "user="), e.log());
        }
    }

    @Test
    void initScriptsRunOnFirstStartOnlyAndCreateTheDatabase() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Files.writeString(scripts.resolve("10-table.sql"), "CREATE TABLE runs(n int); INSERT INTO runs VALUES (1);");
            try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(scripts.resolve("20-more.sql.gz")))) {
                gz.write("INSERT INTO runs VALUES (2);".getBytes(StandardCharsets.UTF_8));
            }
            Files.writeString(scripts.resolve("30-shell.sh"), "set -e\necho \"shell sees $POSTGRES_USER/$POSTGRES_DB\"\n"
                    + "psql -v ON_ERROR_STOP=1 -c 'INSERT INTO runs VALUES (3)'\n");
            Files.writeString(scripts.resolve("40-notes.txt"), "not a script");
            EntrypointProcess.openUp(scripts);
            e.with("POSTGRES_PASSWORD", "pw").with("POSTGRES_USER", "app").with("POSTGRES_DB", "appdb").start();
            e.awaitState("RUNNING", START);
            assertEquals("{1,2,3}", e.psql("app", "pw", "appdb", "SELECT array_agg(n ORDER BY n) FROM runs").output());
            assertTrue(e.log().contains("shell sees app/appdb"), e.log());
            assertFalse(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")));
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            e.start();
            e.awaitState("RUNNING", START);
            assertFalse(e.log().contains("running "), "scripts ran again: " + e.log());
            assertEquals("3", e.psql("app", "pw", "appdb", "SELECT count(*) FROM runs").output());
        }
    }

    @Test
    void failingInitScriptExits2AndTheNextStartRefuses() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Files.writeString(scripts.resolve("10-ok.sql"), "CREATE TABLE t(x int);");
            Files.writeString(scripts.resolve("20-broken.sql"), "THIS IS NOT SQL;");
            EntrypointProcess.openUp(scripts);
            e.with("POSTGRES_PASSWORD", "pw");
            assertEquals(2, e.run(START), e.log());
            assertTrue(e.log().contains("20-broken.sql"), e.log());
            assertTrue(e.log().contains("syntax error"), "psql's error should be in the log: " + e.log());
            assertTrue(e.inState("ERROR"), e.state());
            assertTrue(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")), "marker removed");
            assertTrue(Files.exists(e.pgdata().resolve("PG_VERSION")), "data directory must be kept");
            assertFalse(Files.exists(e.pgdata().resolve("postmaster.pid")), "temporary server left running");

            assertEquals(2, e.run(START), e.log());
            assertTrue(e.log().contains("did not finish"), e.log());
            assertFalse(e.log().contains("Started child"), "a half-initialized cluster was started: " + e.log());
            assertTrue(Files.exists(e.pgdata().resolve("PG_VERSION")), "data directory must be kept");
        }
    }

    @Test
    void sigtermDuringAnInitScriptExits2AndTheNextStartCompletesTheInit() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Path started = e.dir.resolve("run/slow-script-started");
            Path slow = e.dir.resolve("run/slow");
            Files.writeString(slow, "");
            Files.writeString(scripts.resolve("10-table.sql"), "CREATE TABLE t(x int); INSERT INTO t VALUES (1);");
            Files.writeString(scripts.resolve("20-slow.sh"), "touch " + started + "\nif [ -s " + slow
                    + " ]; then sleep 60; fi\npsql -c 'INSERT INTO t VALUES (2)'\n");
            Files.writeString(slow, "yes");
            EntrypointProcess.openUp(scripts);
            EntrypointProcess.openUp(slow);
            e.with("POSTGRES_PASSWORD", "pw").with("POSTGRES_DB", "app").start();
            e.await(() -> Files.exists(started), START, "the slow init script");
            long signalled = System.nanoTime();
            e.signal("TERM");
            assertEquals(2, e.awaitExit(STOP), "an interrupted first initialization is not a success: " + e.log());
            assertTrue(Duration.ofNanos(System.nanoTime() - signalled).toSeconds() < 10, "stop took too long");
            assertTrue(e.inState("STOPPED"), e.state());
            assertTrue(e.log().contains("first initialization was interrupted"), e.log());
            assertFalse(Files.exists(e.pgdata().resolve("postmaster.pid")), "temporary server left running");
            assertTrue(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")), "init did not finish");

            Files.writeString(slow, "");
            e.start();
            e.awaitState("RUNNING", START);
            assertTrue(e.log().contains("was moved into"), e.log());
            assertEquals("{1,2}", e.psql("postgres", "pw", "app", "SELECT array_agg(x ORDER BY x) FROM t").output());
            assertFalse(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")));
            try (Stream<Path> entries = Files.list(e.pgdata())) {
                Path aside = entries.filter(p -> p.getFileName().toString().startsWith("pg-entrypoint.init-failed-"))
                        .findFirst().orElseThrow(() -> new AssertionError("the interrupted init was not set aside"));
                assertTrue(Files.exists(aside.resolve("PG_VERSION")), "set aside whole, not deleted");
            }
        }
    }

    @Test
    void aScriptThatSurvivesTheStopDoesNotCompleteTheInitialization() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Path started = e.dir.resolve("run/stubborn-started");
            Files.writeString(scripts.resolve("10-stubborn.sh"), "trap 'exit 0' TERM INT\ntouch " + started
                    + "\nwhile :; do sleep 0.1; done\n");
            EntrypointProcess.openUp(scripts);
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.await(() -> Files.exists(started), START, "the stubborn init script");
            e.signal("TERM");
            assertEquals(2, e.awaitExit(STOP), e.log());
            assertTrue(Files.exists(e.pgdata().resolve("pg-entrypoint.init-incomplete")),
                    "a stop during init must keep the marker: " + e.log());
            assertFalse(e.log().contains("Started child 'postgres'"), "the server was started: " + e.log());
        }
    }

    @Test
    void postgresExitingOnItsOwnIsARuntimeFailure() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            long postmaster = e.postmasterPid();
            assertTrue(postmaster > 0);
            EntrypointProcess.signal(postmaster, "KILL");
            assertEquals(3, e.awaitExit(STOP), e.log());
            assertTrue(e.inState("ERROR"), e.state());
            assertTrue(e.log().contains("exited on its own"), e.log());
            String output = e.log().substring(e.log().indexOf("exited on its own"));
            assertTrue(output.matches("(?s)exited on its own with code \\d+; last output:\n.*database system is ready.*"),
                    "the failed child's last output must be kept: " + e.log());
        }
    }

    @Test
    void postgresArgumentsFromTheCommandLineArePassedThrough() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start("postgres", "-c", "work_mem=7MB");
            e.awaitState("RUNNING", START);
            assertEquals("7MB", e.psql("postgres", "pw", "postgres", "SHOW work_mem").output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            e.start("-c", "work_mem=9MB");
            e.awaitState("RUNNING", START);
            assertEquals("9MB", e.psql("postgres", "pw", "postgres", "SHOW work_mem").output());
        }
    }

    @Test
    void userConfigurationIsAppliedOnEveryStart() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path confd = Files.createDirectories(e.dir.resolve("config/conf.d"));
            Files.writeString(confd.resolve("10-memory.conf"), "work_mem = 5MB\n");
            EntrypointProcess.openUp(confd);
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            assertEquals("5MB", e.psql("postgres", "pw", "postgres", "SHOW work_mem").output());
            assertTrue(Files.readString(e.pgdata().resolve("pg-entrypoint.conf")).contains("work_mem = 5MB"));
            assertTrue(Files.readString(e.pgdata().resolve("postgresql.conf")).endsWith("include_if_exists 'pg-entrypoint.conf'\n"));
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            Files.writeString(confd.resolve("10-memory.conf"), "work_mem = 6MB\n");
            e.start();
            e.awaitState("RUNNING", START);
            assertEquals("6MB", e.psql("postgres", "pw", "postgres", "SHOW work_mem").output());
        }
    }

    @Test
    void aStepAddedToACopyOfTheWorkflowRunsWithoutRebuilding() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path workflows = Files.createDirectories(e.dir.resolve("workflows"));
            String original = Files.readString(EntrypointProcess.DIST.resolve("workflows/entrypoint.camel.yaml"));
            String marker = "        - to: {uri: direct:runtime-startup-main}";
            assertTrue(original.contains(marker));
            Files.writeString(workflows.resolve("entrypoint.camel.yaml"), original.replace(marker,
                    "        - log: {message: \"custom step ran before startup\", logName: pg-entrypoint.custom}\n"
                    + "        - log: {message: \"a step without a logger name\"}\n"
                    + "        - log: {message: \"a debug step without a logger name\", loggingLevel: DEBUG}\n" + marker));
            EntrypointProcess.openUp(workflows);
            e.with("WORKFLOWS_DIR", workflows.toString()).with("STARTUP_MODE", "sleep").start();
            e.awaitState("READY", START);
            e.awaitLog("custom step ran before startup", START);
            e.awaitLog("INFO  [entrypoint] a step without a logger name", START);
            assertFalse(e.log().contains("a debug step"), e.log());
            assertFalse(Files.exists(e.pgdata().resolve("PG_VERSION")), "sleep mode must not initialize");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            assertTrue(e.inState("STOPPED"), e.state());

            e.with("DEBUG", "1").start();
            e.awaitLog("DEBUG [entrypoint] a debug step without a logger name", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    @Test
    void healthcheckCommandFollowsTheServer() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "pw").start();
            e.awaitState("RUNNING", START);
            EntrypointProcess check = EntrypointProcess.sharing(e, Files.createDirectories(tmp.resolve("check")));
            assertEquals(0, check.run(Duration.ofSeconds(10), "healthcheck"), check.log());
            assertTrue(check.log().startsWith("healthy"), check.log());
            long postmaster = e.postmasterPid();
            assertTrue(postmaster > 1, "no postmaster.pid");
            EntrypointProcess.signal(postmaster, "STOP");
            try {
                assertEquals(1, check.run(Duration.ofSeconds(15), "healthcheck", "--type=connectivity"), check.log());
            } finally {
                EntrypointProcess.signal(postmaster, "CONT");
            }
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            assertEquals(1, check.run(Duration.ofSeconds(10), "healthcheck"), check.log());
            assertTrue(check.log().contains("STOPPED"), check.log());
        }
    }

    static int uid(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        throw new IllegalStateException("no Uid line for " + pid);
    }
}
