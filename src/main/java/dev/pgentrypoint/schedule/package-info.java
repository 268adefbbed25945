/** Camel component {@code schedule:} that fires a route on a cron expression, one thread per schedule. */
package dev.pgentrypoint.schedule;
