package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void secretValuesAreThePasswordsAndKeysGivenDirectlyOrAsFiles() throws Exception {
        Path cipher = Files.writeString(dir.resolve("cipher"), "from-a-file\n");
        Settings settings = new Settings(Map.of(
                "POSTGRES_PASSWORD", "pw",
                "PGBACKREST_REPO1_CIPHER_PASS_FILE", cipher.toString(),
                "PGBACKREST_REPO2_S3_KEY_SECRET", "s3-secret",
                "PATRONI_REPLICATION_PASSWORD", "repl",
                "PGBACKREST_STANZA", "main",
                "PGBACKREST_REPO1_PATH", "/repo",
                "PATRONI_POSTGRESQL_PGPASS", "/tmp/pgpass",
                "POSTGRES_USER", "app"), List.of(), Path.of("/opt/pg-entrypoint"));
        assertEquals(List.of("repl", "from-a-file", "s3-secret", "pw"), settings.secretValues());
    }

    @Test
    void isTrueReadsEveryBooleanVariableTheSameWay() {
        for (String yes : new String[] {"1", "true", "TRUE", "Yes", "on", " on ", "true\n"}) {
            assertTrue(Settings.isTrue(yes), yes);
        }
        for (String no : new String[] {null, "", "0", "false", "no", "off", "y", "2", "enabled"}) {
            assertFalse(Settings.isTrue(no), String.valueOf(no));
        }
    }

    @Test
    void aFlagIsFalseWhenUnset() {
        Settings settings = new Settings(Map.of("DEBUG", "yes"), List.of(), Path.of("/opt/pg-entrypoint"));
        assertTrue(settings.flag("DEBUG"));
        assertFalse(settings.flag("DRY_RUN"));
    }
}
