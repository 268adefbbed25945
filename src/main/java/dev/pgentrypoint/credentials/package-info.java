/** Credentials that follow the environment: the superuser's password, POSTGRES_USER and POSTGRES_DB checked against the cluster at each start. */
package dev.pgentrypoint.credentials;
