package dev.pgentrypoint.patroni;

import dev.pgentrypoint.state.StateFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The Patroni check and the facts behind the Patroni metrics, read from the member's REST API.
 * Healthy (ready) means: the leader, or a replica that streams from it. Answers are cached for a
 * second so one scrape of several meters asks the API once.
 */
public final class PatroniHealth {
    /** The outcome of the check. */
    public record Result(boolean healthy, String reason) {
    }

    static final Duration CACHE = Duration.ofSeconds(1);

    private final PatroniApi api;
    private final String member;
    private final Clock clock;
    private PatroniStatus cached;
    private Instant cachedAt = Instant.MIN;
    private String observedLeader = "";
    private Instant leaderSeen;
    private Instant leaderChanged;

    public PatroniHealth(URI restApi, String member, Clock clock) {
        this.api = new PatroniApi(restApi, Duration.ofSeconds(2));
        this.member = member;
        this.clock = clock;
    }

    /** For the command-line check: the REST API and member name a running entrypoint wrote to STATE_FILE. */
    public static Optional<PatroniHealth> fromStateFile(Path stateFile, Clock clock) {
        Map<String, String> facts = StateFile.read(stateFile).map(StateFile::facts).orElse(Map.of());
        String url = facts.get("patroni_api");
        String name = facts.get("member");
        if (url == null || name == null) {
            // no usable state file: not running in Patroni mode
            return Optional.empty();
        }
        try {
            return Optional.of(new PatroniHealth(URI.create(url), name, clock));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public Result check() {
        try {
            PatroniStatus status = read();
            return new Result(status.ready(), "member " + member + ": " + status.describe());
        } catch (IOException e) {
            return new Result(false, "Patroni REST API " + api.base() + " does not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        }
    }

    /** The member's status, at most a second old; empty when the API does not answer. */
    public Optional<PatroniStatus> status() {
        try {
            return Optional.of(read());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Seconds since the leader last changed: the later of the cluster's last promotion (its timeline
     * history) and a change this member saw; before any, since this member first saw the leader.
     */
    public OptionalDouble secondsSinceLeaderChange() {
        Optional<PatroniStatus> status = status();
        synchronized (this) {
            if (status.isEmpty() || leaderSeen == null) {
                return OptionalDouble.empty();
            }
            Instant since = leaderChanged == null ? leaderSeen : leaderChanged;
            Optional<Instant> promotion = status.get().lastPromotion();
            if (promotion.isPresent() && (leaderChanged == null || promotion.get().isAfter(leaderChanged))) {
                since = promotion.get();
            }
            return OptionalDouble.of(Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0));
        }
    }

    private synchronized PatroniStatus read() throws IOException, InterruptedException {
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cachedAt.plus(CACHE))) {
            return cached;
        }
        PatroniStatus status = PatroniStatus.read(api, member);
        if (!status.leader().isEmpty() && !status.leader().equals(observedLeader)) {
            if (leaderSeen == null) {
                leaderSeen = now;
            } else {
                leaderChanged = now;
            }
            observedLeader = status.leader();
        }
        cached = status;
        cachedAt = now;
        return status;
    }
}
