package dev.pgentrypoint.patroni;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.pgentrypoint.logging.Masking;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Patroni configuration as YAML, read and written with Jackson's YAML mapper: parsing a user's
 * document, the deep merge Patroni itself applies to the files of a configuration directory,
 * rendering, and the secrets it holds (masked for display by {@link Masking}).
 */
final class PatroniYaml {
    /** Plain strings a YAML 1.1 reader (Patroni's PyYAML) would take for booleans or null; they get quotes. */
    private static final Set<String> YAML11_WORDS = Set.of("y", "n", "yes", "no", "true", "false", "on", "off",
            "null", "~");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./-]*");
    private static final TypeReference<LinkedHashMap<String, Object>> TREE = new TypeReference<>() {
    };
    private static final YAMLMapper READER = new YAMLMapper();
    /** Block style, lists indented under their key, no document marker, strings quoted only when needed. */
    private static final YAMLMapper WRITER = YAMLMapper.builder(YAMLFactory.builder()
                    .stringQuotingChecker(new Yaml11Quoting()).build())
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private PatroniYaml() {
    }

    /**
     * Parses a document that must be a mapping; an empty document is an empty mapping.
     *
     * @throws IllegalArgumentException with the parser's line and column, or when it is not a mapping
     */
    static Map<String, Object> parse(String text) {
        JsonNode document;
        try {
            document = READER.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("is not valid YAML: " + e.getOriginalMessage().replace('\n', ' ')
                    + location(e), e);
        }
        if (document == null || document.isMissingNode() || document.isNull()) {
            return new LinkedHashMap<>();
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("must be a YAML mapping (key: value), not a "
                    + document.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return READER.convertValue(document, TREE);
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /**
     * {@code over} merged into a copy of {@code base} the way Patroni merges its configuration files:
     * mappings merge key by key, any other value of {@code over} (scalar or list) replaces the one of
     * {@code base}, and a null value removes the key.
     */
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> result = copy(base);
        over.forEach((key, value) -> {
            Object current = result.get(key);
            if (value == null) {
                result.remove(key);
            } else if (value instanceof Map<?, ?> overMap && current instanceof Map<?, ?> baseMap) {
                result.put(key, merge(copy(baseMap), copy(overMap)));
            } else {
                result.put(key, value instanceof Map<?, ?> m ? copy(m) : value);
            }
        });
        return result;
    }

    /** The value at a path of keys, or null. */
    static Object at(Map<String, Object> tree, String... path) {
        Object node = tree;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    /** The values under a key naming a password ({@code password}, {@code *_password}) or a token: Patroni's secrets. */
    static List<String> secrets(Map<String, Object> tree) {
        List<String> out = new ArrayList<>();
        tree.forEach((key, value) -> collectSecrets(value, isSecretKey(key), out));
        return out;
    }

    private static void collectSecrets(Object value, boolean secret, List<String> out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, v) -> collectSecrets(v, secret || isSecretKey(String.valueOf(key)), out));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collectSecrets(v, secret, out));
        } else if (secret && value != null) {
            out.add(String.valueOf(value));
        }
    }

    /** A copy in which every value is passed through {@link Masking} against the tree's {@link #secrets}. */
    static Map<String, Object> masked(Map<String, Object> tree) {
        List<String> secrets = secrets(tree);
        Map<String, Object> out = new LinkedHashMap<>();
        tree.forEach((key, value) -> out.put(key, maskedValue(value, secrets)));
        return out;
    }

    private static Object maskedValue(Object value, List<String> secrets) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, v) -> out.put(String.valueOf(key), maskedValue(v, secrets)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> maskedValue(v, secrets)).toList();
        }
        if (value == null) {
            return null;
        }
        String text = String.valueOf(value);
        String masked = Masking.mask(text, secrets);
        return masked.equals(text) ? value : masked;
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("password") || k.endsWith("_password") || k.equals("token");
    }

    /** Block-style YAML that Patroni's YAML 1.1 reader reads back with the same types. */
    static String dump(Map<String, Object> tree) {
        try {
            return WRITER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** A string stays plain only when PyYAML would read it back as the same string. */
    private static final class Yaml11Quoting extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean needToQuoteValue(String value) {
            return !PLAIN.matcher(value).matches() || YAML11_WORDS.contains(value.toLowerCase(Locale.ROOT));
        }
    }

    private static Map<String, Object> copy(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> m ? copy(m) : v));
        return out;
    }
}
