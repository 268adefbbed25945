/** Modules 02-database and the init scripts: initdb, POSTGRES_DB, /docker-entrypoint-initdb.d against a temporary server. */
package dev.pgentrypoint.database;
