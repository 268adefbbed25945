package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatroniTest extends PatroniTestSupport {

    @Test
    void rendersTheLayersPrivatelyAndRemovesThemAgain() throws Exception {
        Files.writeString(dir.resolve("config/patroni.yml"), "tags: {nofailover: true}\n");
        Path run = Files.createDirectories(dir.resolve("sock/patroni"));
        Files.createDirectories(run.resolve("config"));
        Files.writeString(run.resolve("config/15-stale.yml"), "scope: stale\n");
        Patroni patroni = patroni();
        patroni.render();
        Path config = run.resolve("config");
        assertEquals(List.of("00-generated.yml", "10-user.yml", "90-environment.yml"),
                Files.list(config).map(p -> p.getFileName().toString()).sorted().toList(), "stale files are gone");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        for (String file : List.of("00-generated.yml", "10-user.yml", "90-environment.yml")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.resolve(file))));
        }
        assertTrue(Files.readString(config.resolve("90-environment.yml")).contains("password: replication-secret"));
        assertEquals(List.of(Path.of("/usr/bin/patroni").toString(), config.toString()), patroni.command());
        Files.writeString(run.resolve("pgpass"), "secret");
        patroni.cleanup();
        assertFalse(Files.exists(config));
        assertFalse(Files.exists(run.resolve("pgpass")));
        patroni.cleanup();
    }

    @Test
    void theDisplayedConfigurationMasksSecrets() throws Exception {
        String shown = patroni().effectiveForDisplay();
        assertFalse(shown.contains("super-secret") || shown.contains("replication-secret"), shown);
        assertTrue(shown.contains("scope: demo\nname: node1\netcd3:"), shown);
        assertTrue(String.join("\n", patroni().plan()).contains("wait up to 60 s (DCS_TIMEOUT) for etcd on etcd1:2379, etcd2:2379"));
    }

    @Test
    void theRestApiIsReachedOnLoopbackForAWildcardListen() throws Exception {
        assertEquals(URI.create("http://127.0.0.1:8008"), patroni().restApi());
        env.put("PATRONI_RESTAPI_LISTEN", "10.1.2.3:8009");
        assertEquals(URI.create("http://10.1.2.3:8009"), patroni().restApi());
        env.put("PATRONI_RESTAPI_LISTEN", ":8010");
        assertEquals(URI.create("http://127.0.0.1:8010"), patroni().restApi());
    }

    @Test
    void secretsStayOutOfPatronisEnvironment() {
        assertTrue(patroni().secretEnvironment().containsAll(List.of("POSTGRES_PASSWORD", "PATRONI_SUPERUSER_PASSWORD",
                "PATRONI_REPLICATION_PASSWORD", "PATRONI_RESTAPI_PASSWORD", "PATRONI_CONFIGURATION")));
        env.put("PGBACKREST_REPO1_CIPHER_PASS", "secret");
        assertTrue(patroni().secretEnvironment().contains("PGBACKREST_REPO1_CIPHER_PASS"), "pgBackRest reads the rendered file");
        assertTrue(patroni().postmasterPid().isEmpty());
        env.put("STARTUP_MODE", "direct");
        assertTrue(patroni().health().isEmpty());
    }
}
