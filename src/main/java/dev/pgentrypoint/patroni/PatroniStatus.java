package dev.pgentrypoint.patroni;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one member's REST API says about it and its cluster.
 *
 * @param state          PostgreSQL's state as Patroni sees it: running, starting, stopped, creating replica, ...
 * @param role           leader, replica, standby_leader, or what Patroni reports otherwise
 * @param timeline       the member's timeline, 0 when unknown
 * @param lagBytes       how far a replica is behind the leader, when known (0 on the leader)
 * @param streaming      a replica receives WAL from the leader by streaming replication
 * @param leader         the member holding the leader key, empty when the cluster is unlocked
 * @param lastPromotion  when the last promotion (failover or switchover) of the cluster happened, if any
 */
public record PatroniStatus(String state, String role, long timeline, OptionalLong lagBytes, boolean streaming,
        String leader, Optional<Instant> lastPromotion) {

    public static final String LEADER = "leader";
    public static final String REPLICA = "replica";
    public static final String STANDBY_LEADER = "standby_leader";

    public boolean running() {
        return "running".equals(state);
    }

    public boolean isLeader() {
        return LEADER.equals(role) || STANDBY_LEADER.equals(role);
    }

    /** Ready to serve: the running leader, or a running replica that streams from it. */
    public boolean ready() {
        return running() && (isLeader() || REPLICA.equals(role) && streaming);
    }

    /** One line for health output. */
    public String describe() {
        String what = "role " + role + ", state " + state + ", timeline " + timeline;
        if (REPLICA.equals(role)) {
            what += ", " + (streaming ? "streaming" : "not streaming") + " from " + (leader.isEmpty() ? "no leader" : leader)
                    + (lagBytes.isPresent() ? ", lag " + lagBytes.getAsLong() + " bytes" : "");
        }
        return what;
    }

    /** Reads the member named {@code name} through its own API (and the leader's, to learn whether it streams). */
    static PatroniStatus read(PatroniApi api, String name) throws IOException, InterruptedException {
        PatroniApi.Member member = api.member();
        String role = normalizeRole(member.role() == null ? "unknown" : member.role());
        long timeline = member.timeline() == null ? 0 : member.timeline();
        String leader = "";
        URI leaderApi = null;
        OptionalLong lag = OptionalLong.empty();
        for (PatroniApi.ClusterMember entry : api.cluster().members()) {
            String memberRole = normalizeRole(String.valueOf(entry.role()));
            if (memberRole.equals(LEADER) || memberRole.equals(STANDBY_LEADER)) {
                leader = String.valueOf(entry.name());
                leaderApi = entry.apiUrl() == null ? null : URI.create(entry.apiUrl());
            }
            if (name.equals(entry.name()) && entry.lag() != null && entry.lag().isNumber()) {
                lag = OptionalLong.of(entry.lag().longValue());
            }
        }
        boolean leading = LEADER.equals(role) || STANDBY_LEADER.equals(role);
        boolean streaming = !leading && streams(api, member, name, leaderApi);
        return new PatroniStatus(member.state() == null ? "unknown" : member.state(), role, timeline,
                leading ? OptionalLong.of(0) : lag, streaming, leader, lastPromotion(api));
    }

    /** Newer Patroni reports replication_state itself; older ones only list replicas on the leader. */
    private static boolean streams(PatroniApi api, PatroniApi.Member member, String name, URI leaderApi)
            throws InterruptedException {
        if (member.replicationState() != null) {
            return "streaming".equals(member.replicationState());
        }
        if (leaderApi == null) {
            return false;
        }
        try {
            return api.member(leaderApi).replication().stream().anyMatch(r -> name.equals(r.applicationName())
                    && "streaming".equals(r.state()));
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Instant> lastPromotion(PatroniApi api) throws InterruptedException {
        try {
            List<List<Object>> history = api.history();
            List<Object> last = history.isEmpty() ? null : history.get(history.size() - 1);
            if (last != null && last.size() > 3) {
                return Optional.of(OffsetDateTime.parse(String.valueOf(last.get(3))).toInstant());
            }
        } catch (IOException | DateTimeParseException e) {
            // no history to go by
        }
        return Optional.empty();
    }

    /** Patroni 3.0 says master where newer versions say primary; both are the leader. */
    static String normalizeRole(String role) {
        return switch (role) {
            case "master", "primary", "leader" -> LEADER;
            default -> role;
        };
    }
}
