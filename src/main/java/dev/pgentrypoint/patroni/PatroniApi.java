package dev.pgentrypoint.patroni;

import dev.pgentrypoint.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** GET requests to Patroni's REST API (/patroni, /cluster, /history), answers parsed from JSON. */
final class PatroniApi {
    private final HttpClient client;
    private final URI base;
    private final Duration timeout;

    PatroniApi(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    URI base() {
        return base;
    }

    /** The member's own status: state, role, timeline, xlog positions (and its replicas, on a leader). */
    Map<String, Object> member() throws IOException, InterruptedException {
        return object(base.resolve("/patroni"));
    }

    /** Every member of the cluster as the DCS knows it: name, role, state, api_url, lag. */
    Map<String, Object> cluster() throws IOException, InterruptedException {
        return object(base.resolve("/cluster"));
    }

    /** The timeline history: one [timeline, lsn, reason, timestamp, new leader] entry per promotion. */
    List<?> history() throws IOException, InterruptedException {
        Object list = Json.parseObject("{\"history\":" + get(base.resolve("/history")) + "}").get("history");
        return list instanceof List<?> l ? l : List.of();
    }

    /** Any JSON object the API serves, also another member's (its api_url). */
    Map<String, Object> object(URI uri) throws IOException, InterruptedException {
        try {
            return Json.parseObject(get(uri));
        } catch (IllegalArgumentException e) {
            throw new IOException(uri + " answered no JSON object: " + e.getMessage(), e);
        }
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != 503) {
            throw new IOException(uri + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }
}
