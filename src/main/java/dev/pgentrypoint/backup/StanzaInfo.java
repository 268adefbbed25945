package dev.pgentrypoint.backup;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pgentrypoint.json.Mappers;
import java.util.List;

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

    /** One element of the list pgBackRest prints, with the fields read here. */
    record Stanza(String name, Status status, List<Db> db, List<BackupEntry> backup, List<Repo> repo) {
    }

    /** A stanza's or a repository's status. */
    record Status(Long code, String message) {
    }

    /** A PostgreSQL cluster the stanza has seen. */
    record Db(String version) {
    }

    /** One backup in a repository: its label and type, where it is, when it ended and how large its database is. */
    record BackupEntry(String label, String type, Location database, Times timestamp, Sizes info) {
        /** The key of the repository that holds it. */
        int repoKey() {
            return (int) required(database == null ? null : database.repoKey());
        }

        /** When it ended, in epoch seconds. */
        long stop() {
            return required(timestamp == null ? null : timestamp.stop());
        }

        /** The size of the database it holds, in bytes. */
        long size() {
            return required(info == null ? null : info.size());
        }
    }

    /** Where a backup is: {@code database.repo-key}. */
    record Location(@JsonProperty("repo-key") Long repoKey) {
    }

    /** When a backup ended: {@code timestamp.stop}. */
    record Times(Long stop) {
    }

    /** The size of a backup's database: {@code info.size}. */
    record Sizes(Long size) {
    }

    /** A repository of the stanza and whether pgBackRest could read it. */
    record Repo(Long key, Status status) {
        int repoKey() {
            return (int) required(key);
        }

        long code() {
            return required(status == null ? null : status.code());
        }
    }

    private static final TypeReference<List<Stanza>> STANZAS = new TypeReference<>() {
    };

    /**
     * Reads the stanza's entry.
     *
     * @throws IllegalArgumentException when the output is not pgBackRest's JSON or lacks the stanza
     */
    static StanzaInfo parse(String json, String stanza) {
        Stanza s = stanza(json, stanza);
        Status status = s.status() == null ? new Status(null, null) : s.status();
        List<String> versions = s.db() == null ? List.of() : s.db().stream().map(db -> String.valueOf(db.version())).toList();
        List<String> labels = s.backup() == null ? List.of() : s.backup().stream().map(b -> String.valueOf(b.label())).toList();
        return new StanzaInfo(status.code() == null ? 99 : status.code(), String.valueOf(status.message()), versions, labels);
    }

    /**
     * The entry of {@code stanza} in {@code pgbackrest info --output=json}.
     *
     * @throws IllegalArgumentException when the output is not pgBackRest's JSON or lacks the stanza
     */
    static Stanza stanza(String json, String stanza) {
        List<Stanza> stanzas;
        try {
            stanzas = Mappers.json().readValue(json.strip(), STANZAS);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("pgbackrest info did not return a list of stanzas: " + e.getOriginalMessage(), e);
        }
        for (Stanza s : stanzas == null ? List.<Stanza>of() : stanzas) {
            if (s != null && stanza.equals(s.name())) {
                return s;
            }
        }
        throw new IllegalArgumentException("pgbackrest info says nothing about stanza " + stanza);
    }

    private static long required(Long value) {
        if (value == null) {
            throw new IllegalArgumentException("pgbackrest info: expected a number, got null");
        }
        return value;
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
