package dev.pgentrypoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ConfigChangeTest {
    @TempDir
    Path dir;

    private final ConfigChange changes = new ConfigChange(Clock.fixed(Instant.parse("2026-12-02T08:00:00Z"), ZoneOffset.UTC));
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("pg-entrypoint.config"),
            (Logger) LoggerFactory.getLogger("pg-entrypoint.audit"));
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        loggers.forEach(l -> l.addAppender(logged));
    }

    @AfterEach
    void releaseLog() {
        loggers.forEach(l -> l.detachAppender(logged));
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aChangeKeepsThePreviousVersionTheModeAndLogsTheLines() throws IOException {
        Path file = Files.writeString(dir.resolve("pg_hba.conf"), "local all all trust\nhost all all 10.0.0.0/8 reject\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        Optional<Path> kept = changes.write(file, "local all all trust\nhost all all all scram-sha-256\n",
                ConfigChange.Keep.TIMESTAMPED, "test");

        assertEquals(Optional.of(dir.resolve("pg_hba.conf.pg-entrypoint-20261202T080000Z.bak")), kept);
        assertEquals("local all all trust\nhost all all 10.0.0.0/8 reject\n", Files.readString(kept.get()));
        assertEquals("local all all trust\nhost all all all scram-sha-256\n", Files.readString(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<String> lines = lines();
        assertTrue(lines.get(0).contains("action=config-file-changed") && lines.get(0).contains("removed=1")
                && lines.get(0).contains("added=1") && lines.get(0).contains("previous=" + kept.get()), lines::toString);
        assertEquals(List.of("pg_hba.conf - host all all 10.0.0.0/8 reject", "pg_hba.conf + host all all all scram-sha-256"),
                lines.subList(1, 3));

        Optional<Path> second = changes.write(file, "x = 1\n", ConfigChange.Keep.TIMESTAMPED, "test");
        assertEquals(Optional.of(dir.resolve("pg_hba.conf.pg-entrypoint-20261202T080000Z-2.bak")), second,
                "an earlier copy is never overwritten");
    }

    @Test
    void sameContentChangesNothingAndLogsNothing() throws IOException {
        Path file = Files.writeString(dir.resolve("postgresql.conf"), "a = 1\n");
        assertEquals(Optional.empty(), changes.write(file, "a = 1\n", ConfigChange.Keep.TIMESTAMPED, "test"));
        assertEquals(List.of(), lines());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void ownedFilesKeepOneGenerationAndSecretsAreMasked() throws IOException {
        Path file = dir.resolve("pg-entrypoint.conf");
        assertEquals(Optional.empty(), changes.write(file, "a = 1\n", ConfigChange.Keep.PREVIOUS, "test"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        changes.write(file, "primary_conninfo = 'host=x password=secret'\n", ConfigChange.Keep.PREVIOUS, "test");
        changes.write(file, "b = 2\n", ConfigChange.Keep.PREVIOUS, "test");
        assertEquals("primary_conninfo = 'host=x password=secret'\n", Files.readString(dir.resolve("pg-entrypoint.conf.previous")));
        assertFalse(String.join("\n", lines()).contains("secret"), lines()::toString);
    }

    @Test
    void diffFindsTheLinesAddedAndRemoved() {
        LineDiff d = LineDiff.of("a\nb\nc\nd\n", "a\nc\nd\ne\n");
        assertEquals(List.of("b"), d.removed());
        assertEquals(List.of("e"), d.added());
        assertTrue(LineDiff.of("a\n", "a\n").isEmpty());
        assertEquals(List.of("x", "y"), LineDiff.of("", "x\ny\n").added());
    }
}
