package dev.pgentrypoint.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * PGDATA's {@code postmaster.pid} as PostgreSQL writes it: the postmaster's pid on the first line, its status
 * ({@code starting}, {@code ready}, {@code standby}, {@code stopping}) on the eighth.
 */
public record PostmasterPid(List<String> lines) {
    public static final String NAME = "postmaster.pid";
    private static final int STATUS_LINE = 7;

    public PostmasterPid {
        lines = List.copyOf(lines);
    }

    /** The file in a data directory. */
    public static Path in(Path pgdata) {
        return pgdata.resolve(NAME);
    }

    /** Reads the file of a data directory. */
    public static PostmasterPid read(Path pgdata) throws IOException {
        return new PostmasterPid(Files.readAllLines(in(pgdata), StandardCharsets.UTF_8));
    }

    /** The pid the file of a data directory names; empty when there is no file, it cannot be read or names no number. */
    public static OptionalLong pidOf(Path pgdata) {
        try {
            return read(pgdata).pid();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The pid on the first line, empty when it is not a number. */
    public OptionalLong pid() {
        if (lines.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether the first line is this pid. */
    public boolean names(long pid) {
        return !lines.isEmpty() && lines.get(0).trim().equals(Long.toString(pid));
    }

    /** The status line, empty when the postmaster has not written it yet. */
    public Optional<String> status() {
        return lines.size() > STATUS_LINE ? Optional.of(lines.get(STATUS_LINE).trim()) : Optional.empty();
    }
}
