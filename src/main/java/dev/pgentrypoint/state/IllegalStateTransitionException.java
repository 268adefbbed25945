package dev.pgentrypoint.state;

/** Thrown when a transition the {@link StateMachine} does not allow is requested. */
public final class IllegalStateTransitionException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    IllegalStateTransitionException(State from, State to) {
        super("illegal state transition from " + from + " to " + to);
    }
}
