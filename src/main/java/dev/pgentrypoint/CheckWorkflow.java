package dev.pgentrypoint;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.workflow.WorkflowChecker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * {@code pg-entrypoint check-workflow}: the checks every start runs on the workflow YAML, alone
 * (like {@code patroni --validate-config}). Exit 0 when the workflow is sound, 1 with every problem otherwise.
 */
public final class CheckWorkflow {
    static final String USAGE = """
            Usage: pg-entrypoint check-workflow

            Checks the workflow YAML the entrypoint would load (WORKFLOWS_DIR/*.yaml and ROUTES_DIR/**/*.yaml)
            without starting anything: YAML syntax, route ids (present, unique across files), every direct:
            target has a route, every bean and bean method a route calls exists, every {{property}} resolves,
            every routeConfigurationId names a routeConfiguration. Each problem names the file, the line and
            the route id. Every start runs the same checks first.

            Exit codes: 0 the workflow is sound, 1 problems were found (listed).
            Variables: WORKFLOWS_DIR, ROUTES_DIR, and the settings the routes read (STARTUP_MODE, BACKUP_*, PGBACKREST_*).
            Docs: README.md ("Changing the workflow"), docs/architecture.md, docs/operations.md""";

    private CheckWorkflow() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), Path.of(System.getProperty("pgentrypoint.home", "."))));
    }

    static int run(String[] args, Map<String, String> env, Path home) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            LoggerFactory.getLogger("pg-entrypoint.workflow-check").error("check-workflow: unknown argument {} (it takes "
                    + "none; see --help)", arg);
            return ExitCode.INVALID_INPUT.code();
        }
        Main.Wiring wiring = Main.wire(env, List.of(), home);
        WorkflowChecker.Report report = Main.checkWorkflow(wiring, env);
        if (!report.problems().isEmpty()) {
            return ExitCode.INVALID_INPUT.code();
        }
        LoggerFactory.getLogger("pg-entrypoint.workflow-check").info("workflow ok: {} routes in {} files (WORKFLOWS_DIR={} "
                + "ROUTES_DIR={})", report.routes(), report.files(), wiring.settings().workflowsDir(),
                wiring.settings().routesDir());
        return 0;
    }
}
