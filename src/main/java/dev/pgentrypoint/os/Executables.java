package dev.pgentrypoint.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds an executable the way a shell does: the first directory of PATH that holds it. */
public final class Executables {
    private Executables() {
    }

    /**
     * The first {@code dir/name} along {@code path} (colon-separated) that is a regular, executable file; empty
     * entries (the current directory to a shell) are skipped, and a null path finds nothing.
     */
    public static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
