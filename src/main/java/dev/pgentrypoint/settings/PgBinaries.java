package dev.pgentrypoint.settings;

import dev.pgentrypoint.os.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL's bin directory: {@code PG_BIN_DIR}, else the directory of {@code postgres}
 * on {@code PATH} (symlinks resolved), else the newest {@code /usr/lib/postgresql/N/bin}.
 *
 * @param binDir the bin directory
 * @param source where the directory came from: {@code PG_BIN_DIR}, {@code PATH} or {@code /usr/lib/postgresql}
 */
public record PgBinaries(Path binDir, String source) {
    static final List<String> REQUIRED = List.of("postgres", "initdb", "psql");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    public Path tool(String name) {
        return binDir.resolve(name);
    }

    /** Finds the bin directory, or empty when no candidate holds a {@code postgres} executable. */
    public static Optional<PgBinaries> discover(Optional<String> explicit, String path, Path versionsRoot) {
        if (explicit.isPresent()) {
            return Optional.of(new PgBinaries(Path.of(explicit.get()), "PG_BIN_DIR"));
        }
        Optional<Path> onPath = Executables.onPath("postgres", path);
        if (onPath.isPresent()) {
            Path candidate = onPath.get();
            try {
                return Optional.of(new PgBinaries(candidate.toRealPath().getParent(), "PATH"));
            } catch (IOException e) {
                return Optional.of(new PgBinaries(candidate.getParent(), "PATH"));
            }
        }
        return newestUnder(versionsRoot).map(dir -> new PgBinaries(dir, versionsRoot.toString()));
    }

    private static Optional<Path> newestUnder(Path root) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .map(p -> p.resolve("bin"))
                    .filter(p -> Files.isExecutable(p.resolve("postgres")))
                    .max(Comparator.comparingDouble(p -> Double.parseDouble(p.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Tools missing from the directory. */
    public List<String> missingTools() {
        return REQUIRED.stream().filter(t -> !Files.isExecutable(tool(t))).toList();
    }

    /** The major version reported by {@code postgres --version} (10 and later: the first number). */
    public Optional<Integer> majorVersion() {
        try {
            Process process = new ProcessBuilder(tool("postgres").toString(), "--version")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return parseMajor(output);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<Integer> parseMajor(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(m.group(1)));
    }

    /** The major version written by initdb into {@code PG_VERSION} ("15", or "9.6" for old clusters). */
    public static Optional<String> dataVersion(Path pgdata) {
        try {
            return Optional.of(Files.readString(pgdata.resolve("PG_VERSION"), StandardCharsets.UTF_8).trim())
                    .filter(v -> !v.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
