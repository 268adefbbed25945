package dev.pgentrypoint.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders and parses the small JSON documents the entrypoint writes (state file, log lines).
 *
 * <p>Rendering supports {@code null}, strings (anything else unknown is rendered via
 * {@link String#valueOf}), numbers, booleans, maps (keys via {@code String.valueOf}) and
 * iterables. Parsing supports the full JSON grammar; numbers become {@link Long} when integral
 * and in range, {@link Double} otherwise; objects
 * and arrays come back as unmodifiable, order-preserving maps and lists.
 */
public final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** Returns {@code value} as a JSON string literal, including the surrounding quotes. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        appendQuoted(out, value);
        return out.toString();
    }

    /** Renders {@code fields} as a JSON object, in the map's iteration order. */
    public static String object(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder();
        appendValue(out, fields);
        return out.toString();
    }

    /**
     * Parses {@code text} as a JSON object.
     *
     * @throws IllegalArgumentException if {@code text} is not exactly one well-formed JSON object
     */
    public static Map<String, Object> parseObject(String text) {
        Parser parser = new Parser(text);
        parser.skipWhitespace();
        Map<String, Object> result = parser.object();
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("trailing characters");
        }
        return result;
    }

    private static void appendValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                appendQuoted(out, String.valueOf(entry.getKey()));
                out.append(':');
                appendValue(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof Iterable<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                appendValue(out, item);
            }
            out.append(']');
        } else {
            appendQuoted(out, String.valueOf(value));
        }
    }

    private static void appendQuoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters must be escaped; U+2028/2029 and lone surrogates are
                    // escaped too so the output is safe for any consumer and always valid UTF-8.
                    boolean loneSurrogate = Character.isSurrogate(c) && !isPairedSurrogate(value, i);
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate) {
                        out.append("\\u")
                            .append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                            .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isPairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Recursive-descent parser over one string. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object value() {
            skipWhitespace();
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        Map<String, Object> object() {
            expect('{');
            Map<String, Object> result = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(result);
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                result.put(key, value());
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return Collections.unmodifiableMap(result);
                }
            }
        }

        private List<Object> array() {
            expect('[');
            List<Object> result = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(result);
            }
            while (true) {
                result.add(value());
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return Collections.unmodifiableList(result);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                } else if (c == '\\') {
                    out.append(escape());
                } else if (c < 0x20) {
                    throw error("unescaped control character in string");
                } else {
                    out.append(c);
                }
            }
        }

        private char escape() {
            if (pos >= text.length()) {
                throw error("unterminated escape");
            }
            char c = text.charAt(pos++);
            return switch (c) {
                case '"', '\\', '/' -> c;
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("truncated unicode escape");
                    }
                    try {
                        char decoded = (char) Integer.parseInt(text.substring(pos, pos + 4), 16);
                        pos += 4;
                        yield decoded;
                    } catch (NumberFormatException e) {
                        throw error("invalid unicode escape");
                    }
                }
                default -> throw error("invalid escape \\" + c);
            };
        }

        private Object number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String token = text.substring(start, pos);
            if (!token.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
                pos = start;
                throw error("unexpected character");
            }
            if (token.matches("-?\\d+")) {
                try {
                    return Long.parseLong(token);
                } catch (NumberFormatException e) {
                    return Double.parseDouble(token);
                }
            }
            return Double.parseDouble(token);
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected character");
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipWhitespace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("invalid JSON at position " + pos + ": " + problem);
        }
    }
}
