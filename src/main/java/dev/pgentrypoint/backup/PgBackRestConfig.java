package dev.pgentrypoint.backup;

import dev.pgentrypoint.config.ConfLine;
import dev.pgentrypoint.settings.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pgBackRest configuration file as data: sections ({@code global}, {@code global:<command>},
 * {@code <stanza>}, {@code <stanza>:<command>}) of options, each with one or more values (list
 * options such as {@code exclude} repeat). Parsed from the user's files, merged in order of
 * precedence and rendered into the one file every pgBackRest command of the entrypoint reads.
 */
final class PgBackRestConfig {
    static final String GLOBAL = "global";
    private static final Pattern SECTION = Pattern.compile("\\[([A-Za-z0-9_.:-]+)]");
    private static final Pattern OPTION = Pattern.compile("([a-z0-9-]+)\\s*=\\s*(.*)");
    /** Options whose value is a secret: repository cipher passes and storage keys. */
    private static final Pattern SECRET_OPTION = Pattern.compile("repo\\d+-(?:"
            + Settings.PGBACKREST_SECRET_OPTIONS.toLowerCase(Locale.ROOT).replace('_', '-') + ")");

    private final Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();

    /**
     * Parses the ini syntax pgBackRest reads: {@code [section]}, {@code option=value}, comments
     * starting with {@code #}; blank lines are ignored.
     *
     * @throws IllegalArgumentException naming the source and line of the first problem
     */
    static PgBackRestConfig parse(String text, String source) {
        PgBackRestConfig config = new PgBackRestConfig();
        String section = null;
        for (ConfLine confLine : ConfLine.of(text)) {
            String line = confLine.text();
            Matcher s = SECTION.matcher(line);
            Matcher o = OPTION.matcher(line);
            if (s.matches()) {
                section = s.group(1);
                config.sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
            } else if (o.matches() && section != null) {
                config.sections.get(section).computeIfAbsent(o.group(1), k -> new ArrayList<>()).add(o.group(2).strip());
            } else {
                throw new IllegalArgumentException(source + " line " + confLine.number() + ": '" + line + "' is "
                        + (section == null && o.matches() ? "outside of a [section]" : "neither a [section] nor option=value"));
            }
        }
        return config;
    }

    /** Options of {@code later} replace the same option of the same section here. */
    void merge(PgBackRestConfig later) {
        later.sections.forEach((section, options) -> {
            Map<String, List<String>> mine = sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
            options.forEach((key, values) -> mine.put(key, new ArrayList<>(values)));
        });
    }

    /** Sets an option in {@code targets} after removing it from every section, so nothing overrides it. */
    void override(String key, String value, List<String> targets) {
        sections.values().forEach(options -> options.remove(key));
        targets.forEach(section -> set(section, key, value));
    }

    void set(String section, String key, String value) {
        sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, new ArrayList<>(List.of(value)));
    }

    /** The value pgBackRest uses for {@code stanza}: its own section first, then {@code [global]}. */
    Optional<String> effective(String stanza, String key) {
        for (String section : List.of(stanza, GLOBAL)) {
            List<String> values = sections.getOrDefault(section, Map.of()).get(key);
            if (values != null && !values.isEmpty()) {
                return Optional.of(values.get(0));
            }
        }
        return Optional.empty();
    }

    /** Every option name set in any section. */
    Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        sections.values().forEach(options -> keys.addAll(options.keySet()));
        return keys;
    }

    /** The values of the secret options in any section, for {@link dev.pgentrypoint.logging.Masking}. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        sections.values().forEach(options -> options.forEach((key, values) -> {
            if (SECRET_OPTION.matcher(key).matches()) {
                secrets.addAll(values);
            }
        }));
        return secrets;
    }

    /** The sections that set {@code key}. */
    List<String> sectionsWith(String key) {
        return sections.entrySet().stream().filter(e -> e.getValue().containsKey(key)).map(Map.Entry::getKey).toList();
    }

    /** The file, {@code [global]} first, then the other sections in the order they were first seen. */
    String render(String header) {
        StringBuilder out = new StringBuilder(header);
        List<String> order = new ArrayList<>();
        if (sections.containsKey(GLOBAL)) {
            order.add(GLOBAL);
        }
        sections.keySet().stream().filter(s -> !s.equals(GLOBAL)).forEach(order::add);
        for (String section : order) {
            Map<String, List<String>> options = sections.get(section);
            if (options.isEmpty()) {
                continue;
            }
            out.append('\n').append('[').append(section).append("]\n");
            options.forEach((key, values) -> values.forEach(v -> out.append(key).append('=').append(v).append('\n')));
        }
        return out.toString();
    }
}
