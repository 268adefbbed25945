package dev.pgentrypoint.pgdata;

import dev.pgentrypoint.os.PostmasterPid;
import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What PGDATA holds, and the "initialization in progress" marker. The marker is written next
 * to PGDATA before initdb (when the parent is writable; initdb refuses a non-empty directory)
 * and inside PGDATA right after initdb, and both are removed only when the last init step
 * succeeded.
 *
 * <p>initdb writes into a staging directory inside PGDATA ({@value #STAGING}), whose entries are moved
 * up only once initdb succeeded, {@code PG_VERSION} last. A first initialization that was interrupted
 * (not one that failed) is set aside whole into {@code PGDATA/pg-entrypoint.init-failed-<UTC time>} by
 * the next start, which then initializes again. Nothing is ever deleted.
 */
public final class DataDirectory {
    public static final String MARKER_NAME = "pg-entrypoint.init-incomplete";
    /** Where initdb writes before its result is moved into PGDATA. */
    public static final String STAGING = "pg-entrypoint.initdb";
    /** Prefix of the directories an interrupted first initialization is moved into. */
    public static final String SET_ASIDE_PREFIX = "pg-entrypoint.init-failed-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** What was found. */
    public enum Status { MISSING, EMPTY, INITIALIZED, INCOMPLETE, INCOMPLETE_EMPTY, FOREIGN }

    private final Path pgdata;

    public DataDirectory(Path pgdata) {
        this.pgdata = pgdata;
    }

    public Path path() {
        return pgdata;
    }

    public Path innerMarker() {
        return pgdata.resolve(MARKER_NAME);
    }

    public Path siblingMarker() {
        Path parent = pgdata.getParent();
        return parent == null ? innerMarker() : parent.resolve("." + pgdata.getFileName() + "." + MARKER_NAME);
    }

    /** The journal of a major-version upgrade in progress (module init-upgrade), next to PGDATA. */
    public Path upgradeJournal() {
        Path parent = pgdata.getParent();
        return parent == null ? pgdata.resolve(".pg-entrypoint-upgrade") : parent.resolve("." + pgdata.getFileName()
                + ".pg-entrypoint-upgrade");
    }

    public Status status() {
        boolean marked = Files.exists(innerMarker()) || Files.exists(siblingMarker());
        if (!Files.isDirectory(pgdata)) {
            return marked ? Status.INCOMPLETE_EMPTY : Status.MISSING;
        }
        List<String> entries = entries().stream().filter(n -> !n.equals(MARKER_NAME) && !ours(n)).toList();
        if (entries.isEmpty()) {
            return marked ? Status.INCOMPLETE_EMPTY : Status.EMPTY;
        }
        if (marked) {
            return Status.INCOMPLETE;
        }
        return version().isPresent() ? Status.INITIALIZED : Status.FOREIGN;
    }

    /** The entrypoint's own entries, which do not make PGDATA a database: the lock, the staging and set-aside directories. */
    static boolean ours(String name) {
        return name.equals(Settings.LOCK_FILE_NAME) || name.equals(STAGING) || name.startsWith(SET_ASIDE_PREFIX);
    }

    /**
     * The postmaster that serves this PGDATA now, from {@code postmaster.pid}: its pid if that process is alive and
     * works in this directory (its current directory is PGDATA; if that cannot be read, its program is postgres).
     * A stale file, or a pid that now belongs to another process, gives empty.
     */
    public java.util.OptionalLong livePostmaster() {
        java.util.OptionalLong named = PostmasterPid.pidOf(pgdata);
        if (named.isEmpty()) {
            return named;
        }
        long pid = named.getAsLong();
        if (pid <= 1 || pid == ProcessHandle.current().pid()
                || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return java.util.OptionalLong.empty();
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            return Files.readSymbolicLink(proc.resolve("cwd")).equals(pgdata.toRealPath())
                    ? java.util.OptionalLong.of(pid) : java.util.OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            try {
                String argv0 = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).split("\0", 2)[0];
                return argv0.endsWith("postgres") ? java.util.OptionalLong.of(pid) : java.util.OptionalLong.empty();
            } catch (IOException | RuntimeException ignored) {
                return java.util.OptionalLong.empty();
            }
        }
    }

    /** Whether a directory has no entry. */
    public static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isEmpty();
        }
    }

    public Path staging() {
        return pgdata.resolve(STAGING);
    }

    /**
     * Whether the unfinished initialization is a first initialization by initdb that was interrupted (stop, kill,
     * crash) rather than one whose step failed: only such a one is redone by itself.
     */
    public boolean interruptedInitdb() {
        try {
            String marker = Files.readString(Files.exists(innerMarker()) ? innerMarker() : siblingMarker(),
                    StandardCharsets.UTF_8);
            return marker.contains("step=initdb") && !marker.contains("failed=");
        } catch (IOException e) {
            return false;
        }
    }

    /** Records in the markers that a step of the first initialization failed: the next start refuses, it does not redo. */
    public void markFailed(String step) {
        for (Path marker : List.of(innerMarker(), siblingMarker())) {
            if (Files.exists(marker)) {
                try {
                    Files.writeString(marker, "failed=" + step + " at=" + Instant.now() + "\n", StandardCharsets.UTF_8,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // the marker still stops the next start; only the automatic redo depends on this line
                }
            }
        }
    }

    /**
     * Moves everything in PGDATA but the lock and earlier set-aside directories into a new
     * {@code pg-entrypoint.init-failed-<UTC time>} directory, and drops the sibling marker. Nothing is deleted.
     */
    public Path setAside(Instant now) throws IOException {
        Path target = pgdata.resolve(SET_ASIDE_PREFIX + STAMP.format(now));
        Files.createDirectory(target);
        for (String name : entries()) {
            if (name.equals(Settings.LOCK_FILE_NAME) || name.startsWith(SET_ASIDE_PREFIX)) {
                continue;
            }
            Files.move(pgdata.resolve(name), target.resolve(name));
        }
        deleteQuietly(siblingMarker());
        return target;
    }

    /** After initdb succeeded in {@link #staging()}: marker first, then every entry, PG_VERSION last. */
    public void promoteStaging(String facts) throws IOException {
        Files.writeString(innerMarker(), facts + "\n", StandardCharsets.UTF_8);
        Path staging = staging();
        List<String> names;
        try (Stream<Path> list = Files.list(staging)) {
            names = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String name : names) {
            if (!name.equals("PG_VERSION")) {
                Files.move(staging.resolve(name), pgdata.resolve(name));
            }
        }
        if (names.contains("PG_VERSION")) {
            Files.move(staging.resolve("PG_VERSION"), pgdata.resolve("PG_VERSION"));
        }
        Files.delete(staging);
    }

    public boolean needsInit() {
        Status s = status();
        return s == Status.MISSING || s == Status.EMPTY || s == Status.INCOMPLETE_EMPTY;
    }

    public Optional<String> version() {
        try {
            return Optional.of(Files.readString(pgdata.resolve("PG_VERSION"), StandardCharsets.UTF_8).trim())
                    .filter(v -> !v.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The names in PGDATA, for messages. */
    public List<String> entries() {
        try (Stream<Path> list = Files.list(pgdata)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Before initdb: a stale marker over an empty directory is dropped, then the sibling marker is written if possible. */
    public void markBeforeInitdb(String facts) {
        deleteQuietly(innerMarker());
        try {
            Files.writeString(siblingMarker(), facts + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the parent of PGDATA is not ours (e.g. a mount point): initdb's own cleanup covers its run
        }
    }

    /** Right after initdb: the marker inside PGDATA, which travels with the volume. */
    public void markAfterInitdb(String facts) throws IOException {
        Files.writeString(innerMarker(), facts + "\n", StandardCharsets.UTF_8);
    }

    /** After the last init step: initialization is complete. */
    public void unmark() throws IOException {
        Files.deleteIfExists(innerMarker());
        deleteQuietly(siblingMarker());
    }

    public boolean marked() {
        return Files.exists(innerMarker()) || Files.exists(siblingMarker());
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // not ours to remove; status() will still report it
        }
    }
}
