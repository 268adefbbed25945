package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged launcher: --help of every command without validation, and the workflow check before anything changes. */
class CommandLineIT {
    static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private EntrypointProcess entrypoint(String name) throws IOException {
        return new EntrypointProcess(Files.createDirectories(tmp.resolve(name)));
    }

    @Test
    void helpIsPrintedWithoutValidation() throws Exception {
        try (EntrypointProcess e = entrypoint("help")) {
            // settings that fail validation: help must not look at them
            e.with("PGPORT", "0").with("STARTUP_MODE", "bogus");
            assertEquals(0, e.run(RUN, "--help"), e.log());
            String help = e.log();
            for (String command : List.of("healthcheck", "backup", "check-workflow", "postgres", "--help")) {
                assertTrue(help.contains(command), command + " missing from:\n" + help);
            }
            Matcher docs = Pattern.compile("(README\\.md|docs/[a-z-]+\\.md)").matcher(help);
            int named = 0;
            while (docs.find()) {
                named++;
                assertTrue(Files.isRegularFile(Path.of(docs.group(1))), "help names a missing document " + docs.group(1));
            }
            assertTrue(named >= 3, help);
            String variables = Files.readString(Path.of("docs/configuration.md"));
            Matcher names = Pattern.compile("\\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|PGDATA|PGPORT)\\b").matcher(help);
            while (names.find()) {
                String name = names.group(1).replaceAll("_$", "");
                assertTrue(variables.contains("`" + name + "`") || variables.contains("`" + name + "_FILE`"),
                        "help names " + name + ", which docs/configuration.md does not list");
            }
            assertEquals(0, e.run(RUN, "-h"), e.log());
            assertTrue(e.log().startsWith("Usage: pg-entrypoint"), e.log());
            assertFalse(Files.exists(e.pgdata()), "help created PGDATA");
            for (String command : List.of("healthcheck", "backup", "check-workflow")) {
                assertEquals(0, e.run(RUN, command, "--help"), e.log());
                assertTrue(e.log().startsWith("Usage: pg-entrypoint " + command), e.log());
                assertEquals(0, e.run(RUN, command, "-h"), e.log());
                assertTrue(e.log().startsWith("Usage: pg-entrypoint " + command), e.log());
            }
        }
    }

    @Test
    void theShippedWorkflowPassesTheCheck() throws Exception {
        try (EntrypointProcess e = entrypoint("ok")) {
            assertEquals(0, e.run(RUN, "check-workflow"), e.log());
            assertTrue(e.log().contains("workflow ok: "), e.log());
        }
    }

    /** The sample of docs/operations.md ("Workflow check"), produced here from a misspelled step. */
    @Test
    void aMisspelledStepStopsEveryStartBeforeAnythingChanges() throws Exception {
        Path flow = tmp.resolve("flow");
        copy(EntrypointProcess.DIST.resolve("workflows"), flow.resolve("workflows"));
        copy(EntrypointProcess.DIST.resolve("routes"), flow.resolve("routes"));
        Path workflow = flow.resolve("workflows/entrypoint.camel.yaml");
        Files.writeString(workflow, Files.readString(workflow).replace("direct:init-database-main}", "direct:init-database-mian}"));
        EntrypointProcess.openUp(flow);
        try (EntrypointProcess e = entrypoint("broken")) {
            e.with("WORKFLOWS_DIR", flow.resolve("workflows").toString()).with("ROUTES_DIR", flow.resolve("routes").toString())
                    .with("POSTGRES_PASSWORD", "secret");
            List<String> expected = docSample().stream().map(l -> l.replace("/etc/flow", flow.toString())).toList();

            assertEquals(1, e.run(RUN), e.log());
            assertEquals(expected, checkLines(e.log()), e.log());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
            assertFalse(Files.exists(e.stateFile()), "STATE_FILE was written");

            e.with("DRY_RUN", "1");
            assertEquals(1, e.run(RUN), e.log());
            assertEquals(expected, checkLines(e.log()), e.log());
            e.without("DRY_RUN");

            assertEquals(1, e.run(RUN, "check-workflow"), e.log());
            assertEquals(expected, checkLines(e.log()), e.log());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
        }
    }

    @Test
    void badValuesAndRefusedArgumentsStopTheRootRunBeforeAnythingChanges() throws Exception {
        try (EntrypointProcess e = entrypoint("values")) {
            e.with("POSTGRES_PASSWORD", "pw").with("MANAGEMENT_BIND", "999.1.1.1").with("INITDB_SCRIPT_TIMEOUT", "0")
                    .with("COMMAND_TIMEOUT", "-1").with("BACKUP_TIMEOUT", "0");
            assertEquals(1, e.run(RUN), e.log());
            String log = e.log();
            assertTrue(log.contains("4 problem(s) found, nothing was changed"), log);
            assertTrue(log.contains("MANAGEMENT_BIND: '999.1.1.1' is not an IPv4 address"), log);
            assertTrue(log.contains("INITDB_SCRIPT_TIMEOUT: 0 is out of range: give seconds between 1 and 604800"), log);
            assertTrue(log.contains("COMMAND_TIMEOUT: -1 is out of range: give seconds between 1 and 86400"), log);
            assertTrue(log.contains("BACKUP_TIMEOUT: 0 is out of range: give seconds between 1 and 604800"), log);
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");

            e.with("MANAGEMENT_BIND", "127.0.0.1").without("INITDB_SCRIPT_TIMEOUT").without("COMMAND_TIMEOUT")
                    .without("BACKUP_TIMEOUT");
            assertEquals(1, e.run(RUN, "-D", "/x"), e.log());
            assertTrue(e.log().contains("1 problem(s) found"), e.log());
            assertTrue(e.log().contains("postgres argument '-D /x' sets the data directory, which the entrypoint takes "
                    + "from PGDATA: remove it and set PGDATA=/x instead"), e.log());
            assertFalse(e.log().contains("Run initdb"), e.log());
            assertEquals(1, e.run(RUN, "--single"), e.log());
            assertTrue(e.log().contains("postgres argument '--single' starts a single-user backend"), e.log());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");

            // a former name of ours: one deprecation warning, then it is read as the new name
            e.with("PGBACKREST_ENABLED", "maybe");
            assertEquals(1, e.run(RUN), e.log());
            assertEquals(1, e.log().lines().filter(l -> l.contains("PGBACKREST_ENABLED is deprecated: use BACKUP_ENABLED"))
                    .count(), e.log());
            assertTrue(e.log().contains("BACKUP_ENABLED: 'maybe' is not a boolean"), e.log());
            e.without("PGBACKREST_ENABLED");
            // the root run opens no management port itself (the dropped-to run does): it checks it is free
            try (ServerSocket taken = new ServerSocket(e.managementPort, 1, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(1, e.run(RUN), e.log());
                assertTrue(e.log().contains("1 problem(s) found, nothing was changed"), e.log());
                assertTrue(e.log().contains("MANAGEMENT_PORT: cannot listen on MANAGEMENT_BIND 127.0.0.1 port "
                        + e.managementPort + " ("), e.log());
                assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
            }
        }
    }

    private static List<String> checkLines(String log) {
        return log.lines().filter(l -> l.contains("[workflow-check]")).map(l -> l.replaceFirst("^\\S+ ", "")).toList();
    }

    private static List<String> docSample() throws IOException {
        String doc = Files.readString(Path.of("docs/operations.md"));
        String section = doc.substring(doc.indexOf("## Workflow check"), doc.indexOf("## Dry run"));
        return section.lines().filter(l -> l.startsWith("ERROR [workflow-check]")).toList();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
