/** STARTUP_MODE=patroni: Patroni's configuration, its start on etcd, its REST API for readiness, health and metrics. */
package dev.pgentrypoint.patroni;
