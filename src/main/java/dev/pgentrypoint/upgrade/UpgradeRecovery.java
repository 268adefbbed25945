package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Audit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal at the next start, and after a failure or a stop: an upgrade that pg_upgrade had not
 * finished is rolled back (the old cluster is PGDATA again), a later one goes forward.
 */
final class UpgradeRecovery {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.upgrade");

    private final UpgradeOptions options;
    private final UpgradeProgress progress;

    UpgradeRecovery(UpgradeOptions options, UpgradeProgress progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Resumes or rolls back an upgrade that a stop or crash interrupted. Before pg_upgrade finished,
     * the old cluster is still PGDATA: the new one is moved aside (never deleted) and the old
     * {@code pg_control} restored. From then on: forward.
     *
     * @return {@code rolled-back} or {@code resumed}
     */
    String recover(Runnable swap) {
        Journal j;
        try {
            j = Journal.read(options.data.upgradeJournal()).orElseThrow();
        } catch (IOException e) {
            throw UpgradeProgress.failed(e.getMessage(), e);
        }
        progress.journal = j;
        LOG.info("an interrupted upgrade was found: phase={} from={} to={} work={}", j.phase(), j.oldVersion(),
                j.newMajor(), j.work());
        if (j.phase().rollsBack()) {
            rollBack(j);
            if (!options.requested()) {
                throw new EntrypointException("init-upgrade-recover", ExitCode.INIT_FAILED, "the interrupted upgrade "
                        + "was rolled back and PGDATA holds PostgreSQL " + j.oldVersion() + " again: set POSTGRES_UPGRADE=auto "
                        + "to upgrade it, or use PostgreSQL " + j.oldVersion() + " binaries");
            }
            return "rolled-back";
        }
        if (j.phase() == Phase.UPGRADED) {
            swap.run();
        }
        return "resumed";
    }

    private void rollBack(Journal j) {
        try {
            Path fresh = j.newCluster();
            String abandoned = "";
            if (Files.exists(fresh)) {
                Path target = j.work().resolve("abandoned-" + Upgrade.STAMP.format(options.clock.instant()));
                Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
                abandoned = target.toString();
            }
            Path control = j.pgdata().resolve("global/pg_control");
            Path renamed = j.pgdata().resolve("global/pg_control.old");
            if (!Files.exists(control) && Files.exists(renamed)) {
                Files.move(renamed, control, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(options.data.upgradeJournal(), j.work().resolve("journal-rolled-back.properties"),
                    StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("upgrade rolled back: PGDATA {} holds PostgreSQL {} again{}", j.pgdata(), j.oldVersion(),
                    abandoned.isEmpty() ? "" : "; the unfinished new cluster was moved to " + abandoned
                    + " (remove it to free its space)");
            Audit.event("upgrade-rollback", Map.of("pgdata", j.pgdata().toString(), "phase", j.phase().name(),
                    "abandoned", abandoned));
        } catch (IOException e) {
            throw UpgradeProgress.failed("cannot roll the interrupted upgrade back: " + e.getMessage() + "; see docs/upgrade.md", e);
        }
        progress.journal = null;
    }

    /**
     * Cleanup after a failure or a stop: an upgrade that had not finished pg_upgrade is rolled back at
     * once, so the old cluster is PGDATA again. Idempotent; later phases are left to go forward.
     */
    void cleanup() {
        Journal j = progress.journal;
        if (j != null && j.phase().rollsBack() && Files.exists(options.data.upgradeJournal())) {
            rollBack(j);
        }
    }
}
