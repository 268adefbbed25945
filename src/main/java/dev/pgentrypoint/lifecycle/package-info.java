/** The entrypoint's life: exit codes, signals, shutdown coordination and the final exit. */
package dev.pgentrypoint.lifecycle;
