/** Health checks of the running entrypoint, usable from the command line without a Camel context. */
package dev.pgentrypoint.health;
