/** The entrypoint's lifecycle state machine, its on-disk state file and the single-instance lock. */
package dev.pgentrypoint.state;
