package dev.pgentrypoint.collation;

import java.util.List;

/**
 * A collation whose recorded version differs from what the libraries report now: a database's default
 * collation ({@code collation} empty, PostgreSQL 15 and later) or a collation created with CREATE
 * COLLATION in that database ({@code collation} its schema-qualified name). With the commands that
 * fix it: rebuild the indexes that depend on it, then record the new version.
 */
public record Drift(String database, String collation, String recorded, String actual) {
    /** A database's default collation. */
    public Drift(String database, String recorded, String actual) {
        this(database, "", recorded, actual);
    }

    /** Whether this is a database's default collation rather than a created one. */
    public boolean ofDatabase() {
        return collation.isEmpty();
    }

    /** The commands to run, connected to the database, in this order. */
    public List<String> fixes() {
        String db = identifier(database);
        return List.of("REINDEX DATABASE " + db, ofDatabase() ? "ALTER DATABASE " + db + " REFRESH COLLATION VERSION"
                : "ALTER COLLATION " + collation + " REFRESH VERSION");
    }

    /** What drifted, for people: {@code database "x"} or {@code collation s.c in database "x"}. */
    public String what() {
        return ofDatabase() ? "database " + identifier(database)
                : "collation " + collation + " in database " + identifier(database);
    }

    /** A version for people: {@code none} when there is none. */
    static String shown(String version) {
        return version == null || version.isEmpty() ? "none" : version;
    }

    /** An SQL identifier in double quotes. */
    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
