package dev.pgentrypoint.backup;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the running server says about WAL archiving ({@code pg_stat_archiver}) and what
 * {@code pgbackrest info} says about each repository: reachable or not, and its newest backup of each
 * type. From these facts and the settings it names the reason the backup health check is DEGRADED:
 * archiving failing for longer than {@code BACKUP_ARCHIVE_FAILURE_AFTER}, a repository that cannot be
 * reached, or no successful backup for twice the shortest schedule.
 */
final class BackupWatch {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.backup");
    /** pgBackRest's repository status code for errors other than a missing or mismatched stanza (network, auth, ...). */
    static final long REPO_ERROR = 99;

    /** One row of {@code pg_stat_archiver}, times in epoch seconds (0 when never). */
    record Archiver(long archived, long failed, long lastArchived, long lastFailed, String lastFailedWal) {
        /** The newest attempt failed. */
        boolean failing() {
            return lastFailed > 0 && lastFailed >= lastArchived;
        }

        /** Parses {@code Backup.archiverQueryArgs()}'s output: {@code archived|failed|last_archived|last_failed|wal}. */
        static Archiver parse(String line) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length != 5) {
                throw new IllegalArgumentException("unexpected pg_stat_archiver row: '" + line.strip() + "'");
            }
            return new Archiver(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), f[4]);
        }
    }

    /** A repository as {@code pgbackrest info} saw it: reachable, why not, and its newest backups by type. */
    record Repository(boolean reachable, String problem, Map<String, Stored> newest) {
    }

    /** A backup in a repository: when it ended (epoch seconds) and the size of the database it holds (bytes). */
    record Stored(long stop, long size) {
    }

    private final BackupSettings backup;
    private final Clock clock;
    private final Instant since;
    private volatile Archiver archiver;
    private volatile Instant failingSince;
    private final Map<Integer, Repository> repositories = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    BackupWatch(BackupSettings backup, Clock clock) {
        this.backup = backup;
        this.clock = clock;
        this.since = clock.instant();
    }

    void bindTo(MeterRegistry meters) {
        registry = meters;
        FunctionCounter.builder("pg_entrypoint_backup_archived", this, w -> w.archiver == null ? 0 : w.archiver.archived())
                .description("WAL files archived (pg_stat_archiver.archived_count)").register(meters);
        FunctionCounter.builder("pg_entrypoint_backup_archive_failures", this, w -> w.archiver == null ? 0 : w.archiver.failed())
                .description("Failed attempts to archive a WAL file (pg_stat_archiver.failed_count)").register(meters);
        Gauge.builder("pg_entrypoint_backup_archive_last_archived_age_seconds", this, BackupWatch::lastArchivedAge)
                .description("Seconds since the last WAL file was archived; NaN before the first").baseUnit("seconds")
                .register(meters);
        Gauge.builder("pg_entrypoint_backup_archive_failing_seconds", this, BackupWatch::failingSeconds)
                .description("Seconds WAL archiving has been failing, 0 when the newest attempt succeeded").baseUnit("seconds")
                .register(meters);
        repositories.keySet().forEach(this::registerRepository);
    }

    private double lastArchivedAge() {
        Archiver a = archiver;
        return a == null || a.lastArchived() == 0 ? Double.NaN : clock.instant().getEpochSecond() - a.lastArchived();
    }

    private double failingSeconds() {
        Instant f = failingSince;
        return f == null ? 0 : Duration.between(f, clock.instant()).toMillis() / 1000.0;
    }

    /** Records a {@code pg_stat_archiver} row; logs once when archiving starts failing and when it works again. */
    void observeArchiver(String row) {
        Archiver a = Archiver.parse(row);
        Archiver before = archiver;
        archiver = a;
        if (a.failing() && failingSince == null) {
            failingSince = Instant.ofEpochSecond(a.lastFailed());
            LOG.warn("WAL archiving fails: segment {} at {} ({} failures so far)", a.lastFailedWal(), failingSince, a.failed());
        } else if (!a.failing() && failingSince != null) {
            LOG.info("WAL archiving works again: {} archived after failing since {}", a.archived()
                    - (before == null ? 0 : before.archived()), failingSince);
            failingSince = null;
        }
    }

    /** Records the repositories of {@code pgbackrest info --output=json} for {@code stanza}. */
    void observeInfo(String json, String stanza) {
        StanzaInfo.Stanza s = StanzaInfo.stanza(json, stanza);
        if (s.repo() == null) {
            throw new IllegalArgumentException("pgbackrest info says nothing about stanza " + stanza);
        }
        Map<Integer, Map<String, Stored>> newest = new TreeMap<>();
        for (StanzaInfo.BackupEntry b : s.backup() == null ? List.<StanzaInfo.BackupEntry>of() : s.backup()) {
            newest.computeIfAbsent(b.repoKey(), k -> new TreeMap<>()).merge(String.valueOf(b.type()),
                    new Stored(b.stop(), b.size()), (x, y) -> y.stop() >= x.stop() ? y : x);
        }
        for (StanzaInfo.Repo repo : s.repo()) {
            boolean reachable = repo.code() != REPO_ERROR;
            record(repo.repoKey(), new Repository(reachable, reachable ? "" : String.valueOf(repo.status().message()).strip()
                    .replaceAll("\\s*\n\\s*", "; "), newest.getOrDefault(repo.repoKey(), Map.of())));
        }
    }

    /** {@code pgbackrest info} itself failed: no repository could be asked. */
    void infoFailed(String reason) {
        for (int repo : repositories.isEmpty() ? List.of(1) : List.copyOf(repositories.keySet())) {
            Repository before = repositories.get(repo);
            record(repo, new Repository(false, "pgbackrest info failed: " + reason, before == null ? Map.of() : before.newest()));
        }
    }

    private void record(int key, Repository now) {
        Repository before = repositories.put(key, now);
        if (before == null) {
            registerRepository(key);
        }
        if (before != null && before.reachable() && !now.reachable() || before == null && !now.reachable()) {
            LOG.warn("repository {} cannot be reached: {}", key, now.problem());
        } else if (before != null && !before.reachable() && now.reachable()) {
            LOG.info("repository {} reachable again", key);
        }
    }

    private void registerRepository(int key) {
        MeterRegistry meters = registry;
        if (meters == null) {
            return;
        }
        String repo = String.valueOf(key);
        Gauge.builder("pg_entrypoint_backup_repository_reachable", this,
                        w -> w.repositories.containsKey(key) ? w.repositories.get(key).reachable() ? 1 : 0 : Double.NaN)
                .tag("repo", repo).description("1 when pgbackrest info reached the repository, 0 when it did not")
                .register(meters);
        for (String type : BackupSettings.TYPES) {
            Gauge.builder("pg_entrypoint_backup_repository_last_backup_timestamp_seconds", this,
                            w -> w.newest(key, type).map(b -> (double) b.stop()).orElse(Double.NaN))
                    .tag("repo", repo).tag("type", type).baseUnit("seconds")
                    .description("Unix time the newest backup of this type in the repository ended").register(meters);
            Gauge.builder("pg_entrypoint_backup_repository_last_backup_size_bytes", this,
                            w -> w.newest(key, type).map(b -> (double) b.size()).orElse(Double.NaN))
                    .tag("repo", repo).tag("type", type).baseUnit("bytes")
                    .description("Size of the database in the newest backup of this type in the repository").register(meters);
        }
    }

    private Optional<Stored> newest(int repo, String type) {
        Repository r = repositories.get(repo);
        return r == null ? Optional.empty() : Optional.ofNullable(r.newest().get(type));
    }

    /** Epoch seconds of the newest backup of any repository and type, or 0. */
    long newestBackup() {
        return repositories.values().stream().flatMap(r -> r.newest().values().stream()).mapToLong(Stored::stop).max().orElse(0);
    }

    /**
     * Why backups are DEGRADED now, if they are: archiving failing for too long, an unreachable
     * repository, or the newest successful backup ({@code lastSuccess} of this run or the newest in
     * a repository) older than twice the shortest schedule.
     */
    Optional<String> degradation(Instant lastSuccess) {
        Instant now = clock.instant();
        Archiver a = archiver;
        Instant f = failingSince;
        long after = backup.archiveFailureAfterSeconds();
        if (a != null && f != null && Duration.between(f, now).getSeconds() >= after) {
            return Optional.of("WAL archiving has failed since " + f + " (" + Duration.between(f, now).getSeconds()
                    + " s, BACKUP_ARCHIVE_FAILURE_AFTER=" + after + "): segment " + a.lastFailedWal() + ", "
                    + a.failed() + " failures");
        }
        for (Map.Entry<Integer, Repository> r : new TreeMap<>(repositories).entrySet()) {
            if (!r.getValue().reachable()) {
                return Optional.of("repository " + r.getKey() + " cannot be reached: " + r.getValue().problem());
            }
        }
        Optional<Map.Entry<String, Duration>> schedule = backup.shortestSchedule();
        if (schedule.isPresent()) {
            long newest = Math.max(lastSuccess == null ? 0 : lastSuccess.getEpochSecond(), newestBackup());
            Instant reference = newest > 0 ? Instant.ofEpochSecond(newest) : since;
            Duration limit = schedule.get().getValue().multipliedBy(2);
            if (Duration.between(reference, now).compareTo(limit) > 0) {
                return Optional.of((newest > 0 ? "the last successful backup ended " + reference : "no successful backup since "
                        + reference) + ", more than twice the shortest schedule ago (" + schedule.get().getKey() + ", every "
                        + human(schedule.get().getValue()) + ")");
            }
        }
        return Optional.empty();
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        return s % 86400 == 0 ? s / 86400 + " d" : s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
    }

    /** For the status file. */
    Map<String, Object> facts() {
        Map<String, Object> m = new TreeMap<>();
        Archiver a = archiver;
        m.put("archive_failing_since_epoch_seconds", failingSince == null ? null : failingSince.getEpochSecond());
        m.put("archive_failed_count", a == null ? null : a.failed());
        m.put("archive_last_archived_epoch_seconds", a == null || a.lastArchived() == 0 ? null : a.lastArchived());
        m.put("repositories_unreachable", String.join(",", repositories.entrySet().stream()
                .filter(e -> !e.getValue().reachable()).map(e -> String.valueOf(e.getKey())).sorted().toList()));
        return m;
    }
}
