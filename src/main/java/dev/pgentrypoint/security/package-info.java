/** Privilege handling: running as root or not, dropping to the postgres user, and ownership fixes with audit events. */
package dev.pgentrypoint.security;
