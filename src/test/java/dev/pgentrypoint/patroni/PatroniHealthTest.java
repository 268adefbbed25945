package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a stand-in for Patroni 3.0's REST API, answering what a real member answered. */
class PatroniHealthTest {
    static final Instant NOW = Instant.parse("2026-11-26T20:00:00Z");

    @TempDir
    Path dir;
    private HttpServer server;
    private URI base;
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = answers.get(exchange.getRequestURI().getPath());
            byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        answers.put("/history", "[]");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void cluster(String leaderApi, String replicaLag) {
        answers.put("/cluster", "{\"members\": [{\"name\": \"m1\", \"role\": \"leader\", \"state\": \"running\", "
                + "\"api_url\": \"" + leaderApi + "/patroni\", \"timeline\": 1}, {\"name\": \"m2\", \"role\": \"replica\", "
                + "\"state\": \"running\", \"api_url\": \"" + base + "/patroni\", \"timeline\": 1, \"lag\": " + replicaLag + "}]}");
    }

    private PatroniHealth health(String member) {
        return new PatroniHealth(base, member, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void theLeaderIsReady() {
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"master\", \"xlog\": {\"location\": 50331648}, "
                + "\"timeline\": 1, \"replication\": [{\"application_name\": \"m2\", \"state\": \"streaming\"}]}");
        cluster(base.toString(), "0");
        PatroniStatus status = health("m1").status().orElseThrow();
        assertEquals(new PatroniStatus("running", "leader", 1, OptionalLong.of(0), false, "m1", Optional.empty()),
                status);
        PatroniHealth.Result result = health("m1").check();
        assertTrue(result.healthy());
        assertEquals("member m1: role leader, state running, timeline 1", result.reason());
    }

    @Test
    void aReplicaIsReadyWhenTheLeaderListsItAsStreaming() {
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"replica\", \"xlog\": {\"received_location\": 1}, "
                + "\"timeline\": 1}");
        answers.put("/leader/patroni", "{\"state\": \"running\", \"role\": \"master\", \"timeline\": 1, "
                + "\"replication\": [{\"application_name\": \"m2\", \"state\": \"streaming\"}]}");
        cluster(base + "/leader", "16");
        PatroniHealth.Result streaming = health("m2").check();
        assertTrue(streaming.healthy(), streaming.reason());
        assertEquals("member m2: role replica, state running, timeline 1, streaming from m1, lag 16 bytes",
                streaming.reason());

        answers.put("/leader/patroni", "{\"state\": \"running\", \"role\": \"master\", \"timeline\": 1}");
        PatroniHealth.Result catchingUp = health("m2").check();
        assertFalse(catchingUp.healthy());
        assertTrue(catchingUp.reason().contains("not streaming from m1"), catchingUp.reason());
    }

    @Test
    void newerPatroniSaysItself() {
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"replica\", \"timeline\": 3, "
                + "\"replication_state\": \"streaming\"}");
        cluster("http://127.0.0.1:1", "\"unknown\"");
        PatroniStatus status = health("m2").status().orElseThrow();
        assertTrue(status.ready());
        assertEquals(OptionalLong.empty(), status.lagBytes());
    }

    @Test
    void aStoppedMemberOrASilentApiIsNotReady() {
        answers.put("/patroni", "{\"state\": \"starting\", \"role\": \"replica\"}");
        cluster(base.toString(), "0");
        assertFalse(health("m2").check().healthy());
        server.stop(0);
        PatroniHealth.Result silent = health("m2").check();
        assertFalse(silent.healthy());
        assertTrue(silent.reason().startsWith("Patroni REST API " + base + " does not answer"), silent.reason());
        assertTrue(health("m2").status().isEmpty());
    }

    @Test
    void secondsSinceTheLastPromotion() {
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"master\", \"timeline\": 2}");
        cluster(base.toString(), "0");
        answers.put("/history", "[[1, 25165984, \"no recovery target specified\", \"2026-11-26T19:59:30+00:00\", \"m1\"]]");
        assertEquals(30.0, health("m1").secondsSinceLeaderChange().orElseThrow());
        answers.put("/history", "[]");
        assertEquals(0.0, health("m1").secondsSinceLeaderChange().orElseThrow(), "since it first saw the leader");
    }

    @Test
    void metersReadTheStatusAndAreNaNWithoutIt() {
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"replica\", \"timeline\": 4, "
                + "\"replication_state\": \"streaming\"}");
        cluster(base.toString(), "2048");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PatroniHealth member = health("m2");
        PatroniMetrics.register(registry, () -> Optional.of(member));
        assertEquals(1.0, registry.get("pg_entrypoint_patroni_role").tag("role", "replica").gauge().value());
        assertEquals(0.0, registry.get("pg_entrypoint_patroni_role").tag("role", "leader").gauge().value());
        assertEquals(4.0, registry.get("pg_entrypoint_patroni_timeline").gauge().value());
        assertEquals(2048.0, registry.get("pg_entrypoint_patroni_replication_lag_bytes").gauge().value());
        assertEquals(0.0, registry.get("pg_entrypoint_patroni_since_leader_change_seconds").gauge().value());
        SimpleMeterRegistry none = new SimpleMeterRegistry();
        PatroniMetrics.register(none, Optional::empty);
        assertTrue(Double.isNaN(none.get("pg_entrypoint_patroni_timeline").gauge().value()));
    }

    @Test
    void theCommandLineFindsTheMemberInTheStateFile() throws IOException {
        Path state = dir.resolve("state.json");
        assertTrue(PatroniHealth.fromStateFile(state, Clock.systemUTC()).isEmpty());
        Files.writeString(state, "{\"state\":\"RUNNING\",\"facts\":{\"patroni_api\":\"" + base + "\",\"member\":\"m1\"}}");
        answers.put("/patroni", "{\"state\": \"running\", \"role\": \"master\", \"timeline\": 1}");
        cluster(base.toString(), "0");
        assertTrue(PatroniHealth.fromStateFile(state, Clock.systemUTC()).orElseThrow().check().healthy());
    }
}
