/** The data directory and its neighbours: creation, ownership, inspection and the incomplete-initialization marker. */
package dev.pgentrypoint.pgdata;
