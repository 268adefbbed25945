package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

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
