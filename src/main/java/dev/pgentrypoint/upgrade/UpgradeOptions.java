package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the upgrade's settings and the data directory say: whether to upgrade, how, and with which binaries. */
final class UpgradeOptions {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|kB|KB|MB|GB|TB)?");

    final Settings settings;
    final DataDirectory data;
    final Optional<PgBinaries> binaries;
    /** The clock of the dated names (the work directory, the old cluster, an abandoned new one). */
    final Clock clock;
    private final Path versionsRoot;

    UpgradeOptions(Settings settings, DataDirectory data, Optional<PgBinaries> binaries, Path versionsRoot, Clock clock) {
        this.settings = settings;
        this.data = data;
        this.binaries = binaries;
        this.versionsRoot = versionsRoot;
        this.clock = clock;
    }

    /** {@code POSTGRES_UPGRADE=auto}. */
    boolean requested() {
        return "auto".equals(settings.raw("POSTGRES_UPGRADE").orElse("").toLowerCase(Locale.ROOT));
    }

    String mode() {
        return settings.raw("POSTGRES_UPGRADE_MODE").orElse("link").toLowerCase(Locale.ROOT);
    }

    boolean keepOld() {
        return settings.raw("POSTGRES_UPGRADE_KEEP_OLD").map(v -> !List.of("0", "false", "no", "off")
                .contains(v.toLowerCase(Locale.ROOT))).orElse(true);
    }

    /** The old major's bin directory: {@code PG_OLD_BIN_DIR}, else {@code /usr/lib/postgresql/<major>/bin}. */
    Path oldBinDir(String oldVersion) {
        return settings.raw("PG_OLD_BIN_DIR").map(Path::of).orElse(versionsRoot.resolve(oldVersion).resolve("bin"));
    }

    Path newBinDir() {
        return binaries.map(PgBinaries::binDir).orElse(Path.of("/nonexistent"));
    }

    int newMajor() {
        return binaries.flatMap(PgBinaries::majorVersion).orElse(0);
    }

    /** Properties the route file reads: the timeout of pg_upgrade and the analysis, in milliseconds. */
    Map<String, String> properties() {
        long seconds = parseLong(settings.raw("POSTGRES_UPGRADE_TIMEOUT").orElse(""), 86400);
        return Map.of("entrypoint.upgrade.timeout", String.valueOf(seconds * 1000L));
    }

    /**
     * The socket directory of pg_upgrade's servers: a private one, so that neither clients nor the
     * connectivity health check reach them through PG_SOCKET_DIR.
     */
    Path upgradeSocketDir() {
        return Path.of(settings.socketDir(), ".pg_upgrade");
    }

    /** Whether an upgrade stopped earlier (a journal next to PGDATA). */
    boolean pending() {
        return settings.startupMode() != StartupMode.SLEEP && Files.exists(data.upgradeJournal());
    }

    /** Whether PGDATA holds an older major than the binaries and the upgrade was requested. */
    boolean needed() {
        return requested() && settings.startupMode() != StartupMode.SLEEP && !pending() && olderOnDisk().isPresent();
    }

    /** The version in PG_VERSION when it is an older major than the binaries'. */
    Optional<String> olderOnDisk() {
        if (data.status() != DataDirectory.Status.INITIALIZED) {
            return Optional.empty();
        }
        Optional<String> onDisk = data.version();
        Optional<Integer> binary = binaries.flatMap(PgBinaries::majorVersion);
        if (onDisk.isEmpty() || binary.isEmpty()) {
            return Optional.empty();
        }
        return major(onDisk.get()) < binary.get() ? onDisk : Optional.empty();
    }

    static int major(String version) {
        try {
            return Integer.parseInt(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** A size such as 512MB, 2GB or 1048576 (bytes); -1 when it does not parse. */
    static long bytes(String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        return switch (unit) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            case "TB" -> n << 40;
            default -> n;
        };
    }

    static long parseLong(String value, long fallback) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
