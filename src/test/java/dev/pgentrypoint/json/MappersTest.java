package dev.pgentrypoint.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MappersTest {
    record Nested(String s, int n, long l, boolean b, String z, Map<String, String> m, List<Object> a, Map<String, String> e) {
    }

    record Typed(String text, Long number) {
    }

    @Test
    void recordsRenderInComponentOrderOnOneLine() throws Exception {
        Nested value = new Nested("x", 4, 1234L, true, null, Map.of("mode", "direct"), List.of("p", 2), Map.of());
        assertEquals("{\"s\":\"x\",\"n\":4,\"l\":1234,\"b\":true,\"z\":null,\"m\":{\"mode\":\"direct\"},"
            + "\"a\":[\"p\",2],\"e\":{}}", Mappers.json().writeValueAsString(value));
    }

    @Test
    void readsBackWhatItWrites() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("text", "quote\" backslash\\ nl\n ctl\u0001 é 😀 \u2028");
        fields.put("int", 42);
        fields.put("neg", -7);
        fields.put("dbl", 1.5);
        fields.put("yes", true);
        fields.put("no", false);
        fields.put("nothing", null);
        fields.put("nested", Map.of("k", "v"));
        fields.put("list", Arrays.asList("a", 1, null));
        String json = Mappers.json().writeValueAsString(fields);
        assertEquals(fields, Mappers.json().readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {
        }));
    }

    @Test
    void acceptsWhitespaceAndEscapes() throws Exception {
        Map<String, Object> parsed = TestJson.parseObject(" {\n \"a\" : \"\\u00e9\\/\\t\" , \"b\" : [ ] , \"c\":1e3 }\n");
        assertEquals("é/\t", parsed.get("a"));
        assertEquals(List.of(), parsed.get("b"));
        assertEquals(1000.0, parsed.get("c"));
        assertEquals(new Typed("é/\t", null), Mappers.json().readValue("{\"text\":\"\\u00e9\\/\\t\",\"more\":[1]}", Typed.class));
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNotConverted() {
        for (String json : List.of("{\"text\":4}", "{\"text\":true}", "{\"text\":1.5}", "{\"number\":\"4\"}",
                "{\"number\":1.5}", "{\"number\":true}")) {
            assertThrows(JacksonException.class, () -> Mappers.json().readValue(json, Typed.class), json);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"text\"}", "{\"text\":}", "{\"text\":1,}", "{text:1}", "{\"text\":tru}",
        "{\"text\":\"x}", "{\"text\":\"\\q\"}", "{\"text\":\"\\u12\"}", "{\"number\":01}", "{\"text\":\"\u0001\"}",
        "{\"number\":-}", "{\"text\":[1 2]}"})
    void rejectsMalformedInput(String text) {
        assertThrows(JacksonException.class, () -> Mappers.json().readValue(text, Typed.class));
    }
}
