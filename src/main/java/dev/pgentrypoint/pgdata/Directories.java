package dev.pgentrypoint.pgdata;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Module 01-directories: PGDATA (0700), the socket directory, the WAL directory and, in Patroni mode, the
 * directory of the rendered Patroni configuration (0700), owned by the postgres user.
 */
public final class Directories {
    /** The one directory that may belong to someone else as long as we can write into it. */
    private static final String SHARED = "PG_SOCKET_DIR";

    private final Settings settings;
    private final Privileges privileges;

    public Directories(Settings settings, Privileges privileges) {
        this.settings = settings;
        this.privileges = privileges;
    }

    /** The directories this module owns, by the variable that names them, with their modes. */
    Map<String, Map.Entry<Path, String>> targets() {
        Map<String, Map.Entry<Path, String>> dirs = new LinkedHashMap<>();
        dirs.put("PGDATA", Map.entry(Path.of(settings.pgdata()), "rwx------"));
        dirs.put("PG_SOCKET_DIR", Map.entry(Path.of(settings.socketDir()), "rwxrwxr-x"));
        settings.walDir().ifPresent(w -> dirs.put("POSTGRES_INITDB_WALDIR", Map.entry(Path.of(w), "rwx------")));
        if (settings.startupMode() == StartupMode.PATRONI) {
            dirs.put("PATRONI_RUN_DIR", Map.entry(settings.patroniRunDir(), "rwx------"));
        }
        return dirs;
    }

    public void validate(ValidationReport report) {
        Path pgdata = Path.of(settings.pgdata());
        if (!pgdata.isAbsolute()) {
            report.invalid("PGDATA", "'" + settings.pgdata() + "' is not an absolute path: give a path starting with /");
            return;
        }
        settings.walDir().map(Path::of).ifPresent(wal -> {
            if (!wal.isAbsolute()) {
                report.invalid("POSTGRES_INITDB_WALDIR", "'" + wal + "' is not an absolute path");
            } else if (wal.normalize().startsWith(pgdata.normalize())) {
                report.invalid("POSTGRES_INITDB_WALDIR", wal + " lies inside PGDATA: choose a directory outside it");
            }
        });
        if (privileges.isRoot() && privileges.targetUid().isEmpty()) {
            report.invalid("user " + privileges.targetUser(), "started as root but the user '" + privileges.targetUser()
                    + "' to drop privileges to does not exist: create it (e.g. install the postgresql package)");
        }
        targets().forEach((variable, target) -> checkOne(report, variable, target.getKey()));
    }

    private void checkOne(ValidationReport report, String variable, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            report.invalid(variable, dir + " exists and is not a directory: remove it or choose another path");
            return;
        }
        if (privileges.isRoot()) {
            return;
        }
        if (Files.isDirectory(dir)) {
            if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
                report.invalid(variable, dir + " is not writable by uid " + privileges.uid()
                        + ": fix its owner or mode, or start as root to have it fixed" + Privileges.describe(dir));
            } else if (!SHARED.equals(variable) && !ownedByUs(dir)) {
                report.invalid(variable, dir + " is not owned by uid " + privileges.uid() + ", which runs the server: "
                        + "only its owner can make it private, and PostgreSQL uses only a data directory of its own "
                        + "user. Point " + variable + " to a subdirectory of it (e.g. " + dir.resolve("pgdata")
                        + "), give it to uid " + privileges.uid() + ", or start as root to have it fixed"
                        + Privileges.describe(dir));
            }
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isWritable(parent) || !Files.isExecutable(parent)) {
            report.invalid(variable, "cannot create " + dir + " as uid " + privileges.uid() + ": " + parent
                    + " is not writable; create it beforehand or start as root" + Privileges.describe(dir));
        }
    }

    private boolean ownedByUs(Path dir) {
        try {
            return (Integer) Files.getAttribute(dir, "unix:uid") == privileges.uid();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Creates what is missing, tightens modes, and when root fixes ownership of what is wrong-owned.
     * A socket directory of someone else that validation found writable (e.g. mode 3777 in an image
     * started with an arbitrary uid) keeps its mode: only its owner may change it.
     */
    public void prepare() {
        for (Map.Entry<String, Map.Entry<Path, String>> e : targets().entrySet()) {
            Path dir = e.getValue().getKey();
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Audit.event("mkdir", Map.of("path", dir.toString(), "variable", e.getKey()));
                }
                if (privileges.isRoot()) {
                    privileges.chownWrongOwned(dir);
                }
                if (privileges.isRoot() || ownedByUs(dir)) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(e.getValue().getValue()));
                }
            } catch (IOException | RuntimeException ex) {
                throw new EntrypointException("init-directories-main", ExitCode.INIT_FAILED, "cannot prepare " + e.getKey()
                        + " " + dir + ": " + ex.getMessage() + Privileges.describe(dir), ex);
            }
        }
    }

    /** Hands STATE_FILE and LOCK_FILE to the user we drop to, so it can replace them atomically. */
    public void handOverRuntimeFiles() {
        handOver(List.of(settings.stateFile(), settings.lockFile()));
    }

    void handOver(List<Path> files) {
        if (!privileges.isRoot()) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    privileges.chownWrongOwned(file);
                }
            } catch (IOException e) {
                failures.add(file + ": " + e.getMessage() + Privileges.describe(file));
            }
        }
        if (!failures.isEmpty()) {
            throw new EntrypointException("util-security-drop-privileges", ExitCode.INIT_FAILED,
                    "cannot hand over to " + privileges.targetUser() + ": " + String.join("; ", failures));
        }
    }

    /** The plan of this module, for DRY_RUN. */
    public List<String> plan() {
        List<String> lines = new ArrayList<>();
        targets().forEach((variable, t) -> {
            lines.add((Files.isDirectory(t.getKey()) ? "keep " : "mkdir ") + t.getKey() + " (" + variable + "), mode "
                    + t.getValue());
            if (privileges.isRoot()) {
                lines.add("chown what is not owned by " + privileges.targetUser() + " under " + t.getKey());
            }
        });
        if (privileges.isRoot()) {
            lines.add("drop privileges: re-execute as " + privileges.targetUser() + " through setpriv");
        }
        return lines;
    }
}
