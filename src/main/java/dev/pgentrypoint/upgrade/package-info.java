/** Major-version upgrade on start: pg_upgrade of an older PGDATA, journalled so a stop at any moment is resumed or rolled back. */
package dev.pgentrypoint.upgrade;
