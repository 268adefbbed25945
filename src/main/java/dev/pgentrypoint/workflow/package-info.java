/** The workflow checker: reads the YAML of WORKFLOWS_DIR and ROUTES_DIR and reports every broken link before a start. */
package dev.pgentrypoint.workflow;
