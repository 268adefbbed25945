package dev.pgentrypoint.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.json.TestJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void quoteEscapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", JsonText.quote("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f\"", JsonText.quote("\n\r\t\b\f\u0000\u001f\u007f"));
    }

    @Test
    void quoteKeepsUnicodeButEscapesLineSeparatorsAndLoneSurrogates() {
        assertEquals("\"é ü 😀 /\"", JsonText.quote("é ü 😀 /"));
        assertEquals("\"\\u2028\\u2029\"", JsonText.quote("\u2028\u2029"));
        assertEquals("\"\\ud800x\\udc00\"", JsonText.quote("\ud800x\udc00"));
    }

    @Test
    void aLineWithALoneSurrogateIsStillValidUtf8() {
        String line = JsonText.object(Map.of("msg", "😀 and a lone \ud800"));
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        assertEquals(line, new String(utf8, StandardCharsets.UTF_8), "no character was lost in UTF-8");
        assertEquals("😀 and a lone \ud800", TestJson.parseObject(line).get("msg"));
    }

    @Test
    void objectRendersStringFieldsInOrderAndNullAsNull() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("s", "x");
        fields.put("k\"ey", "RUNNABLE");
        fields.put("z", null);
        fields.put("e", "");
        assertEquals("{\"s\":\"x\",\"k\\\"ey\":\"RUNNABLE\",\"z\":null,\"e\":\"\"}", JsonText.object(fields));
    }

    @Test
    void aJsonReaderReadsBackWhatObjectWrites() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("text", "quote\" backslash\\ nl\n ctl\u0001 é 😀 \u2028");
        fields.put("empty", "");
        fields.put("nothing", null);
        String line = JsonText.object(fields);
        assertFalse(line.contains("\n"), line);
        assertEquals(fields, TestJson.parseObject(line));
        assertTrue(line.startsWith("{\"text\":"), line);
    }
}
