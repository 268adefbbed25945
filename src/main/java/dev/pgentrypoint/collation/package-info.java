/** Collation drift: databases whose collation version changed under them (a new C library or ICU), found at each start. */
package dev.pgentrypoint.collation;
