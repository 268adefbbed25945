package dev.pgentrypoint.supervise;

/** A child exited or timed out before it became ready. */
public class ChildStartException extends SuperviseException {

    public ChildStartException(String message) {
        super(message);
    }
}
