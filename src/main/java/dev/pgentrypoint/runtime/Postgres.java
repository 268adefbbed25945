package dev.pgentrypoint.runtime;

import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.RefusedArguments;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.ValidationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The postgres command lines: the server in direct mode and the temporary socket-only server of the init phase. */
public final class Postgres {
    /** Variables kept away from postgres and its children. */
    static final List<String> SECRET_ENVIRONMENT = List.of("POSTGRES_PASSWORD", "PGPASSWORD");

    private final Settings settings;
    /** The postgres executable of the binaries in use. */
    private final String postgres;

    public Postgres(Settings settings, Optional<PgBinaries> binaries) {
        this.settings = settings;
        this.postgres = binaries.map(b -> b.tool("postgres").toString()).orElse("postgres");
    }

    public void validate(ValidationReport report) {
        for (RefusedArguments.Refusal refusal : RefusedArguments.of(settings.postgresArgs(), postgres)) {
            report.invalid("command line", "postgres argument '" + refusal.argument() + "' " + refusal.hint());
        }
    }

    /** The server of direct mode, with the command line's postgres arguments. */
    public List<String> serverCommand() {
        List<String> cmd = new ArrayList<>(List.of(postgres, "-D", settings.pgdata()));
        cmd.addAll(settings.postgresArgs());
        return cmd;
    }

    /** The temporary server of the init phase: no TCP, so nothing outside sees it before init completes. */
    public List<String> temporaryServerCommand() {
        List<String> cmd = new ArrayList<>(List.of(postgres, "-D", settings.pgdata(), "-c", "listen_addresses="));
        cmd.addAll(settings.postgresArgs());
        return cmd;
    }

    /**
     * The variables removed from the server's environment: passwords, every PGBACKREST_* (archive_command reads
     * the rendered file) and the entrypoint's own BACKUP_* variables.
     */
    public List<String> secretEnvironment() {
        List<String> names = new ArrayList<>(SECRET_ENVIRONMENT);
        names.addAll(settings.backupEnvironment());
        return names;
    }

    public List<String> plan() {
        return switch (settings.startupMode()) {
            case SLEEP -> List.of("start no server (STARTUP_MODE=sleep); wait for SIGTERM or SIGINT");
            default -> List.of("start and supervise " + String.join(" ", serverCommand().stream().map(ShellWords::quote).toList()),
                    "wait until postmaster.pid says ready (START_TIMEOUT " + settings.startTimeout() + " s)",
                    "on SIGTERM/SIGINT: fast shutdown, after SHUTDOWN_TIMEOUT " + settings.shutdownTimeout()
                            + " s immediate, then kill");
        };
    }
}
