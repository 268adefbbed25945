package dev.pgentrypoint.workflow;

import java.nio.file.Path;

/**
 * One mistake in the workflow YAML: the file, the line (1-based; 0 when the whole file is concerned),
 * the column when known (else 0), the route or route configuration it is in (empty at top level), and what is wrong.
 */
public record WorkflowProblem(Path file, int line, int column, String routeId, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + (column > 0 ? ":" + column : "")
                + (routeId.isEmpty() ? "" : ": route " + routeId) + ": " + message;
    }
}
