package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's class archive (docs/performance.md, "What makes these numbers"): a copy makes its
 * own before its first start and maps it from then on; with Java 25 and later it is an AOT cache.
 */
class ClassArchiveIT {
    @TempDir
    Path tmp;

    @Test
    void aCopiedDistributionMakesItsArchiveOnceAndMapsItFromThenOn() throws Exception {
        Path dist = EntrypointProcess.copyDistribution(EntrypointProcess.DIST, tmp.resolve("first"));
        Run made = dryRun(dist, Map.of());
        assertEquals(0, made.code(), made.output());
        assertTrue(made.output().contains("made the class archive " + dist.resolve("lib/pg-entrypoint.jsa")
                + " for this directory"), made.output());
        assertEquals(dist.toString(), Files.readString(dist.resolve("lib/pg-entrypoint.jsa.home")).strip());

        Run mapped = dryRun(dist, Map.of());
        assertEquals(0, mapped.code(), mapped.output());
        assertFalse(mapped.output().contains("made the class archive"), mapped.output());
        assertTrue(mapped.archivedClasses() > 2000, "classes from the archive: " + mapped.archivedClasses());

        // copied on: the archive names the first directory, so the copy makes its own
        Path second = EntrypointProcess.copyDistribution(dist, tmp.resolve("second"));
        Run again = dryRun(second, Map.of());
        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().contains("made the class archive " + second.resolve("lib/pg-entrypoint.jsa")), again.output());
        assertEquals(second.toString(), Files.readString(second.resolve("lib/pg-entrypoint.jsa.home")).strip());
    }

    @Test
    void withJava25OrLaterTheArchiveIsAnAotCacheMadeForThatJava() throws Exception {
        Optional<Path> jdk = newJdk();
        assumeTrue(jdk.isPresent(), "no JDK 25 or later under /usr/lib/jvm");
        String version = javaVersion(jdk.get());
        Path dist = EntrypointProcess.copyDistribution(EntrypointProcess.DIST, tmp.resolve("aot"));
        Map<String, String> env = Map.of("JAVA_HOME", jdk.get().toString());

        Run made = dryRun(dist, env);
        assertEquals(0, made.code(), made.output());
        assertTrue(made.output().contains("made the class archive " + dist.resolve("lib/pg-entrypoint.aot")), made.output());
        assertEquals(dist + " java " + version, Files.readString(dist.resolve("lib/pg-entrypoint.aot.home")).strip());

        Run mapped = dryRun(dist, env);
        assertEquals(0, mapped.code(), mapped.output());
        assertFalse(mapped.output().contains("made the class archive"), mapped.output());
        assertTrue(mapped.archivedClasses() > 2000, "classes from the AOT cache: " + mapped.archivedClasses());

        // the JVM the build made its AppCDS archive with still finds that one, untouched
        Run java17 = dryRun(dist, Map.of());
        assertEquals(0, java17.code(), java17.output());
        assertTrue(java17.output().contains("made the class archive " + dist.resolve("lib/pg-entrypoint.jsa")), java17.output());
        assertTrue(Files.size(dist.resolve("lib/pg-entrypoint.aot")) > 0);
    }

    record Run(int code, String output, long archivedClasses) {
    }

    /** A DRY_RUN of the distribution in {@code dist} over scratch directories; counts the classes the JVM took from an archive. */
    private Run dryRun(Path dist, Map<String, String> extra) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory(tmp, "run");
        Path classes = scratch.resolve("classes.log");
        List<String> command = List.of(dist.resolve("bin/pg-entrypoint").toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", scratch.toString());
        env.put("DRY_RUN", "1");
        env.put("POSTGRES_PASSWORD", "class-archive-test");
        env.put("PGDATA", scratch.resolve("data").toString());
        env.put("STATE_FILE", scratch.resolve("state.json").toString());
        env.put("LOCK_FILE", scratch.resolve("lock").toString());
        env.put("PG_SOCKET_DIR", scratch.resolve("run").toString());
        env.put("JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        env.putAll(extra);
        Process p = pb.start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the dry run did not end within 120 s: " + output);
        }
        long archived = 0;
        if (Files.exists(classes)) {
            try (Stream<String> lines = Files.lines(classes)) {
                archived = lines.filter(l -> l.contains("source: shared objects file")).count();
            }
        }
        return new Run(p.exitValue(), output, archived);
    }

    /** A JDK of feature version 25 or later among those installed under /usr/lib/jvm. */
    private static Optional<Path> newJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")) && Files.isRegularFile(d.resolve("release")))
                    .filter(d -> feature(javaVersion(d)) >= 25).sorted().findFirst();
        }
    }

    private static String javaVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return line.substring("JAVA_VERSION=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // not a JDK we can read
        }
        return "";
    }

    private static int feature(String version) {
        String head = version.split("[.+-]", 2)[0];
        return head.matches("\\d+") ? Integer.parseInt(head) : 0;
    }
}
