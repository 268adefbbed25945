package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LOG_FORMAT=json: every line the launcher, the JVM and the entrypoint print (stdout and stderr) is one JSON object. */
class JsonLogIT {
    static final Duration START = Duration.ofSeconds(120);
    static final Duration STOP = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private EntrypointProcess entrypoint(String name) throws Exception {
        return new EntrypointProcess(Files.createDirectories(tmp.resolve(name))).with("LOG_FORMAT", "json")
                .with("POSTGRES_PASSWORD", "pw");
    }

    /** Parses every line; returns them. */
    private static List<JsonNode> everyLineIsAJsonObject(String log) {
        assertFalse(log.isBlank(), "no output");
        return log.lines().map(line -> {
            try {
                JsonNode node = JSON.readTree(line);
                assertTrue(node.isObject() && node.hasNonNull("ts") && node.hasNonNull("level") && node.hasNonNull("msg"),
                        "not a log object: " + line);
                return node;
            } catch (java.io.IOException e) {
                return fail("not one JSON object per line: " + line + "\nlog:\n" + log);
            }
        }).toList();
    }

    private static boolean anyMessage(List<JsonNode> lines, String level, String text) {
        return lines.stream().anyMatch(n -> n.get("level").asText().equals(level) && n.get("msg").asText().contains(text));
    }

    @Test
    void aStartAndAStop() throws Exception {
        try (EntrypointProcess e = entrypoint("start")) {
            e.start();
            e.awaitState("RUNNING", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            List<JsonNode> lines = everyLineIsAJsonObject(e.log());
            assertTrue(lines.stream().anyMatch(n -> "postgres".equals(n.path("source").asText())), "no postgres output: " + e.log());
            assertTrue(anyMessage(lines, "INFO", "exiting code=0"), e.log());
        }
    }

    @Test
    void aFailureCarriesTheCommandAndItsOutput() throws Exception {
        try (EntrypointProcess e = entrypoint("failure")) {
            Path scripts = Files.createDirectories(e.dir.resolve("initdb.d"));
            Files.writeString(scripts.resolve("10-broken.sql"), "THIS IS NOT SQL;");
            EntrypointProcess.openUp(scripts);
            assertEquals(2, e.run(START), e.log());
            List<JsonNode> lines = everyLineIsAJsonObject(e.log());
            assertTrue(anyMessage(lines, "ERROR", "10-broken.sql"), e.log());
            assertFalse(e.log().contains("ExecCommand"), e.log());
        }
    }

    @Test
    void validationFailuresAndTheLaunchersOwnMessages() throws Exception {
        try (EntrypointProcess e = entrypoint("invalid")) {
            e.with("PGPORT", "0").with("COMMAND_TIMEOUT", "-1");
            assertEquals(1, e.run(START), e.log());
            List<JsonNode> lines = everyLineIsAJsonObject(e.log());
            assertTrue(anyMessage(lines, "ERROR", "COMMAND_TIMEOUT: -1 is out of range: give seconds between 1 and 86400"),
                    e.log());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");

            e.with("PGPORT", String.valueOf(e.port)).without("COMMAND_TIMEOUT").with("PG_ENTRYPOINT_UNPRIVILEGED", "1");
            assertEquals(1, e.run(START), e.log());
            assertTrue(anyMessage(everyLineIsAJsonObject(e.log()), "ERROR", "still root after dropping privileges"), e.log());
        }
    }

    /** The JVM's own warnings and its unified logging (on stderr) become JSON objects too, in a start and a stop. */
    @Test
    void theJvmsOwnWarningsAreJsonObjects() throws Exception {
        try (EntrypointProcess e = entrypoint("jvm")) {
            // accepted with a deprecation warning, and the JVM's gc log at info on stderr
            e.with("JAVA_OPTS", "-XX:+UseBiasedLocking -Xlog:gc=info:stderr").stderrApart();
            e.start();
            e.awaitState("RUNNING", START);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log() + e.stderr());
            List<JsonNode> stdout = everyLineIsAJsonObject(e.log());
            assertTrue(anyMessage(stdout, "INFO", "exiting code=0"), e.log());
            assertTrue(stdout.stream().noneMatch(n -> "jvm".equals(n.path("source").asText())), "JVM lines on stdout: " + e.log());
            List<JsonNode> lines = everyLineIsAJsonObject(e.stderr());
            assertTrue(lines.stream().anyMatch(n -> "jvm".equals(n.path("source").asText()) && "WARN".equals(n.path("level").asText())
                    && n.path("msg").asText().startsWith("OpenJDK 64-Bit Server VM warning: Option UseBiasedLocking")
                    && "stderr".equals(n.path("stream").asText())), e.stderr());
            assertTrue(lines.stream().anyMatch(n -> "jvm".equals(n.path("source").asText()) && "INFO".equals(n.path("level").asText())
                    && n.path("msg").asText().contains("[info][gc]")), e.stderr());
        }
    }

    /** A JVM that cannot start: its error lines, with a quote, a backslash and a control character, are JSON objects. */
    @Test
    void aJvmThatCannotStartSaysSoInJson() throws Exception {
        try (EntrypointProcess e = entrypoint("jvm-fails")) {
            String flags = e.dir.resolve("no\"such\\flags\u0001file").toString();
            e.with("JAVA_OPTS", "-XX:Flags=" + flags).stderrApart();
            assertEquals(1, e.run(START), e.log() + e.stderr());
            assertEquals("", e.log(), "nothing on stdout");
            List<JsonNode> lines = everyLineIsAJsonObject(e.stderr());
            assertTrue(anyMessage(lines, "ERROR", "Could not open settings file " + flags), e.stderr());
            assertTrue(anyMessage(lines, "ERROR", "Could not create the Java Virtual Machine"), e.stderr());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
        }
    }

    @Test
    void anUnknownLogFormatIsRefusedAtValidation() throws Exception {
        try (EntrypointProcess e = entrypoint("xml")) {
            e.with("LOG_FORMAT", "xml");
            assertEquals(1, e.run(START), e.log());
            assertTrue(e.log().contains("LOG_FORMAT: 'xml' is not a log format: use text or json"), e.log());
            assertEquals(1, e.log().lines().filter(l -> l.contains("LOG_FORMAT")).count(), "one message, no fallback first:\n" + e.log());
            assertTrue(e.log().contains("exiting code=1"), e.log());
            assertFalse(Files.exists(e.pgdata()), "PGDATA was created");
        }
    }
}
