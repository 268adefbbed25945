package dev.pgentrypoint.config;

import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.config.ConfigRenderer.Change;
import dev.pgentrypoint.config.ConfigRenderer.Rendering;
import dev.pgentrypoint.config.ConfigRenderer.Section;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.security.Privileges;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a rendering with {@code postgres -C} before anything in PGDATA changes: the files are staged in a
 * directory of their own, and PostgreSQL's complaints are mapped back to the files and lines they come from.
 */
final class ConfigCheck {
    private final Settings settings;
    private final Optional<PgBinaries> binaries;
    private final Privileges privileges;
    private volatile Path staging;
    private volatile Rendering rendering;

    ConfigCheck(Settings settings, Optional<PgBinaries> binaries, Privileges privileges) {
        this.settings = settings;
        this.binaries = binaries;
        this.privileges = privileges;
    }

    private Path pgdata() {
        return Path.of(settings.pgdata());
    }

    /** Writes the rendering into a fresh staging directory, readable by the user PostgreSQL runs as. */
    synchronized Path stage(Rendering r) throws IOException {
        cleanup();
        staging = Files.createTempDirectory("pg-entrypoint-config-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(staging.resolve(ConfigRenderer.OWNED), r.owned(), StandardCharsets.UTF_8);
        Files.writeString(staging.resolve("postgresql.conf"),
                r.userConf().map(this::absoluteIncludes).orElse(ConfigRenderer.INCLUDE + "\n"), StandardCharsets.UTF_8);
        Files.writeString(staging.resolve("pg_hba.conf"), r.hba().map(Change::content).orElse(""), StandardCharsets.UTF_8);
        Path auto = pgdata().resolve("postgresql.auto.conf");
        if (Files.isReadable(auto)) {
            Files.copy(auto, staging.resolve("postgresql.auto.conf"));
        }
        if (privileges.isRoot()) {
            privileges.giveToTarget(staging);
        }
        rendering = r;
        return staging;
    }

    /** The user's includes made absolute (relative to PGDATA), line for line, so the staged copy reads the same files. */
    private String absoluteIncludes(String text) {
        List<ConfFile.Setting> parsed;
        try {
            parsed = ConfFile.parse(text);
        } catch (IllegalArgumentException e) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        for (ConfFile.Setting s : parsed) {
            if (s.isInclude() && !s.value().equals(ConfigRenderer.OWNED) && !s.value().startsWith("/")) {
                lines[s.line() - 1] = s.name() + " " + ConfigRenderer.quote(pgdata().resolve(s.value()).toString());
            }
        }
        return String.join("\n", lines);
    }

    /** Runs {@code postgres -C} over the staging directory; returns (file or variable, problem) pairs. */
    List<Map.Entry<String, String>> check() throws IOException {
        List<String> command = new ArrayList<>(List.of(binaries.orElseThrow().tool("postgres").toString(),
                "-D", staging.toString()));
        command.addAll(settings.postgresArgs());
        command.addAll(List.of("-C", "port"));
        ProcessBuilder builder = new ProcessBuilder(privileges.asTargetUser(command)).redirectErrorStream(true);
        builder.environment().keySet().removeIf(Settings::isSecretVariable);
        Process process = builder.start();
        String output = Masking.masked(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return List.of(Map.entry("configuration", "postgres -C did not answer within 30 s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking the configuration", e);
        }
        if (process.exitValue() == 0) {
            return List.of();
        }
        List<Map.Entry<String, String>> problems = new ArrayList<>();
        for (String line : output.split("\n")) {
            String message = line.replaceFirst("^.*?\\b(LOG|FATAL|ERROR|DETAIL|HINT):\\s+", "$1: ").trim();
            if (message.isEmpty() || message.contains("skipping missing configuration file")) {
                continue;
            }
            String mapped = toSource(message);
            problems.add(Map.entry(subject(mapped), mapped));
        }
        return problems.isEmpty() ? List.of(Map.entry("configuration", "postgres -C failed: " + output.trim())) : problems;
    }

    private String subject(String message) {
        if (message.contains(settings.configDir() + "/")) {
            return "CONFIG_DIR";
        }
        String userConf = pgdata().resolve("postgresql.conf").toString();
        if (message.contains("\"" + userConf + "\"")) {
            return userConf;
        }
        return settings.postgresArgs().isEmpty() ? "configuration" : "configuration (or postgres arguments on the command line)";
    }

    /** Rewrites staging paths and line numbers into the files they come from. */
    private String toSource(String message) {
        String s = staging.toString();
        Matcher m = Pattern.compile("\"" + Pattern.quote(s + "/" + ConfigRenderer.OWNED) + "\" line (\\d+)").matcher(message);
        String out = message;
        if (m.find()) {
            int line = Integer.parseInt(m.group(1));
            for (Section section : rendering.sections()) {
                if (line >= section.firstLine() && line < section.firstLine() + section.lines()) {
                    out = m.replaceFirst(Matcher.quoteReplacement("\"" + section.source() + "\" line "
                            + (line - section.firstLine() + 1)));
                    break;
                }
            }
        }
        return out.replace(s + "/", pgdata() + "/");
    }

    /** Every staged file's name and content, to tell whether a rendering was already checked. */
    String stagedFiles() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(staging)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                all.append(staging.relativize(p)).append('\0').append(Files.readString(p, StandardCharsets.UTF_8)).append('\0');
            }
        }
        return all.toString();
    }

    /** Removes the staging directory. Idempotent. */
    synchronized void cleanup() throws IOException {
        if (staging == null) {
            return;
        }
        Trees.delete(staging);
        staging = null;
    }
}
