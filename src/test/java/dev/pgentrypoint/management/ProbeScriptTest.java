package dev.pgentrypoint.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The image's HEALTHCHECK script, bin/pg-entrypoint-probe, against HTTP servers that answer as told. */
class ProbeScriptTest {
    private static final Path SCRIPT = Path.of("src/main/dist/bin/pg-entrypoint-probe").toAbsolutePath();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", ex -> {
            byte[] bytes = (ex.getRequestURI().getPath() + " " + body + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    private record Result(int code, String output, long millis) {
    }

    private static Result probe(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MANAGEMENT_") || k.equals("PROBE_TIMEOUT"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the probe did not end");
        return new Result(p.exitValue(), out, (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void healthyWhenReadinessAnswers200() throws Exception {
        int port = serve(200, "{\"status\":\"UP\"}");
        Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(port)));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("/observe/health/ready {\"status\":\"UP\"}"), r.output());
    }

    @Test
    void unhealthyWhenReadinessAnswers503() throws Exception {
        int port = serve(503, "{\"status\":\"DOWN\"}");
        Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(port), "MANAGEMENT_BIND", "127.0.0.1"));
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("503") && r.output().contains("DOWN"), r.output());
    }

    @Test
    void asksThePathGiven() throws Exception {
        int port = serve(200, "live");
        Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(port)), "/observe/health/live");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("/observe/health/live live"), r.output());
    }

    @Test
    void unhealthyWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(port)));
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("nothing listens on 127.0.0.1:" + port + " (MANAGEMENT_PORT)"), r.output());
    }

    @Test
    void unhealthyWhenTheManagementEndpointIsOff() throws Exception {
        int port = serve(200, "up");
        Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(port), "MANAGEMENT_ENABLED", "false"));
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("MANAGEMENT_ENABLED=false") && r.output().contains("pg-entrypoint healthcheck"),
                r.output());
    }

    /** A wedged entrypoint: the kernel accepts the connection, nobody answers. */
    @Test
    void unhealthyWhenNoAnswerComesInTime() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(20_000);
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Result r = probe(Map.of("MANAGEMENT_PORT", String.valueOf(silent.getLocalPort()), "PROBE_TIMEOUT", "1"));
            acceptor.interrupt();
            assertEquals(1, r.code(), r.output());
            assertTrue(r.output().contains("no answer") && r.output().contains("within 1 s"), r.output());
            assertTrue(r.millis() < 10_000, "took " + r.millis() + " ms");
        }
    }
}
