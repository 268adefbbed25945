package dev.pgentrypoint.supervise;

/** Outcome of stopping a child: its exit code and whether escalation beyond the stop signal was needed. */
record StopResult(int exitCode, boolean forced) {
}
