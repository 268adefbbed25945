/** Camel component {@code supervise:} that starts, watches and stops long-running child processes with signal escalation. */
package dev.pgentrypoint.supervise;
