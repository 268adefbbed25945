/** Metrics: Camel's route-policy metrics and the domain meters of the entrypoint, in Prometheus format. */
package dev.pgentrypoint.metrics;
