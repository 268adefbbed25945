package dev.pgentrypoint.state;

import dev.pgentrypoint.logging.KeyValues;
import dev.pgentrypoint.os.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single authority over the entrypoint's lifecycle {@link State}.
 *
 * <p>Every effective transition is persisted atomically to the state file as one JSON object,
 * logged once at INFO on {@code pg-entrypoint.state}, and reported to the listeners.
 */
public final class StateMachine {

    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.state");
    private static final DateTimeFormatter TIMESTAMP =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> MODE_0644 = PosixFilePermissions.fromString("rw-r--r--");
    private static final Map<State, Set<State>> ALLOWED = allowedTransitions();

    private final Path stateFile;
    private final Clock clock;
    private final List<BiConsumer<State, State>> listeners = new CopyOnWriteArrayList<>();
    private State current = State.UNINITIALIZED;

    /**
     * Starts in {@link State#UNINITIALIZED}; the state file is first written on the first transition. A null
     * {@code stateFile} (a dry run) keeps the state in memory only.
     */
    public StateMachine(Path stateFile, Clock clock) {
        this.stateFile = stateFile;
        this.clock = clock;
    }

    private static Map<State, Set<State>> allowedTransitions() {
        Map<State, Set<State>> allowed = new EnumMap<>(State.class);
        allowed.put(State.UNINITIALIZED, EnumSet.of(State.INITIALIZING, State.UPGRADING, State.READY, State.STOPPING,
                State.ERROR));
        allowed.put(State.UPGRADING, EnumSet.of(State.READY, State.STOPPING, State.ERROR));
        allowed.put(State.INITIALIZING, EnumSet.of(State.READY, State.STOPPING, State.ERROR));
        allowed.put(State.READY, EnumSet.of(State.STARTING, State.RUNNING, State.STOPPING, State.ERROR));
        allowed.put(State.STARTING, EnumSet.of(State.RUNNING, State.STOPPING, State.ERROR));
        allowed.put(State.RUNNING, EnumSet.of(State.STOPPING, State.ERROR));
        allowed.put(State.STOPPING, EnumSet.of(State.STOPPED, State.ERROR));
        allowed.put(State.STOPPED, EnumSet.of(State.ERROR));
        allowed.put(State.ERROR, EnumSet.of(State.STOPPED));
        return allowed;
    }

    /** The current state. */
    public synchronized State current() {
        return current;
    }

    /**
     * Whether {@link #transition(State)} to {@code to} would succeed; true for the current state,
     * since that transition is an accepted no-op.
     */
    public synchronized boolean canTransition(State to) {
        return to == current || ALLOWED.get(current).contains(to);
    }

    /** Same as {@link #transition(State, Map)} with no facts. */
    public void transition(State to) {
        transition(to, Map.of());
    }

    /**
     * Moves to {@code to}, recording {@code facts} (for example {@code mode=direct}) in the state
     * file and the log line. A transition to the current state does nothing.
     *
     * @throws IllegalStateTransitionException if the transition is not allowed
     * @throws UncheckedIOException if the state file cannot be written; the state is then unchanged
     */
    public synchronized void transition(State to, Map<String, String> facts) {
        if (to == current) {
            return;
        }
        if (!ALLOWED.get(current).contains(to)) {
            throw new IllegalStateTransitionException(current, to);
        }
        State previous = current;
        write(to, previous, facts);
        current = to;
        Map<String, String> line = new LinkedHashMap<>();
        line.put("state", to.name());
        line.put("previous", previous.name());
        line.putAll(facts);
        LOG.info(KeyValues.format(line));
        for (BiConsumer<State, State> listener : listeners) {
            try {
                listener.accept(previous, to);
            } catch (RuntimeException e) {
                LOG.warn("state listener failed on {} -> {}", previous, to, e);
            }
        }
    }

    /** Registers {@code listener} to be called with (previous, next) after each effective transition. */
    public void addListener(BiConsumer<State, State> listener) {
        listeners.add(listener);
    }

    private void write(State to, State previous, Map<String, String> facts) {
        if (stateFile == null) {
            return;
        }
        byte[] content = new StateFile(to.name(), to.code(), previous.name(), TIMESTAMP.format(clock.instant()),
                ProcessHandle.current().pid(), facts).toJson().getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(stateFile.toAbsolutePath().getParent());
            AtomicFiles.write(stateFile, content, MODE_0644);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state file " + stateFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a state file written by a {@code StateMachine}.
     *
     * @return the record, or empty if the file is missing, unreadable or not in the expected format
     */
    public static Optional<StateRecord> read(Path stateFile) {
        try {
            return StateFile.read(stateFile)
                    .filter(file -> file.state() != null && file.since() != null && file.pid() != null)
                    .map(file -> new StateRecord(State.valueOf(file.state()), file.since(), file.pid()));
        } catch (IllegalArgumentException e) {
            // an unknown state name
            return Optional.empty();
        }
    }
}
