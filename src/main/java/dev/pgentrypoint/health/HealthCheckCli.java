package dev.pgentrypoint.health;

import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import java.nio.file.Path;
import java.util.List;

/** {@code pg-entrypoint healthcheck}: exit 0 when healthy, 1 with one line of reason otherwise; no Camel context. */
public final class HealthCheckCli {
    private HealthCheckCli() {
    }

    public static void main(String[] args) {
        String type = "all";
        for (String arg : args) {
            if (arg.startsWith("--type=")) {
                type = arg.substring("--type=".length());
            } else {
                System.out.println("unhealthy: unknown argument " + arg + " (use --type=connectivity|process|state|all)");
                System.exit(1);
            }
        }
        Settings settings = new Settings(System.getenv(), List.of(), Path.of("."));
        HealthCheck check = new HealthCheck(settings, PgBinaries.discover(settings.pgBinDir(), System.getenv("PATH"),
                Path.of("/usr/lib/postgresql")));
        HealthCheck.Result result = check.run(type);
        System.out.println((result.healthy() ? "healthy: " : "unhealthy: ") + result.reason());
        System.exit(result.healthy() ? 0 : 1);
    }
}
