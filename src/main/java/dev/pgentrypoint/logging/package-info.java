/** Logging for the whole application: logback configured in code, text or JSON lines, audit events and secret masking. */
package dev.pgentrypoint.logging;
