package dev.pgentrypoint.logging;

import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/** Renders facts as {@code key=value} pairs for log lines. */
public final class KeyValues {

    private static final Pattern NEEDS_QUOTES = Pattern.compile("[\\s\"\\\\=]|^$");

    private KeyValues() {
    }

    /**
     * Joins the entries as {@code k=v} separated by single spaces, in iteration order. A value that
     * is empty or contains whitespace, a double quote, a backslash or {@code =} is written as a
     * double-quoted string with JSON escapes; a {@code null} value is written as {@code ""}.
     */
    public static String format(Map<String, String> facts) {
        StringJoiner line = new StringJoiner(" ");
        facts.forEach((key, value) -> line.add(key + "=" + value(value)));
        return line.toString();
    }

    private static String value(String value) {
        String text = value == null ? "" : value;
        return NEEDS_QUOTES.matcher(text).find() ? JsonText.quote(text) : text;
    }
}
