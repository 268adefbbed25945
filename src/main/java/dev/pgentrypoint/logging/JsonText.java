package dev.pgentrypoint.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON text for log lines, written with Jackson's streaming generator (jackson-core only, so the
 * logging set-up does not initialize a data-binding mapper). Besides JSON's own escapes, DEL, U+2028
 * and U+2029 are escaped, and when a text holds a lone surrogate its surrogates are too, so a line
 * is one line for every reader and always valid UTF-8, whatever a child process printed.
 */
final class JsonText {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final LineSafeEscapes ESCAPES = new LineSafeEscapes(false);
    private static final LineSafeEscapes ESCAPES_WITH_SURROGATES = new LineSafeEscapes(true);

    private JsonText() {
    }

    /** {@code value} as a JSON string literal, quotes included. */
    static String quote(String value) {
        return write(hasLoneSurrogate(value), generator -> generator.writeString(value));
    }

    /** A JSON object of string fields, in the map's order; a null value is written as null. */
    static String object(Map<String, String> fields) {
        boolean lone = fields.entrySet().stream().anyMatch(f -> hasLoneSurrogate(f.getKey()) || hasLoneSurrogate(f.getValue()));
        return write(lone, generator -> {
            generator.writeStartObject();
            for (Map.Entry<String, String> field : fields.entrySet()) {
                generator.writeStringField(field.getKey(), field.getValue());
            }
            generator.writeEndObject();
        });
    }

    private interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    private static String write(boolean escapeSurrogates, Body body) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.setCharacterEscapes(escapeSurrogates ? ESCAPES_WITH_SURROGATES : ESCAPES);
            body.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static boolean hasLoneSurrogate(String text) {
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** JSON's escapes, lower-case {@code \\u00XX} for control characters, and the line-safety escapes above. */
    private static final class LineSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;
        private final boolean surrogates;

        LineSafeEscapes(boolean surrogates) {
            this.surrogates = surrogates;
            ascii = CharacterEscapes.standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if (ascii[c] == CharacterEscapes.ESCAPE_STANDARD) {
                    ascii[c] = CharacterEscapes.ESCAPE_CUSTOM;
                }
            }
            ascii[0x7f] = CharacterEscapes.ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 0x20 || ch == 0x7f || ch == 0x2028 || ch == 0x2029 || surrogates && Character.isSurrogate((char) ch)) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
