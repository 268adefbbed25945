package dev.pgentrypoint.state;

import com.fasterxml.jackson.core.JacksonException;
import dev.pgentrypoint.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON object of {@code STATE_FILE}, one line: {@code {"state":"RUNNING","code":4,"previous":"STARTING",
 * "since":"...","pid":123,"facts":{"mode":"direct"}}}.
 *
 * @param state    the state's name
 * @param code     the state's frozen number
 * @param previous the state before
 * @param since    when the state was entered, ISO-8601 UTC
 * @param pid      the process id of the writer
 * @param facts    what the transition recorded (for example {@code mode}, {@code patroni_api}, {@code member})
 */
public record StateFile(String state, Integer code, String previous, String since, Long pid, Map<String, String> facts) {

    /** The line written to the file, newline included. */
    String toJson() {
        try {
            return Mappers.json().writeValueAsString(this) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot render the state file: " + e.getMessage(), e);
        }
    }

    /** The file's object, or empty when the file is missing, unreadable or not such an object. */
    public static Optional<StateFile> read(Path file) {
        try {
            return Optional.ofNullable(Mappers.json().readValue(Files.readAllBytes(file), StateFile.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The facts, never null. */
    @Override
    public Map<String, String> facts() {
        return facts == null ? Map.of() : facts;
    }
}
