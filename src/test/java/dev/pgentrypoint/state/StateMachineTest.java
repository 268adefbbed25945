package dev.pgentrypoint.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgentrypoint.json.TestJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class StateMachineTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T19:00:00.123Z"), ZoneOffset.UTC);
    private static final long PID = ProcessHandle.current().pid();

    /** Shortest paths from UNINITIALIZED to each state. */
    private static final Map<State, List<State>> PATHS = Map.of(
        State.UNINITIALIZED, List.of(),
        State.UPGRADING, List.of(State.UPGRADING),
        State.INITIALIZING, List.of(State.INITIALIZING),
        State.READY, List.of(State.READY),
        State.STARTING, List.of(State.READY, State.STARTING),
        State.RUNNING, List.of(State.READY, State.RUNNING),
        State.STOPPING, List.of(State.STOPPING),
        State.STOPPED, List.of(State.STOPPING, State.STOPPED),
        State.ERROR, List.of(State.ERROR));

    @TempDir
    Path dir;

    private final Logger stateLogger = (Logger) LoggerFactory.getLogger("pg-entrypoint.state");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        stateLogger.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        stateLogger.detachAppender(logged);
    }

    private static boolean expectedAllowed(State from, State to) {
        Set<State> active = EnumSet.of(State.UNINITIALIZED, State.INITIALIZING, State.UPGRADING, State.READY,
            State.STARTING, State.RUNNING);
        return switch (to) {
            case INITIALIZING, UPGRADING -> from == State.UNINITIALIZED;
            case READY -> from == State.UNINITIALIZED || from == State.INITIALIZING || from == State.UPGRADING;
            case STARTING -> from == State.READY;
            case RUNNING -> from == State.STARTING || from == State.READY;
            case STOPPING -> active.contains(from);
            case STOPPED -> from == State.STOPPING || from == State.ERROR;
            case ERROR -> from != State.ERROR;
            case UNINITIALIZED -> false;
        };
    }

    private StateMachine machineIn(State state) {
        StateMachine machine = new StateMachine(dir.resolve("state.json"), CLOCK);
        PATHS.get(state).forEach(machine::transition);
        assertEquals(state, machine.current());
        return machine;
    }

    @Test
    void startsUninitializedWithoutWritingAFile() {
        StateMachine machine = new StateMachine(dir.resolve("state.json"), CLOCK);
        assertEquals(State.UNINITIALIZED, machine.current());
        assertFalse(Files.exists(dir.resolve("state.json")));
    }

    @Test
    void enforcesExactlyTheAllowedTransitions() {
        for (State from : State.values()) {
            for (State to : State.values()) {
                if (from == to) {
                    continue;
                }
                StateMachine machine = machineIn(from);
                boolean allowed = expectedAllowed(from, to);
                assertEquals(allowed, machine.canTransition(to), from + " -> " + to);
                if (allowed) {
                    machine.transition(to);
                    assertEquals(to, machine.current());
                } else {
                    IllegalStateTransitionException e =
                        assertThrows(IllegalStateTransitionException.class, () -> machine.transition(to));
                    assertEquals("illegal state transition from " + from + " to " + to, e.getMessage());
                    assertEquals(from, machine.current());
                }
            }
        }
    }

    @Test
    void transitionToCurrentStateIsASilentNoOp() throws IOException {
        StateMachine machine = machineIn(State.RUNNING);
        String before = Files.readString(dir.resolve("state.json"));
        int lines = logged.list.size();
        List<State> calls = new ArrayList<>();
        machine.addListener((previous, next) -> calls.add(next));

        assertTrue(machine.canTransition(State.RUNNING));
        machine.transition(State.RUNNING, Map.of("mode", "other"));

        assertEquals(before, Files.readString(dir.resolve("state.json")));
        assertEquals(lines, logged.list.size());
        assertEquals(List.of(), calls);
        assertTrue(new StateMachine(dir.resolve("other.json"), CLOCK).canTransition(State.UNINITIALIZED));
    }

    @Test
    void writesOneJsonObjectPerTransition() throws IOException {
        StateMachine machine = machineIn(State.STARTING);
        machine.transition(State.RUNNING, Map.of("mode", "direct"));

        String content = Files.readString(dir.resolve("state.json"));
        assertEquals("{\"state\":\"RUNNING\",\"code\":4,\"previous\":\"STARTING\",\"since\":\"2026-11-26T19:00:00.123Z\","
            + "\"pid\":" + PID + ",\"facts\":{\"mode\":\"direct\"}}\n", content);
        TestJson.parseObject(content);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state.json"))));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("state.json")), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void escapesFactsInTheFile() throws IOException {
        StateMachine machine = new StateMachine(dir.resolve("state.json"), CLOCK);
        machine.transition(State.ERROR, Map.of("reason", "bad \"quote\"\nline"));
        Map<String, Object> json = TestJson.parseObject(Files.readString(dir.resolve("state.json")));
        assertEquals(Map.of("reason", "bad \"quote\"\nline"), json.get("facts"));
    }

    @Test
    void createsMissingParentDirectories() {
        Path file = dir.resolve("run/pg/state.json");
        new StateMachine(file, CLOCK).transition(State.INITIALIZING);
        assertEquals(State.INITIALIZING, StateMachine.read(file).orElseThrow().state());
    }

    @Test
    void logsEachEffectiveTransitionOnceWithFacts() {
        StateMachine machine = machineIn(State.STARTING);
        logged.list.clear();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("mode", "direct");
        facts.put("note", "two words");
        machine.transition(State.RUNNING, facts);

        assertEquals(1, logged.list.size());
        ILoggingEvent event = logged.list.get(0);
        assertEquals(Level.INFO, event.getLevel());
        assertEquals("pg-entrypoint.state", event.getLoggerName());
        assertEquals("state=RUNNING previous=STARTING mode=direct note=\"two words\"", event.getFormattedMessage());
    }

    @Test
    void notifiesListenersWithPreviousAndNext() {
        StateMachine machine = new StateMachine(dir.resolve("state.json"), CLOCK);
        List<String> calls = new ArrayList<>();
        machine.addListener((previous, next) -> calls.add(previous + ">" + next));
        machine.addListener((previous, next) -> {
            throw new IllegalStateException("broken listener");
        });
        machine.addListener((previous, next) -> calls.add("second:" + next));

        machine.transition(State.READY);
        machine.transition(State.RUNNING);

        assertEquals(List.of("UNINITIALIZED>READY", "second:READY", "READY>RUNNING", "second:RUNNING"), calls);
        assertEquals(State.RUNNING, machine.current());
    }

    @Test
    void writeFailureThrowsNamingThePathAndKeepsTheState() throws IOException {
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path file = blocker.resolve("state.json");
        StateMachine machine = new StateMachine(file, CLOCK);
        List<State> calls = new ArrayList<>();
        machine.addListener((previous, next) -> calls.add(next));

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> machine.transition(State.READY));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(State.UNINITIALIZED, machine.current());
        assertEquals(List.of(), calls);
    }

    @Test
    void readParsesTheWrittenRecord() {
        Path file = dir.resolve("state.json");
        new StateMachine(file, CLOCK).transition(State.READY, Map.of("state", "FAKE", "pid", "1"));
        assertEquals(Optional.of(new StateRecord(State.READY, "2026-11-26T19:00:00.123Z", PID)),
            StateMachine.read(file));
    }

    @Test
    void readIsEmptyForMissingOrGarbledFiles() throws IOException {
        assertEquals(Optional.empty(), StateMachine.read(dir.resolve("missing.json")));
        for (String garbage : List.of("", "not json", "{\"state\":\"RUNNING\"", "{\"state\":\"NOPE\",\"since\":\"x\",\"pid\":1}",
            "{\"state\":\"RUNNING\",\"since\":\"x\"}", "{\"state\":4,\"since\":\"x\",\"pid\":1}", "[]")) {
            Path file = Files.writeString(dir.resolve("garbled.json"), garbage);
            assertEquals(Optional.empty(), StateMachine.read(file), garbage);
        }
        Files.write(dir.resolve("binary.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertEquals(Optional.empty(), StateMachine.read(dir.resolve("binary.json")));
    }

    @Test
    void stateCodesAreFrozen() {
        int[] codes = Stream.of(State.values()).mapToInt(State::code).toArray();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), Arrays.stream(codes).boxed().toList());
        assertEquals(List.of("UNINITIALIZED", "INITIALIZING", "READY", "STARTING", "RUNNING", "STOPPING", "STOPPED", "ERROR",
                "UPGRADING"), Stream.of(State.values()).map(State::name).toList());
        assertEquals(4, State.RUNNING.code());
        assertEquals(7, State.ERROR.code());
        assertEquals(8, State.UPGRADING.code());
    }
}
