package dev.pgentrypoint.supervise;

/** Failure while starting, stopping or querying a supervised child. */
public class SuperviseException extends RuntimeException {

    public SuperviseException(String message) {
        super(message);
    }

    public SuperviseException(String message, Throwable cause) {
        super(message, cause);
    }
}
