/** The DRY_RUN plan assembled from every module's own description of what it would do. */
package dev.pgentrypoint.plan;
