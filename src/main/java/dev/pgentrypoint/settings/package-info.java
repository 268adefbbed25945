/** Settings from the environment and command line, PostgreSQL binary discovery, and validation that collects every error. */
package dev.pgentrypoint.settings;
