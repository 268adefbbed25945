package dev.pgentrypoint.state;

/**
 * The essentials of a state file written by {@link StateMachine}.
 *
 * @param state the state at the time of writing
 * @param since when that state was entered, as ISO-8601 UTC text
 * @param pid   the process id of the writer
 */
public record StateRecord(State state, String since, long pid) {
}
