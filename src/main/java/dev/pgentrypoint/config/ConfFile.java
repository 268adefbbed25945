package dev.pgentrypoint.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings of a postgresql.conf-style text ({@code name = value}, {@code #} comments,
 * quoted values with {@code ''} or backslash escapes) in file order. Include directives come back
 * as settings named {@code include}, {@code include_if_exists} or {@code include_dir}.
 */
public final class ConfFile {
    /** One setting: its name (lower case), its unquoted value and its 1-based line. */
    public record Setting(String name, String value, int line) {
        public boolean isInclude() {
            return name.startsWith("include");
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "\\s*([A-Za-z_][A-Za-z0-9_.$]*)\\s*=?\\s*('(?:[^'\\\\]|''|\\\\.)*'|[^\\s#']+)?\\s*(#.*)?");

    private ConfFile() {
    }

    /**
     * The settings of {@code text}.
     *
     * @throws IllegalArgumentException naming the line of the first that does not parse
     */
    public static List<Setting> parse(String text) {
        List<Setting> settings = new ArrayList<>();
        for (ConfLine line : ConfLine.of(text)) {
            Matcher m = LINE.matcher(line.text());
            if (!m.matches() || m.group(2) == null) {
                throw new IllegalArgumentException("line " + line.number() + ": cannot read \"" + line.text() + "\"");
            }
            settings.add(new Setting(m.group(1).toLowerCase(Locale.ROOT), unquote(m.group(2)), line.number()));
        }
        return settings;
    }

    static String unquote(String value) {
        if (!value.startsWith("'")) {
            return value;
        }
        String body = value.substring(1, value.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                out.append('\'');
                i++;
            } else if (c == '\\' && i + 1 < body.length()) {
                char next = body.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
