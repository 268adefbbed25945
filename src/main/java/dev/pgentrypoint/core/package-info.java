/**
 * The ground floor: exit codes and the exceptions that carry them ({@link dev.pgentrypoint.core.EntrypointException},
 * {@link dev.pgentrypoint.core.ValidationException} with its {@link dev.pgentrypoint.core.ValidationError}s).
 * Every package may use it; it imports nothing of the project.
 */
package dev.pgentrypoint.core;
