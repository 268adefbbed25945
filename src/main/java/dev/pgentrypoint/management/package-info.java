/** The management HTTP endpoint: metrics and health at Camel Main's paths. */
package dev.pgentrypoint.management;
