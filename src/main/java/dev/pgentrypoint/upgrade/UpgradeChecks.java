package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Planning an upgrade: the checks of validation, before anything changes (settings, binaries, the place
 * of PGDATA, free space), and the plan that DRY_RUN prints.
 */
final class UpgradeChecks {
    static final List<String> OLD_TOOLS = List.of("postgres", "pg_ctl", "pg_controldata", "pg_resetwal");
    static final List<String> NEW_TOOLS = List.of("initdb", "pg_upgrade", "psql", "vacuumdb");
    static final List<String> MODES = List.of("link", "copy", "clone");
    /** What an empty new cluster and pg_upgrade's dumps and logs take, beyond the relation files. */
    static final long NEW_CLUSTER_BYTES = 64L << 20;

    private final UpgradeOptions options;
    private final Settings settings;
    private final DataDirectory data;

    UpgradeChecks(UpgradeOptions options) {
        this.options = options;
        this.settings = options.settings;
        this.data = options.data;
    }

    void validate(ValidationReport report) {
        String value = settings.raw("POSTGRES_UPGRADE").orElse("off").toLowerCase(Locale.ROOT);
        if (!List.of("off", "auto").contains(value)) {
            report.invalid("POSTGRES_UPGRADE", "'" + value + "' is not supported: use auto to upgrade an older major "
                    + "with pg_upgrade on start, or leave it unset (off)");
        }
        if (!MODES.contains(options.mode())) {
            report.invalid("POSTGRES_UPGRADE_MODE", "'" + options.mode() + "' is not supported: use link (default), copy or clone");
        }
        if (!settings.isBooleanOrUnset("POSTGRES_UPGRADE_KEEP_OLD")) {
            report.invalid("POSTGRES_UPGRADE_KEEP_OLD", "use true (default: keep the old cluster) or false");
        }
        if (settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").isPresent() && UpgradeOptions.bytes(settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").get()) < 0) {
            report.invalid("POSTGRES_UPGRADE_FREE_MARGIN", "use a size such as 256MB or 2GB");
        }
        if (settings.raw("POSTGRES_UPGRADE_TIMEOUT").isPresent() && UpgradeOptions.parseLong(settings.raw("POSTGRES_UPGRADE_TIMEOUT").get(), -1) <= 0) {
            report.invalid("POSTGRES_UPGRADE_TIMEOUT", "use a number of seconds greater than 0");
        }
        if (options.pending()) {
            try {
                Journal.read(data.upgradeJournal());
            } catch (IOException e) {
                report.invalid("PGDATA", "an upgrade was interrupted but its journal cannot be read: " + e.getMessage()
                        + ". Inspect " + data.upgradeJournal() + " and docs/upgrade.md before starting again");
            }
            return;
        }
        if (!options.needed()) {
            return;
        }
        String oldVersion = options.olderOnDisk().orElseThrow();
        if (settings.startupMode() == StartupMode.PATRONI) {
            report.invalid("POSTGRES_UPGRADE", "an upgrade on start is not supported with STARTUP_MODE=patroni: upgrade "
                    + "the cluster with Patroni's own procedure, or unset POSTGRES_UPGRADE");
            return;
        }
        Path oldBin = options.oldBinDir(oldVersion);
        List<String> missingOld = OLD_TOOLS.stream().filter(t -> !Files.isExecutable(oldBin.resolve(t))).toList();
        if (!missingOld.isEmpty()) {
            report.invalid(settings.raw("PG_OLD_BIN_DIR").isPresent() ? "PG_OLD_BIN_DIR" : "POSTGRES_UPGRADE",
                    "upgrading PGDATA from PostgreSQL " + oldVersion + " needs that version's binaries, but " + oldBin
                    + " lacks " + String.join(", ", missingOld) + ": install PostgreSQL " + oldVersion
                    + " there (the image's build argument, see docs/upgrade.md) or set PG_OLD_BIN_DIR to its bin directory");
        }
        List<String> missingNew = NEW_TOOLS.stream().filter(t -> !Files.isExecutable(options.newBinDir().resolve(t))).toList();
        if (!missingNew.isEmpty()) {
            report.invalid("PG_BIN_DIR", options.newBinDir() + " lacks " + String.join(", ", missingNew) + ", needed to upgrade");
        }
        checkPlace(report);
    }

    /** PGDATA must be renameable (a subdirectory of the volume) and its filesystem must have room for the mode. */
    private void checkPlace(ValidationReport report) {
        Path pgdata = data.path();
        Path parent = pgdata.getParent();
        try {
            if (parent == null || !Files.getFileStore(parent).equals(Files.getFileStore(pgdata))) {
                report.invalid("PGDATA", pgdata + " is a mount point: an upgrade keeps the old cluster aside under a "
                        + "dated name next to PGDATA, so PGDATA must be a subdirectory of the volume (e.g. mount the "
                        + "volume at " + pgdata + "-volume and set PGDATA to a directory inside it)");
                return;
            }
            if (!writableByServerUser(parent)) {
                report.invalid("PGDATA", parent + " (the parent of PGDATA) is not writable by the server's user: an "
                        + "upgrade builds the new cluster and keeps the old one there");
                return;
            }
            long margin = UpgradeOptions.bytes(settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").orElse("256MB"));
            long needed = requiredBytes() + Math.max(margin, 0);
            long free = Files.getFileStore(parent).getUsableSpace();
            if (free < needed) {
                report.invalid("PGDATA", "not enough free space to upgrade in " + options.mode() + " mode: " + mib(free)
                        + " free on the filesystem of " + parent + ", " + mib(needed) + " needed (" + mib(requiredBytes())
                        + " estimated + POSTGRES_UPGRADE_FREE_MARGIN " + mib(Math.max(margin, 0)) + "). Free space, use "
                        + "POSTGRES_UPGRADE_MODE=link, or lower the margin. Nothing was changed");
            }
        } catch (IOException e) {
            report.invalid("PGDATA", "cannot inspect " + pgdata + " for the upgrade: " + e.getMessage());
        }
    }

    private boolean writableByServerUser(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Files.isWritable(dir);
        }
        var perms = Files.getPosixFilePermissions(dir);
        return Files.getOwner(dir).getName().equals(settings.osUser())
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }

    /** The bytes the upgrade writes next to PGDATA: the new cluster, plus a copy of the relation files in copy mode. */
    long requiredBytes() throws IOException {
        return NEW_CLUSTER_BYTES + ("copy".equals(options.mode()) ? ClusterFiles.relationBytes(data.path()) : 0);
    }

    /** DRY_RUN: the steps an upgrade of this start would take. */
    List<String> plan() {
        if (options.pending()) {
            try {
                Journal j = Journal.read(data.upgradeJournal()).orElseThrow();
                return List.of("an interrupted upgrade (phase " + j.phase() + ") is " + (j.phase().rollsBack()
                        ? "rolled back: " + j.newCluster() + " moved into " + j.work() + ", the old pg_control restored"
                        : "finished: the clusters are swapped, " + j.aside() + " keeps the old one"));
            } catch (IOException e) {
                return List.of("an interrupted upgrade whose journal cannot be read: " + e.getMessage());
            }
        }
        Optional<String> older = options.olderOnDisk();
        if (older.isEmpty()) {
            return List.of("no upgrade: PGDATA holds no older major");
        }
        if (!options.requested()) {
            return List.of("no upgrade: POSTGRES_UPGRADE is not auto");
        }
        String name = data.path().getFileName().toString();
        Path work = data.path().resolveSibling(name + ".upgrade-<timestamp>");
        Journal sample = new Journal(Phase.PLANNED, older.get(), options.newMajor(),
                data.path(), work, data.path().resolveSibling(name + ".pg" + older.get() + "-<timestamp>"), options.mode(),
                "<old superuser>", "");
        List<String> steps = new ArrayList<>();
        steps.add("upgrade PostgreSQL " + older.get() + " -> " + sample.newMajor() + " in " + options.mode() + " mode; journal "
                + data.upgradeJournal());
        steps.add("read encoding, locale, checksums and superuser: " + options.oldBinDir(older.get()).resolve("postgres")
                + " --single -D " + data.path() + " template1");
        steps.add("run " + options.newBinDir().resolve("initdb") + " --pgdata=" + sample.newCluster()
                + " --username=<old superuser> --auth=trust <old encoding, locale, checksums, WAL segment size>");
        steps.add("run " + String.join(" ", Upgrade.command(options, sample, true).stream().map(ShellWords::quote).toList()));
        steps.add("run " + String.join(" ", Upgrade.command(options, sample, false).stream().map(ShellWords::quote).toList()));
        steps.add("carry postgresql.conf, postgresql.auto.conf, pg_hba.conf, pg_ident.conf and the other non-PostgreSQL "
                + "files of PGDATA to the new cluster; keep pg_upgrade's logs in " + work);
        steps.add("move " + data.path() + " to " + sample.aside() + " and the new cluster to " + data.path());
        steps.add("after the server answered: " + (options.keepOld() ? "keep " + sample.aside()
                : "remove " + sample.aside() + " (POSTGRES_UPGRADE_KEEP_OLD=false)")
                + "; in the background the extension update script and vacuumdb --all --analyze-in-stages");
        return steps;
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MB";
    }
}
