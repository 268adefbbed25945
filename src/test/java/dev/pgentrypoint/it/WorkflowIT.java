package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Camel Main over the real YAML, with fake PostgreSQL executables that record their
 * arguments and exit as told: order of steps, branches, error handler, cleanup and exit codes.
 */
class WorkflowIT {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private Path calls;
    private Path bin;

    @BeforeEach
    void fakes() throws IOException {
        bin = Files.createDirectories(tmp.resolve("fakebin"));
        calls = tmp.resolve("calls.log");
        Files.writeString(calls, "");
        Files.setPosixFilePermissions(calls, PosixFilePermissions.fromString("rw-rw-rw-"));
        fake("postgres", """
                echo "postgres $*" >> "$FAKE_CALLS"
                case "$1" in --version|-V) echo "postgres (PostgreSQL) 15.99"; exit 0;; esac
                for a in "$@"; do [ "$a" = -C ] && { echo 5432; exit 0; }; done
                [ -n "$FAKE_SERVER_FAIL" ] && { echo "FATAL: fake server cannot start" >&2; exit 1; }
                dir=$2
                printf '%s\\n%s\\n0\\n5432\\n/tmp\\n*\\n0 0\\nready   \\n' $$ "$dir" > "$dir/postmaster.pid"
                if [ -n "$FAKE_IGNORE_INT" ]; then trap '' INT; else
                  trap 'rm -f "$dir/postmaster.pid"; echo "fake postgres: fast shutdown"; exit 0' INT; fi
                while :; do sleep 0.1; done
                """);
        fake("initdb", """
                echo "initdb $*" >> "$FAKE_CALLS"
                [ -n "$FAKE_INITDB_FAIL" ] && { echo "initdb: error: fake failure" >&2; exit 1; }
                for a in "$@"; do case "$a" in --pgdata=*) dir=${a#--pgdata=};; --pwfile=*) pw=${a#--pwfile=};; esac; done
                [ -n "$pw" ] && echo "initdb pwfile-mode $(stat -c %a "$pw") content $(cat "$pw")" >> "$FAKE_CALLS"
                echo "initdb env-password ${POSTGRES_PASSWORD:-none}" >> "$FAKE_CALLS"
                mkdir -p "$dir" && echo 15 > "$dir/PG_VERSION" && echo "max_connections = 100" > "$dir/postgresql.conf"
                echo "local all all trust" > "$dir/pg_hba.conf"
                """);
        for (String tool : List.of("psql", "pg_ctl", "pg_isready")) {
            fake(tool, "echo \"" + tool + " $*\" >> \"$FAKE_CALLS\"\n");
        }
        EntrypointProcess.openUp(bin);
    }

    private void fake(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private EntrypointProcess entrypoint() throws IOException {
        EntrypointProcess e = new EntrypointProcess(Files.createDirectories(tmp.resolve("run")));
        return e.with("PG_BIN_DIR", bin.toString()).with("FAKE_CALLS", calls.toString());
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(calls);
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static void assertInOrder(String text, String... parts) {
        int at = -1;
        for (String part : parts) {
            int next = text.indexOf(part, at + 1);
            assertTrue(next > at, "'" + part + "' missing or out of order in:\n" + text);
            at = next;
        }
    }

    @Test
    void emptyDataDirectoryRunsEveryStepInOrder() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("POSTGRES_PASSWORD", "pw-1").with("POSTGRES_USER", "admin")
                    .with("POSTGRES_INITDB_ARGS", "--data-checksums --locale='C.UTF-8'").start();
            e.awaitState("RUNNING", RUN);
            e.awaitLog("state=RUNNING", RUN);
            List<String> calls = calls();
            int initdb = indexOf(calls, "initdb --pgdata=" + e.pgdata().resolve("pg-entrypoint.initdb")
                    + " --username=admin --pwfile=");
            int server = indexOf(calls, "postgres -D " + e.pgdata());
            assertTrue(initdb >= 0 && server > initdb, "initdb then the server: " + calls);
            assertTrue(calls.get(initdb).endsWith("--data-checksums --locale=C.UTF-8"), calls.get(initdb));
            assertTrue(calls.contains("initdb pwfile-mode 600 content pw-1"), "password file: " + calls);
            assertTrue(calls.contains("initdb env-password none"), "the password reached initdb's environment: " + calls);
            assertInOrder(e.log(), "validation passed", "state=INITIALIZING", "initdb done", "configuration applied",
                    "initialization complete", "state=READY", "state=STARTING", "state=RUNNING");
            assertFalse(e.log().contains("pw-1"), "password in the log");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(RUN), e.log());
            assertInOrder(e.log(), "state=STOPPING", "fake postgres: fast shutdown", "state=STOPPED");
        }
    }

    @Test
    void existingDataDirectorySkipsInitdb() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            Files.createDirectories(e.pgdata());
            Files.writeString(e.pgdata().resolve("PG_VERSION"), "15\n");
            Files.writeString(e.pgdata().resolve("postgresql.conf"), "max_connections = 100\n");
            e.start();
            e.awaitState("RUNNING", RUN);
            assertEquals(-1, indexOf(calls(), "initdb"), "initdb ran on existing data: " + calls());
            assertTrue(e.log().contains("skipping initialization"), e.log());
            e.signal("INT");
            assertEquals(0, e.awaitExit(RUN), e.log());
        }
    }

    @Test
    void initdbFailureRunsTheCleanupsAndExits2() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("POSTGRES_PASSWORD", "pw").with("FAKE_INITDB_FAIL", "1");
            assertEquals(2, e.run(RUN), e.log());
            assertTrue(e.log().contains("step=init-database-initdb failed exit=2"), e.log());
            assertTrue(e.log().contains("initdb: error: fake failure"), "initdb's stderr in the log: " + e.log());
            // initdb runs without the password in its environment, into a staging directory inside PGDATA
            assertTrue(e.log().contains("reason=command /usr/bin/env -u POSTGRES_PASSWORD " + bin.resolve("initdb")
                    + " --pgdata=" + e.pgdata().resolve("pg-entrypoint.initdb")), e.log());
            assertFalse(e.log().contains("ExecCommand"), "camel-exec's description in the log: " + e.log());
            assertTrue(e.inState("ERROR"), e.state());
            assertFalse(Files.exists(e.lockFile()), "the lock cleanup did not run");
            assertTrue(Files.isDirectory(e.pgdata()), "PGDATA must never be deleted");
            assertEquals(-1, indexOf(calls(), "postgres -D " + e.pgdata()), "the server was started: " + calls());
        }
    }

    @Test
    void serverThatCannotStartIsARuntimeFailure() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("POSTGRES_PASSWORD", "pw").with("FAKE_SERVER_FAIL", "1");
            assertEquals(3, e.run(RUN), e.log());
            assertTrue(e.log().contains("fake server cannot start"), e.log());
            assertTrue(e.inState("ERROR"), e.state());
        }
    }

    @Test
    void aServerIgnoringFastShutdownIsForcedAndExits4() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("POSTGRES_PASSWORD", "pw").with("FAKE_IGNORE_INT", "1").with("SHUTDOWN_TIMEOUT", "1").start();
            e.awaitState("RUNNING", RUN);
            long postmaster = e.postmasterPid();
            e.signal("TERM");
            assertEquals(4, e.awaitExit(RUN), e.log());
            assertTrue(e.inState("STOPPED"), e.state());
            assertFalse(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "server left running");
        }
    }

    @Test
    void sleepModeStartsNoServerAndStopsOnSignal() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("STARTUP_MODE", "sleep").start();
            e.awaitState("READY", RUN);
            EntrypointProcess.sleep(500);
            assertTrue(e.inState("READY"));
            assertEquals(-1, indexOf(calls(), "initdb"), calls().toString());
            assertEquals(-1, indexOf(calls(), "postgres -D " + e.pgdata()), calls().toString());
            assertTrue(Files.isDirectory(e.pgdata()), "sleep mode prepares the directories");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(RUN), e.log());
        }
    }

    /** Runs a DRY_RUN of the settings at hand (it must pass) and returns its plan; DRY_RUN is unset again. */
    static String dryRunPlan(EntrypointProcess e, Duration timeout) throws Exception {
        e.with("DRY_RUN", "1");
        assertEquals(0, e.run(timeout), e.log());
        e.without("DRY_RUN");
        return plan(e.log());
    }

    /** The DRY_RUN plan of the mode and state at hand, then what a real run of the same settings did. */
    private record Outcome(boolean initdb, boolean configWritten, boolean serverStarted) {
    }

    /** The plan a DRY_RUN prints, from its first line to the exit line. */
    static String plan(String log) {
        int at = log.indexOf("DRY_RUN: every validation passed");
        assertTrue(at >= 0, log);
        return log.substring(at, log.indexOf("pg-entrypoint exiting", at));
    }

    private Outcome planned(EntrypointProcess e, String... args) throws Exception {
        e.with("DRY_RUN", "1");
        assertEquals(0, e.run(RUN, args), e.log());
        e.without("DRY_RUN");
        String plan = plan(e.log());
        return new Outcome(plan.contains("run " + bin.resolve("initdb")),
                plan.contains("\n  init-config:\n"),
                plan.contains("start and supervise " + bin.resolve("postgres")));
    }

    private Outcome ran(EntrypointProcess e, String state) throws Exception {
        Files.writeString(calls, "");
        e.start();
        e.awaitState(state, RUN);
        e.signal("TERM");
        assertEquals(0, e.awaitExit(RUN), e.log());
        // the log holds this run only
        return new Outcome(indexOf(calls(), "initdb ") >= 0, count(e.log(), "[init-config-main] configuration applied") > 0,
                indexOf(calls(), "postgres -D " + e.pgdata()) >= 0);
    }

    private static long count(String log, String line) {
        return log.lines().filter(l -> l.contains(line)).count();
    }

    @Test
    void theDryRunPlanIsWhatARunDoesInEachModeAndState() throws Exception {
        try (EntrypointProcess e = entrypoint()) {
            e.with("POSTGRES_PASSWORD", "pw").with("STARTUP_MODE", "sleep");
            Outcome sleepPlan = planned(e);
            assertEquals(new Outcome(false, false, false), sleepPlan, plan(e.log()));
            assertFalse(plan(e.log()).contains("init-database"), plan(e.log()));
            assertEquals(sleepPlan, ran(e, "READY"), "sleep mode, empty PGDATA");

            e.with("STARTUP_MODE", "direct");
            Outcome firstPlan = planned(e);
            assertEquals(new Outcome(true, true, true), firstPlan, plan(e.log()));
            assertEquals(firstPlan, ran(e, "RUNNING"), "direct mode, empty PGDATA");

            Outcome restartPlan = planned(e);
            assertTrue(plan(e.log()).contains("skip initdb: " + e.pgdata()), plan(e.log()));
            assertEquals(new Outcome(false, true, true), restartPlan, plan(e.log()));
            assertEquals(restartPlan, ran(e, "RUNNING"), "direct mode, existing data");

            e.with("STARTUP_MODE", "sleep");
            Outcome sleepAgain = planned(e);
            assertEquals(new Outcome(false, false, false), sleepAgain, plan(e.log()));
            assertEquals(sleepAgain, ran(e, "READY"), "sleep mode, existing data");
        }
    }
}
