package dev.pgentrypoint.plan;

import dev.pgentrypoint.backup.Backup;
import dev.pgentrypoint.backup.Restore;
import dev.pgentrypoint.config.Configuration;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.database.InitScripts;
import dev.pgentrypoint.patroni.Patroni;
import dev.pgentrypoint.pgdata.Directories;
import dev.pgentrypoint.runtime.Postgres;
import dev.pgentrypoint.settings.StartupMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * DRY_RUN: the steps the entrypoint would take, in order, with their commands (secrets masked): the plan
 * of {@code mode} (STARTUP_MODE), in the order the workflow runs the steps.
 */
public record Plan(StartupMode mode, Directories directories, Database database, Configuration configuration,
        Backup backup, Restore restore, InitScripts scripts, Postgres postgres, Patroni patroni,
        Supplier<List<String>> upgrade, Supplier<List<String>> credentials, Supplier<List<String>> collation) {

    public String render() throws IOException {
        List<String> out = new ArrayList<>();
        out.add("DRY_RUN: every validation passed; nothing was written or started. The plan:");
        section(out, "init-directories", directories.plan());
        if (mode == StartupMode.SLEEP) {
            // the workflow's init choice runs no init step in sleep mode: directories only, then no server
            List<String> backupDirectories = backup.directoriesPlan();
            if (!backupDirectories.isEmpty()) {
                section(out, "init-backup-directories", backupDirectories);
            }
            section(out, "runtime-startup", postgres.plan());
            return String.join("\n", out);
        }
        if (patroni.enabled()) {
            section(out, "init-patroni and runtime-patroni", patroni.plan());
            section(out, "init-backup", backup.plan());
            return String.join("\n", out);
        }
        section(out, "init-upgrade", upgrade.get());
        section(out, "init-database", database.plan());
        section(out, "init-config", configuration.plan());
        List<String> backupSteps = new ArrayList<>(restore.plan());
        backupSteps.addAll(backup.plan());
        section(out, "init-backup", backupSteps);
        section(out, "init-scripts", scripts.plan());
        section(out, "init-credentials", credentials.get());
        section(out, "init-collation", collation.get());
        section(out, "runtime-startup", postgres.plan());
        return String.join("\n", out);
    }

    private static void section(List<String> out, String module, List<String> steps) {
        out.add("  " + module + ":");
        steps.forEach(s -> out.add("    - " + s));
    }
}
