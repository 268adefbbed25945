package dev.pgentrypoint.config;

import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.os.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change the entrypoint makes to a configuration file goes through here: the previous version
 * is kept beside the file, the new one is renamed into place atomically (keeping the file's mode),
 * and the change is logged with the lines removed and added.
 */
final class ConfigChange {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.config");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** How the previous version is kept. */
    enum Keep {
        /** {@code NAME.pg-entrypoint-<UTC time>.bak}, never overwritten: for the user's files. */
        TIMESTAMPED,
        /** {@code NAME.previous}, one generation: for the files the entrypoint owns. */
        PREVIOUS
    }

    private final Clock clock;

    ConfigChange(Clock clock) {
        this.clock = clock;
    }

    /**
     * Writes {@code content} to {@code file} when it differs; returns the copy of the previous version, if
     * there was one to keep.
     */
    Optional<Path> write(Path file, String content, Keep keep, String reason) throws IOException {
        boolean exists = Files.isRegularFile(file);
        String before = exists ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (exists && before.equals(content)) {
            return Optional.empty();
        }
        Optional<Path> backup = Optional.empty();
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
        if (exists) {
            mode = Files.getPosixFilePermissions(file);
            Path copy = backupPath(file, keep);
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            backup = Optional.of(copy);
        }
        AtomicFiles.write(file, content, mode);
        log(file, LineDiff.of(before, content), backup, reason);
        return backup;
    }

    /** Removes a file the entrypoint owns, logging its lines as removed. */
    void remove(Path file, String reason) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        String before = Files.readString(file, StandardCharsets.UTF_8);
        Files.delete(file);
        log(file, LineDiff.of(before, ""), Optional.empty(), reason);
    }

    private Path backupPath(Path file, Keep keep) {
        if (keep == Keep.PREVIOUS) {
            return file.resolveSibling(file.getFileName() + ".previous");
        }
        String base = file.getFileName() + ".pg-entrypoint-" + STAMP.format(clock.instant());
        Path candidate = file.resolveSibling(base + ".bak");
        for (int n = 2; Files.exists(candidate); n++) {
            candidate = file.resolveSibling(base + "-" + n + ".bak");
        }
        return candidate;
    }

    private static void log(Path file, LineDiff diff, Optional<Path> backup, String reason) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("file", file.toString());
        facts.put("removed", String.valueOf(diff.removed().size()));
        facts.put("added", String.valueOf(diff.added().size()));
        facts.put("previous", backup.map(Path::toString).orElse("none"));
        facts.put("reason", reason);
        Audit.event("config-file-changed", facts);
        for (String line : diff.removed()) {
            LOG.info("{} - {}", file.getFileName(), masked(line));
        }
        for (String line : diff.added()) {
            LOG.info("{} + {}", file.getFileName(), masked(line));
        }
    }

    private static String masked(String line) {
        return Masking.maskArgs(List.of(line)).get(0);
    }
}
