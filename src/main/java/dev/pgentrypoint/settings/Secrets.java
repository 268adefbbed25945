package dev.pgentrypoint.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Values that may be given directly ({@code X}) or through a file ({@code X_FILE}), like the official image. */
final class Secrets {
    private Secrets() {
    }

    /** The value of X, or the content of X_FILE without trailing newlines; empty when neither is usable. */
    static Optional<String> read(Settings settings, String name) {
        Optional<String> direct = settings.raw(name);
        if (direct.isPresent()) {
            return direct;
        }
        return settings.raw(name + "_FILE").flatMap(Secrets::readFile);
    }

    static Optional<String> readFile(String file) {
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return Optional.of(content.replaceAll("[\\r\\n]+$", "")).filter(s -> !s.isEmpty());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reports X and X_FILE set together, and an X_FILE that cannot be read. */
    static void check(Settings settings, String name, ValidationReport report) {
        Optional<String> file = settings.raw(name + "_FILE");
        if (settings.raw(name).isPresent() && file.isPresent()) {
            report.invalid(name, "both " + name + " and " + name + "_FILE are set; they are exclusive: unset one of them");
            return;
        }
        if (file.isPresent()) {
            Path path = Path.of(file.get());
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                report.invalid(name + "_FILE", "cannot read " + path + ": make it a readable file or unset " + name + "_FILE");
            }
        }
    }
}
