package dev.pgentrypoint.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void quoteEscapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", Json.quote("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f\"", Json.quote("\n\r\t\b\f\u0000\u001f\u007f"));
    }

    @Test
    void quoteKeepsUnicodeButEscapesLineSeparatorsAndLoneSurrogates() {
        assertEquals("\"é ü 😀 /\"", Json.quote("é ü 😀 /"));
        assertEquals("\"\\u2028\\u2029\"", Json.quote("\u2028\u2029"));
        assertEquals("\"\\ud800x\\udc00\"", Json.quote("\ud800x\udc00"));
    }

    @Test
    void objectRendersNestedValuesInOrder() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("s", "x");
        fields.put("n", 4);
        fields.put("l", 1234L);
        fields.put("b", true);
        fields.put("z", null);
        fields.put("m", Map.of("mode", "direct"));
        fields.put("a", List.of("p", 2));
        fields.put("e", Map.of());
        assertEquals("{\"s\":\"x\",\"n\":4,\"l\":1234,\"b\":true,\"z\":null,\"m\":{\"mode\":\"direct\"},"
            + "\"a\":[\"p\",2],\"e\":{}}", Json.object(fields));
    }

    @Test
    void objectRendersOtherValuesAsStrings() {
        assertEquals("{\"k\\\"ey\":\"RUNNABLE\"}", Json.object(Map.of("k\"ey", Thread.State.RUNNABLE)));
    }

    @Test
    void parseReadsBackWhatObjectWrites() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("text", "quote\" backslash\\ nl\n ctl\u0001 é 😀 \u2028");
        fields.put("int", 42L);
        fields.put("neg", -7L);
        fields.put("dbl", 1.5);
        fields.put("yes", true);
        fields.put("no", false);
        fields.put("nothing", null);
        fields.put("nested", Map.of("k", "v"));
        fields.put("list", Arrays.asList("a", 1L, null));
        assertEquals(fields, Json.parseObject(Json.object(fields)));
    }

    @Test
    void parseAcceptsWhitespaceAndEscapes() {
        Map<String, Object> parsed = Json.parseObject(" {\n \"a\" : \"\\u00e9\\/\\t\" , \"b\" : [ ] , \"c\":1e3 }\n");
        assertEquals("é/\t", parsed.get("a"));
        assertEquals(List.of(), parsed.get("b"));
        assertEquals(1000.0, parsed.get("c"));
    }

    @Test
    void parseKeepsHugeIntegersAsDoubles() {
        assertEquals(1e20, Json.parseObject("{\"n\":100000000000000000000}").get("n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{\"a\":tru}",
        "{\"a\":\"x}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":01}", "{\"a\":1} x", "{\"a\":\"\u0001\"}",
        "{\"a\":-}", "{\"a\":[1 2]}"})
    void parseRejectsMalformedInput(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(text));
        assertTrue(e.getMessage().startsWith("invalid JSON at position "), e.getMessage());
    }
}
