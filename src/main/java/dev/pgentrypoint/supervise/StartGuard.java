package dev.pgentrypoint.supervise;

/**
 * Registry bean consulted before every child start, and again while the child is not ready yet:
 * throwing refuses the start, or ends a start in progress (the child is then stopped with its stop policy).
 */
@FunctionalInterface
public interface StartGuard {

    void checkStart(String name);
}
