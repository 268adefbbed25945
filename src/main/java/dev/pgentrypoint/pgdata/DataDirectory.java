package dev.pgentrypoint.pgdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What PGDATA holds, and the "initialization in progress" marker. The marker is written next
 * to PGDATA before initdb (when the parent is writable; initdb refuses a non-empty directory)
 * and inside PGDATA right after initdb, and both are removed only when the last init step
 * succeeded.
 */
public final class DataDirectory {
    public static final String MARKER_NAME = "pg-entrypoint.init-incomplete";

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
        List<String> entries = entries().stream().filter(n -> !n.equals(MARKER_NAME)).toList();
        if (entries.isEmpty()) {
            return marked ? Status.INCOMPLETE_EMPTY : Status.EMPTY;
        }
        if (marked) {
            return Status.INCOMPLETE;
        }
        return version().isPresent() ? Status.INITIALIZED : Status.FOREIGN;
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
