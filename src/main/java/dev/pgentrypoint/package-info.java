/** pg-entrypoint: a PostgreSQL container entrypoint whose every step is an Apache Camel route in YAML. */
package dev.pgentrypoint;
