package dev.pgentrypoint.collation;

import java.util.List;

/**
 * One database whose recorded collation version differs from what the libraries report now, with the
 * commands that fix it: rebuild the indexes that depend on the collation, then record the new version.
 */
public record Drift(String database, String recorded, String actual) {
    /** The commands to run, connected to the database, in this order. */
    public List<String> fixes() {
        String db = identifier(database);
        return List.of("REINDEX DATABASE " + db, "ALTER DATABASE " + db + " REFRESH COLLATION VERSION");
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
