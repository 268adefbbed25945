/** Runtime: the postgres command lines, readiness, and what startup and shutdown routes need from Java. */
package dev.pgentrypoint.runtime;
