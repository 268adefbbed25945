package dev.pgentrypoint.backup;

import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Assembles the rendered pgBackRest configuration. Lowest to highest precedence: the entrypoint's
 * defaults; {@code CONFIG_DIR/pgbackrest.conf}; {@code CONFIG_DIR/pgbackrest.conf.d/*.conf} in name
 * order (a later file replaces the same option of the same section); {@code PGBACKREST_*}
 * variables (they replace the option in every section, as pgBackRest's own environment handling
 * does); and the options the entrypoint owns, which nobody may set.
 */
final class ConfigAssembler {
    /** Options no file or variable may set, and what to use instead. */
    static final Map<String, String> DENIED = Map.ofEntries(
            Map.entry("pg1-path", "PGDATA"), Map.entry("pg1-port", "PGPORT"),
            Map.entry("pg1-socket-path", "PG_SOCKET_DIR"),
            Map.entry("config", "CONFIG_DIR/pgbackrest.conf"), Map.entry("config-path", "CONFIG_DIR"),
            Map.entry("config-include-path", "CONFIG_DIR/pgbackrest.conf.d"),
            Map.entry("stanza", "PGBACKREST_STANZA"), Map.entry("type", "BACKUP_SCHEDULE_* or pg-entrypoint backup --type"),
            Map.entry("target", "BACKUP_RESTORE_TARGET_TIME"), Map.entry("target-action", "BACKUP_RESTORE_TARGET_ACTION"));
    /** Where pgBackRest writes, unless configured otherwise (pgBackRest's own defaults, made explicit). */
    static final Map<String, String> DEFAULT_PATHS = Map.of("repo1-path", "/var/lib/pgbackrest",
            "log-path", "/var/log/pgbackrest", "lock-path", "/tmp/pgbackrest", "spool-path", "/var/spool/pgbackrest");
    /**
     * Defaults that differ from pgBackRest's: a backup starts with an immediate checkpoint instead of
     * waiting for the next regular one (up to checkpoint_timeout), so it runs when it is asked to.
     */
    static final Map<String, String> DEFAULT_OPTIONS = Map.of("start-fast", "y");
    /** Full backups each repository keeps unless {@code repoN-retention-full} is set (pgBackRest keeps all and warns). */
    static final String DEFAULT_RETENTION_FULL = "2";
    /** Repository types on local or mounted storage; every other type is remote and archives asynchronously by default. */
    static final List<String> LOCAL_TYPES = List.of("posix", "cifs");

    /** A problem found while assembling: the variable or file it concerns, and what to do. */
    record Problem(String subject, String message) {
    }

    /** The assembled configuration, the problems found, and where each option came from. */
    record Result(PgBackRestConfig config, List<Problem> problems, Map<String, String> origins) {
        /** The variable or file that set {@code option}, for messages. */
        String subject(String option) {
            return origins.getOrDefault(option, BackupSettings.variableName(option) + " (default "
                    + DEFAULT_PATHS.getOrDefault(option, "of pgBackRest") + ")");
        }
    }

    private ConfigAssembler() {
    }

    static Result assemble(BackupSettings backup) {
        Settings settings = backup.settings();
        List<Problem> problems = new ArrayList<>();
        Map<String, String> origins = new HashMap<>();
        PgBackRestConfig config = new PgBackRestConfig();
        List<String> stanzas = backup.stanzas();
        DEFAULT_PATHS.forEach((key, value) -> config.set(PgBackRestConfig.GLOBAL, key, value));
        DEFAULT_OPTIONS.forEach((key, value) -> config.set(PgBackRestConfig.GLOBAL, key, value));
        stanzas.forEach(stanza -> config.set(stanza, "pg1-user", settings.superuser()));
        for (Path file : userFiles(backup, problems)) {
            try {
                PgBackRestConfig user = PgBackRestConfig.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
                for (String key : user.keys()) {
                    if (DENIED.containsKey(key)) {
                        problems.add(new Problem(file.toString(), "sets " + key + " in " + user.sectionsWith(key)
                                + ", which the entrypoint sets itself: remove it and use " + DENIED.get(key)));
                    }
                    origins.put(key, file + " (" + String.join(", ", user.sectionsWith(key)) + ")");
                }
                config.merge(user);
            } catch (IOException e) {
                problems.add(new Problem(file.toString(), "cannot read: " + e.getMessage() + ": fix its mode"));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(file.toString(), e.getMessage()));
            }
        }
        backup.environmentOptions().forEach((key, value) -> {
            String variable = BackupSettings.variableName(key);
            if (DENIED.containsKey(key)) {
                problems.add(new Problem(variable, "is set by the entrypoint: unset it and use " + DENIED.get(key)));
            } else if (value.contains("\n")) {
                problems.add(new Problem(variable, "contains a line break, which a pgBackRest option cannot hold"));
            } else {
                config.override(key, value, scope(key, stanzas));
                origins.put(key, variable);
            }
        });
        applyDependentDefaults(config, stanzas);
        config.override("pg1-path", settings.pgdata(), stanzas);
        config.override("pg1-port", String.valueOf(settings.port()), stanzas);
        config.override("pg1-socket-path", settings.socketDir(), stanzas);
        return new Result(config, problems, origins);
    }

    /**
     * Defaults that depend on the repositories: every repository without {@code repoN-retention-full} keeps
     * {@link #DEFAULT_RETENTION_FULL} full backups, and with a remote repository (s3, gcs, azure, sftp) WAL is
     * archived asynchronously through the spool path unless {@code archive-async} is set, so a slow round
     * trip to object storage does not hold up PostgreSQL's archiver one segment at a time.
     */
    private static void applyDependentDefaults(PgBackRestConfig config, List<String> stanzas) {
        Set<String> keys = config.keys();
        for (int repo : repositories(config)) {
            if (!keys.contains("repo" + repo + "-retention-full")) {
                config.set(PgBackRestConfig.GLOBAL, "repo" + repo + "-retention-full", DEFAULT_RETENTION_FULL);
            }
        }
        boolean remote = repositories(config).stream().anyMatch(repo -> stanzas.stream().anyMatch(stanza ->
                !LOCAL_TYPES.contains(config.effective(stanza, "repo" + repo + "-type").orElse("posix"))));
        if (remote && !keys.contains("archive-async")) {
            config.set(PgBackRestConfig.GLOBAL, "archive-async", "y");
        }
    }

    /** PostgreSQL options ({@code pgN-*}) are valid in stanza sections only; every other option goes to {@code [global]}. */
    static List<String> scope(String key, List<String> stanzas) {
        return key.matches("pg\\d+-.+") ? stanzas : List.of(PgBackRestConfig.GLOBAL);
    }

    private static List<Path> userFiles(BackupSettings backup, List<Problem> problems) {
        List<Path> files = new ArrayList<>();
        if (Files.exists(backup.userFile())) {
            files.add(backup.userFile());
        }
        Path dir = backup.userIncludeDir();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().forEach(files::add);
            } catch (IOException e) {
                problems.add(new Problem(dir.toString(), "cannot list: " + e.getMessage() + ": fix its mode"));
            }
        }
        return files;
    }

    /** The repository numbers configured: 1 always, and every N of a {@code repoN-*} option. */
    static List<Integer> repositories(PgBackRestConfig config) {
        Map<Integer, Boolean> found = new LinkedHashMap<>();
        found.put(1, true);
        for (String key : config.keys()) {
            if (key.matches("repo\\d+-.+")) {
                found.put(Integer.parseInt(key.substring(4, key.indexOf('-'))), true);
            }
        }
        return List.copyOf(found.keySet());
    }
}
