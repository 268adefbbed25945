package dev.pgentrypoint.supervise;

/** Decides whether a freshly started child is ready to serve; an exception counts as "not ready yet". */
@FunctionalInterface
public interface ReadinessCheck {

    boolean isReady(long pid) throws Exception;
}
