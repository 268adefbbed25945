package dev.pgentrypoint.management;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgentrypoint.health.HealthChecks;
import dev.pgentrypoint.metrics.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The management endpoint on MANAGEMENT_PORT, at Camel Main's paths: {@code /observe/metrics}
 * (Prometheus text), {@code /observe/health}, {@code /observe/health/live} and
 * {@code /observe/health/ready} (JSON per check; 200 when up, 503 when down). A JDK HttpServer
 * rather than Camel's Vert.x server: the same paths for about a megabyte instead of twenty.
 */
public final class ManagementServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private ManagementServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static ManagementServer start(String bind, int port, Metrics metrics, HealthChecks health) throws IOException {
        // without TCP_NODELAY, headers and body go out in two segments and a client's delayed ACK adds ~40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "management");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        // the health gauges are computed when scraped, so they are current without a busy timer
        server.createContext("/observe/metrics", ex -> {
            health.poll();
            respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        });
        server.createContext("/observe/health", ex -> {
            String path = ex.getRequestURI().getPath();
            HealthChecks.Probe probe = switch (path) {
                case "/observe/health", "/observe/health/" -> HealthChecks.Probe.ALL;
                case "/observe/health/live" -> HealthChecks.Probe.LIVE;
                case "/observe/health/ready" -> HealthChecks.Probe.READY;
                default -> null;
            };
            if (probe == null) {
                respond(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            HealthChecks.Report report = health.evaluate(probe);
            respond(ex, report.up() ? 200 : 503, "application/json", report.json() + "\n");
        });
        server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8", "not found\n"));
        server.start();
        return new ManagementServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
