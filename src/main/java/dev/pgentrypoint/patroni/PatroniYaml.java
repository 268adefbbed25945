package dev.pgentrypoint.patroni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;

/**
 * Patroni configuration as YAML: parsing a user's document, the deep merge Patroni itself applies to
 * the files of a configuration directory, rendering, and masking of secrets for display.
 */
final class PatroniYaml {
    static final String MASK = "********";
    /** Plain strings a YAML 1.1 reader (Patroni's PyYAML) would take for booleans or null; they get quotes. */
    private static final Set<String> YAML11_WORDS = Set.of("y", "n", "yes", "no", "true", "false", "on", "off",
            "null", "~");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./-]*");

    private PatroniYaml() {
    }

    /**
     * Parses a document that must be a mapping; an empty document is an empty mapping.
     *
     * @throws IllegalArgumentException with the parser's line and column, or when it is not a mapping
     */
    static Map<String, Object> parse(String text) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("is not valid YAML: " + e.getMessage().replace('\n', ' '), e);
        }
        if (document == null) {
            return new LinkedHashMap<>();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("must be a YAML mapping (key: value), not a "
                    + document.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        return copy(map);
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

    /** A copy in which every value under a key naming a password ({@code password}, {@code *_password}) or a token is masked. */
    static Map<String, Object> masked(Map<String, Object> tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        tree.forEach((key, value) -> out.put(key, isSecretKey(key) && value != null ? MASK : maskedValue(value)));
        return out;
    }

    private static Object maskedValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return masked(copy(map));
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(maskedValue(v)));
            return out;
        }
        return value;
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("password") || k.endsWith("_password") || k.equals("token");
    }

    /** Block-style YAML that Patroni's YAML 1.1 reader reads back with the same types. */
    static String dump(Map<String, Object> tree) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).build();
        return new Dump(settings, new Representer(settings)).dumpToString(tree);
    }

    private static final class Representer extends StandardRepresenter {
        Representer(DumpSettings settings) {
            super(settings);
            representers.put(String.class, data -> {
                String s = (String) data;
                boolean plain = PLAIN.matcher(s).matches() && !YAML11_WORDS.contains(s.toLowerCase(Locale.ROOT));
                return representScalar(Tag.STR, s, plain ? ScalarStyle.PLAIN : ScalarStyle.DOUBLE_QUOTED);
            });
        }
    }

    private static Map<String, Object> copy(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> m ? copy(m) : v));
        return out;
    }
}
