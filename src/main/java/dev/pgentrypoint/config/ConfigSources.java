package dev.pgentrypoint.config;

import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The user's files in CONFIG_DIR: postgresql.conf, pg_hba.conf and the conf.d snippets. */
final class ConfigSources {
    private final Settings settings;

    ConfigSources(Settings settings) {
        this.settings = settings;
    }

    Path file(String name) {
        return settings.configDir().resolve(name);
    }

    Path snippetDir() {
        return settings.configDir().resolve("conf.d");
    }

    /** Every file of CONFIG_DIR the configuration reads. */
    List<Path> all() {
        List<Path> files = new ArrayList<>();
        for (String name : List.of("postgresql.conf", "pg_hba.conf")) {
            if (Files.isRegularFile(file(name))) {
                files.add(file(name));
            }
        }
        files.addAll(snippets());
        return files;
    }

    /** The files that hold settings, in order of precedence: postgresql.conf, then the snippets (later wins). */
    List<Path> settingsFiles() {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(file("postgresql.conf"))) {
            files.add(file("postgresql.conf"));
        }
        files.addAll(snippets());
        return files;
    }

    List<Path> snippets() {
        Path dir = snippetDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
