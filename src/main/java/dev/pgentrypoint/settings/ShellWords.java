package dev.pgentrypoint.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Splits strings into words with POSIX shell quoting rules, without any expansion.
 *
 * <p>Used for settings such as {@code POSTGRES_INITDB_ARGS} that users write as shell words.
 * Nothing is expanded: {@code $VAR}, {@code `cmd`}, globs and {@code ~} stay literal.
 * Positions in error messages are 0-based character offsets into the input.
 */
public final class ShellWords {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellWords() {
    }

    /**
     * Splits {@code input} into words.
     *
     * <ul>
     *   <li>unquoted space, tab and newline separate words;</li>
     *   <li>single quotes preserve everything up to the closing quote literally;</li>
     *   <li>inside double quotes a backslash escapes only {@code $ ` " \} and newline
     *       (backslash-newline is removed); any other backslash stays literal;</li>
     *   <li>an unquoted backslash quotes the next character (backslash-newline is removed);</li>
     *   <li>adjacent quoted and unquoted parts join into one word; {@code ''} or {@code ""}
     *       alone yield an empty word.</li>
     * </ul>
     *
     * @return the words; empty for {@code null} or blank input
     * @throws IllegalArgumentException on an unterminated quote or a trailing lone backslash
     */
    public static List<String> split(String input) {
        List<String> words = new ArrayList<>();
        if (input == null) {
            return words;
        }
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int close = input.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated single quote starting at position " + i);
                }
                word.append(input, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                i = doubleQuoted(input, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("trailing backslash at position " + i);
                }
                char next = input.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the double-quoted part opening at {@code open}; returns the index after it. */
    private static int doubleQuoted(String input, int open, StringBuilder word) {
        int n = input.length();
        int i = open + 1;
        while (i < n) {
            char c = input.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n && "$`\"\\\n".indexOf(input.charAt(i + 1)) >= 0) {
                char next = input.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                }
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated double quote starting at position " + open);
    }

    /**
     * Renders {@code word} so that {@code split(quote(word))} returns exactly {@code [word]}.
     * Words made only of safe characters are returned as they are; anything else is wrapped
     * in single quotes (an embedded single quote becomes {@code '\''}).
     */
    public static String quote(String word) {
        Objects.requireNonNull(word, "word");
        if (SAFE.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
