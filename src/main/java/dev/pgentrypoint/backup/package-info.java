/** pgBackRest: configuration, WAL archiving, stanza and check, scheduled and manual backups, restore instead of initdb. */
package dev.pgentrypoint.backup;
