package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input: exit 1 (or 2 for an unfinished init), a message naming the variable or file, nothing created. */
class ValidationIT {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private void assertNothingCreated(EntrypointProcess e) {
        assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
        assertFalse(Files.exists(e.dir.resolve("sock")), "socket directory was created");
        assertFalse(Files.exists(e.stateFile()), "state file was written");
        assertFalse(Files.exists(e.lockFile()), "lock file left behind");
    }

    @Test
    void missingPasswordOnFirstInit() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("POSTGRES_PASSWORD"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void everyErrorIsReportedAtOnce() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("PGPORT", "99999").with("STARTUP_MODE", "turbo").with("SHUTDOWN_TIMEOUT", "soon")
                    .with("POSTGRES_INITDB_ARGS", "--locale='C");
            assertEquals(1, e.run(RUN), e.log());
            for (String variable : List.of("PGPORT", "STARTUP_MODE", "SHUTDOWN_TIMEOUT", "POSTGRES_PASSWORD",
                    "POSTGRES_INITDB_ARGS")) {
                assertTrue(e.log().contains(variable + ":"), variable + " not reported: " + e.log());
            }
            assertNothingCreated(e);
        }
    }

    @Test
    void passwordAndPasswordFileAreExclusive() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path file = Files.writeString(tmp.resolve("pw"), "from-file\n");
            e.with("POSTGRES_PASSWORD", "x").with("POSTGRES_PASSWORD_FILE", file.toString());
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void unreadablePasswordFile() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD_FILE", tmp.resolve("missing").toString());
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("POSTGRES_PASSWORD_FILE: cannot read"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void relativeOrFilePgdata() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "x").with("PGDATA", "relative/data");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("PGDATA: 'relative/data' is not an absolute path"), e.log());
            Path file = Files.writeString(tmp.resolve("a-file"), "x");
            e.with("PGDATA", file.toString());
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("exists and is not a directory"), e.log());
        }
    }

    @Test
    void missingBinaries() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path empty = Files.createDirectories(tmp.resolve("nobin"));
            e.with("POSTGRES_PASSWORD", "x").with("PG_BIN_DIR", empty.toString());
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("PG_BIN_DIR: " + empty), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void dataOfAnotherMajorVersionIsRefusedAndKept() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Files.createDirectories(e.pgdata());
            Files.writeString(e.pgdata().resolve("PG_VERSION"), "9.6\n");
            Files.writeString(e.pgdata().resolve("postgresql.conf"), "# old\n");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("initialized by PostgreSQL 9.6"), e.log());
            assertEquals("# old\n", Files.readString(e.pgdata().resolve("postgresql.conf")));
            try (Stream<Path> files = Files.list(e.pgdata())) {
                assertEquals(2, files.count(), "PGDATA changed");
            }
        }
    }

    @Test
    void nonEmptyDirectoryWithoutPgVersion() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Files.createDirectories(e.pgdata());
            Files.writeString(e.pgdata().resolve("important.txt"), "keep me");
            e.with("POSTGRES_PASSWORD", "x");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("is not a PostgreSQL data directory"), e.log());
            assertEquals("keep me", Files.readString(e.pgdata().resolve("important.txt")));
        }
    }

    @Test
    void configurationSyntaxErrorNamesFileAndLine() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path confd = Files.createDirectories(e.dir.resolve("config/conf.d"));
            Files.writeString(confd.resolve("20-broken.conf"), "shared_buffers = 64MB\nwork_mem = = 3\n");
            EntrypointProcess.openUp(confd);
            e.with("POSTGRES_PASSWORD", "x");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains(confd.resolve("20-broken.conf") + "\" line 2"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void badHbaRuleNamesFileAndLine() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Files.writeString(e.dir.resolve("config/pg_hba.conf"), "local all all trust\nhost all all all sometimes\n");
            e.with("POSTGRES_PASSWORD", "x");
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("pg_hba.conf: line 2: unknown authentication method 'sometimes'"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void malformedWorkflowYamlNamesFileAndLine() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            Path workflows = Files.createDirectories(tmp.resolve("workflows"));
            // sound for the workflow check (the routes' direct: targets exist), but lg is no step Camel knows
            Files.writeString(workflows.resolve("entrypoint.camel.yaml"), "- route:\n    id: broken\n    from:\n"
                    + "      uri: timer:x\n      steps:\n        - lg: {message: oops}\n"
                    + "- route: {id: entrypoint-cleanup, from: {uri: direct:entrypoint-cleanup, steps: [{stop: {}}]}}\n"
                    + "- route: {id: entrypoint-exit, from: {uri: direct:entrypoint-exit, steps: [{stop: {}}]}}\n");
            EntrypointProcess.openUp(workflows);
            e.with("POSTGRES_PASSWORD", "x").with("WORKFLOWS_DIR", workflows.toString());
            assertEquals(1, e.run(RUN), e.log());
            assertTrue(e.log().contains("entrypoint.camel.yaml, line 6"), e.log());
            assertNothingCreated(e);
        }
    }

    @Test
    void aSecondEntrypointForTheSameLockRefuses() throws Exception {
        try (EntrypointProcess first = new EntrypointProcess(tmp);
                EntrypointProcess second = new EntrypointProcess(Files.createDirectories(tmp.resolve("second")))) {
            first.with("STARTUP_MODE", "sleep").start();
            first.awaitState("READY", RUN);
            second.env.clear();
            second.env.putAll(first.env);
            second.with("STATE_FILE", tmp.resolve("second/state.json").toString());
            assertEquals(1, second.run(RUN), second.log());
            assertTrue(second.log().contains("in use by pid "), second.log());
            assertFalse(Files.exists(tmp.resolve("second/state.json")), "the refused entrypoint wrote a state file");
            assertTrue(first.inState("READY"), "the first entrypoint must be unaffected");
        }
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "very-secret-pw").with("DRY_RUN", "1")
                    .with("POSTGRES_INITDB_ARGS", "--data-checksums --locale=C");
            assertEquals(0, e.run(RUN), e.log());
            String log = e.log();
            assertTrue(log.contains("DRY_RUN"), log);
            assertTrue(log.indexOf("init-directories:") < log.indexOf("init-database:"), log);
            assertTrue(log.contains("initdb --pgdata=" + e.pgdata()), log);
            assertTrue(log.contains("--data-checksums --locale=C"), log);
            assertFalse(log.contains("very-secret-pw"), "the password leaked into the log");
            assertNothingCreated(e);
            e.without("POSTGRES_PASSWORD");
            assertEquals(1, e.run(RUN), "an invalid dry run exits 1: " + e.log());
        }
    }

    /** The sample of docs/operations.md ("Dry run") is what a dry run prints, paths, port and times aside. */
    @Test
    void theDocumentedDryRunIsWhatADryRunPrints() throws Exception {
        try (EntrypointProcess e = new EntrypointProcess(tmp)) {
            e.with("POSTGRES_PASSWORD", "change-me").with("DRY_RUN", "1").without("PG_SOCKET_DIR").without("SHUTDOWN_TIMEOUT");
            assertEquals(0, e.run(RUN), e.log());
            String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs/operations.md"));
            int at = doc.indexOf("```", doc.indexOf("Output of `DRY_RUN=1 POSTGRES_PASSWORD=change-me pg-entrypoint`"));
            String sample = doc.substring(doc.indexOf('\n', at) + 1, doc.indexOf("```", at + 3));
            String actual = e.log().replace(e.pgdata().toString(), "/var/lib/postgresql/data")
                    .replace(e.dir.resolve("config").toString(), "/etc/pg-entrypoint")
                    .replace(e.dir.resolve("initdb.d").toString(), "/docker-entrypoint-initdb.d")
                    .replace(e.dir.toString(), "/var/lib/postgresql")
                    .replace("port=" + e.port, "port=5432");
            assertEquals(withoutTimes(sample), withoutTimes(actual));
        }
    }

    private static String withoutTimes(String log) {
        return log.lines().map(l -> l.replaceFirst("^\\d{4}-\\d\\d-\\d\\dT\\S+ ", "")
                .replaceAll("/usr/lib/postgresql/\\d+/bin", "/usr/lib/postgresql/N/bin"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
