/**
 * The operating-system primitives, each written once: signals through kill(1), {@code postmaster.pid},
 * atomic file writes, recursive deletes and the PATH lookup of an executable. Imports nothing of the project.
 */
package dev.pgentrypoint.os;
