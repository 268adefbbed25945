package dev.pgentrypoint.supervise;

import java.util.OptionalLong;

/**
 * Names the process that should receive the escalation signal instead of the child: for a supervisor
 * child such as Patroni, the server it runs, so the supervisor sees it stop and finishes on its own.
 */
@FunctionalInterface
public interface EscalationTarget {

    /** The pid to signal for the child with pid {@code childPid}; empty to signal the child itself. */
    OptionalLong pid(long childPid);
}
