/** Module 03-config: renders postgresql.conf and pg_hba.conf from secure defaults and CONFIG_DIR, checked by PostgreSQL before use. */
package dev.pgentrypoint.config;
