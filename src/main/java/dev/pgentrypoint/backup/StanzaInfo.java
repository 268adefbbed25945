package dev.pgentrypoint.backup;

import dev.pgentrypoint.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code pgbackrest info --output=json} says about one stanza: its status (0 ok, 1 missing
 * stanza path, 2 no valid backups, 3 missing stanza data, others are errors), the PostgreSQL
 * versions it has seen, oldest first, and the labels of its backups.
 */
record StanzaInfo(long code, String message, List<String> versions, List<String> labels) {
    static final long OK = 0;
    static final long MISSING_STANZA_PATH = 1;
    static final long NO_VALID_BACKUPS = 2;
    static final long MISSING_STANZA_DATA = 3;

    /**
     * Reads the stanza's entry.
     *
     * @throws IllegalArgumentException when the output is not pgBackRest's JSON or lacks the stanza
     */
    static StanzaInfo parse(String json, String stanza) {
        Map<String, Object> root = Json.parseObject("{\"stanzas\":" + json.strip() + "}");
        if (!(root.get("stanzas") instanceof List<?> stanzas)) {
            throw new IllegalArgumentException("pgbackrest info did not return a list of stanzas");
        }
        for (Object entry : stanzas) {
            if (entry instanceof Map<?, ?> s && stanza.equals(s.get("name"))) {
                Map<?, ?> status = s.get("status") instanceof Map<?, ?> m ? m : Map.of();
                long code = status.get("code") instanceof Long c ? c : 99;
                List<String> versions = new ArrayList<>();
                if (s.get("db") instanceof List<?> dbs) {
                    dbs.forEach(db -> versions.add(String.valueOf(((Map<?, ?>) db).get("version"))));
                }
                List<String> labels = new ArrayList<>();
                if (s.get("backup") instanceof List<?> backups) {
                    backups.forEach(b -> labels.add(String.valueOf(((Map<?, ?>) b).get("label"))));
                }
                return new StanzaInfo(code, String.valueOf(status.get("message")), versions, labels);
            }
        }
        throw new IllegalArgumentException("pgbackrest info says nothing about stanza " + stanza);
    }

    /** Whether the stanza exists in the repository (it may have no backup yet). */
    boolean exists() {
        return code == OK || code == NO_VALID_BACKUPS;
    }

    /** Whether stanza-create can make it (nothing of it is in the repository). */
    boolean creatable() {
        return code == MISSING_STANZA_PATH || code == MISSING_STANZA_DATA;
    }

    /** The newest PostgreSQL version the stanza has seen, or empty. */
    String latestVersion() {
        return versions.isEmpty() ? "" : versions.get(versions.size() - 1);
    }
}
