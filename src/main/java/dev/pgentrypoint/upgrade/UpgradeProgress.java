package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The upgrade of this start as the steps share it: the journal (written to its file at each change),
 * what the old cluster's backend reported, and the timing.
 */
final class UpgradeProgress {
    private final Path file;
    volatile Journal journal;
    volatile OldCluster old;
    volatile long beganMillis;
    volatile double upgradeSeconds = Double.NaN;

    UpgradeProgress(Path file) {
        this.file = file;
    }

    /** Records a new state of the journal, in memory and in its file. */
    void record(Journal next) {
        journal = next;
        try {
            next.write(file);
        } catch (IOException e) {
            throw failed("cannot write the upgrade journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** No step of its own: the failure is logged under the id of the init-upgrade-* route that called. */
    static EntrypointException failed(String reason, Throwable cause) {
        return new EntrypointException(null, ExitCode.INIT_FAILED, reason, cause);
    }
}
