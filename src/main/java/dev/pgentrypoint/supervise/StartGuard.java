package dev.pgentrypoint.supervise;

/** Registry bean consulted before every child start; throwing refuses the start. */
@FunctionalInterface
public interface StartGuard {

    void checkStart(String name);
}
