package dev.pgentrypoint.patroni;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pgentrypoint.json.Mappers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** GET requests to Patroni's REST API (/patroni, /cluster, /history), answers read into records. */
final class PatroniApi {
    private static final TypeReference<List<List<Object>>> HISTORY = new TypeReference<>() {
    };

    /**
     * {@code /patroni}: the member's own status.
     *
     * @param state            PostgreSQL's state as Patroni sees it (running, starting, ...)
     * @param role             master/primary/leader, replica, standby_leader, ...
     * @param timeline         the member's timeline, null when unknown
     * @param replicationState newer Patroni: streaming (or in archive recovery) on a replica
     * @param replication      on a leader, its replicas as pg_stat_replication shows them
     */
    record Member(String state, String role, Long timeline, @JsonProperty("replication_state") String replicationState,
            List<Replica> replication) {
        @Override
        public List<Replica> replication() {
            return replication == null ? List.of() : replication;
        }
    }

    /** One row of a leader's {@code replication} list. */
    record Replica(@JsonProperty("application_name") String applicationName, String state) {
    }

    /** {@code /cluster}: every member as the DCS knows it. */
    record Cluster(List<ClusterMember> members) {
        @Override
        public List<ClusterMember> members() {
            return members == null ? List.of() : members;
        }
    }

    /**
     * One member of {@code /cluster}.
     *
     * @param lag bytes behind the leader, or a word ("unknown") when Patroni cannot tell
     */
    record ClusterMember(String name, String role, @JsonProperty("api_url") String apiUrl, JsonNode lag) {
    }

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

    /** The member's own status: state, role, timeline (and its replicas, on a leader). */
    Member member() throws IOException, InterruptedException {
        return member(base.resolve("/patroni"));
    }

    /** Another member's status, through its api_url. */
    Member member(URI uri) throws IOException, InterruptedException {
        return read(uri, Member.class);
    }

    /** Every member of the cluster as the DCS knows it: name, role, api_url, lag. */
    Cluster cluster() throws IOException, InterruptedException {
        return read(base.resolve("/cluster"), Cluster.class);
    }

    /** The timeline history: one [timeline, lsn, reason, timestamp, new leader] entry per promotion. */
    List<List<Object>> history() throws IOException, InterruptedException {
        URI uri = base.resolve("/history");
        try {
            List<List<Object>> history = Mappers.json().readValue(get(uri), HISTORY);
            return history == null ? List.of() : history;
        } catch (JacksonException e) {
            throw new IOException(uri + " answered no JSON list: " + e.getOriginalMessage(), e);
        }
    }

    private <T> T read(URI uri, Class<T> type) throws IOException, InterruptedException {
        try {
            T value = Mappers.json().readValue(get(uri), type);
            if (value == null) {
                throw new IOException(uri + " answered no JSON object");
            }
            return value;
        } catch (JacksonException e) {
            throw new IOException(uri + " answered no JSON object: " + e.getOriginalMessage(), e);
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
