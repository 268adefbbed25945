package dev.pgentrypoint.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyValuesTest {

    @Test
    void joinsPairsInOrder() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("state", "RUNNING");
        facts.put("previous", "STARTING");
        facts.put("mode", "direct");
        assertEquals("state=RUNNING previous=STARTING mode=direct", KeyValues.format(facts));
    }

    @Test
    void quotesValuesThatWouldBeAmbiguous() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("a", "two words");
        facts.put("b", "");
        facts.put("c", "say \"hi\"");
        facts.put("d", "x=y");
        facts.put("e", "line\nbreak");
        facts.put("f", "back\\slash");
        facts.put("g", "/var/lib/postgresql/data");
        assertEquals("a=\"two words\" b=\"\" c=\"say \\\"hi\\\"\" d=\"x=y\" e=\"line\\nbreak\" f=\"back\\\\slash\""
            + " g=/var/lib/postgresql/data", KeyValues.format(facts));
    }

    @Test
    void nullValuesAndEmptyMaps() {
        Map<String, String> facts = new HashMap<>();
        facts.put("k", null);
        assertEquals("k=\"\"", KeyValues.format(facts));
        assertEquals("", KeyValues.format(Map.of()));
    }
}
