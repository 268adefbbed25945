package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.os.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * The upgrade's journal: one small properties file next to PGDATA, replaced atomically at each
 * phase, so the next start knows where a stopped upgrade was and which directories it involves.
 */
record Journal(Phase phase, String oldVersion, int newMajor, Path pgdata, Path work, Path aside, String mode,
        String superuser, String started) {

    /** The new cluster while it is built, inside the work directory. */
    Path newCluster() {
        return work.resolve("new");
    }

    Journal at(Phase next) {
        return new Journal(next, oldVersion, newMajor, pgdata, work, aside, mode, superuser, started);
    }

    Journal withSuperuser(String name) {
        return new Journal(phase, oldVersion, newMajor, pgdata, work, aside, mode, name, started);
    }

    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("phase", phase.name());
        p.setProperty("old_version", oldVersion);
        p.setProperty("new_major", String.valueOf(newMajor));
        p.setProperty("pgdata", pgdata.toString());
        p.setProperty("work", work.toString());
        p.setProperty("aside", aside.toString());
        p.setProperty("mode", mode);
        p.setProperty("superuser", superuser);
        p.setProperty("started", started);
        StringWriter text = new StringWriter();
        p.store(text, "pg-entrypoint major-version upgrade journal; see docs/upgrade.md before editing");
        AtomicFiles.write(file, text.toString(), PosixFilePermissions.fromString("rw-------"));
    }

    /** The journal in {@code file}; empty when there is none. */
    static Optional<Journal> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return Optional.of(new Journal(Phase.valueOf(required(p, "phase")), required(p, "old_version"),
                    Integer.parseInt(required(p, "new_major")), Path.of(required(p, "pgdata")),
                    Path.of(required(p, "work")), Path.of(required(p, "aside")), required(p, "mode"),
                    p.getProperty("superuser", ""), required(p, "started")));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a valid upgrade journal: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return value;
    }
}
