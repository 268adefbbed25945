/** The entrypoint's life: signals, stop coordination, failures, the exit code and the final exit (exit codes themselves are in core). */
package dev.pgentrypoint.lifecycle;
