/** What the project's own Camel components ({@code schedule:}, {@code supervise:}) share: endpoints named by their path. */
package dev.pgentrypoint.camel;
