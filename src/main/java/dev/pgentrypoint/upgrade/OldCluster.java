package dev.pgentrypoint.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the new cluster must share with the old one, read from the old cluster's template0 by the
 * old {@code postgres --single}: encoding, locale, locale provider, data checksums, WAL segment size
 * and the bootstrap superuser.
 */
record OldCluster(String encoding, String collate, String ctype, String provider, String providerLocale,
        boolean checksums, int walSegmentMb, String superuser) {

    private static final Pattern COLUMN = Pattern.compile("^\\s*\\d+:\\s+(\\w+) = \"(.*)\"\\s+\\(typeid", Pattern.MULTILINE);

    /** The query for the old major: the locale columns of pg_database changed in 15 and 17. */
    static String query(int oldMajor) {
        String provider;
        if (oldMajor >= 17) {
            provider = "CASE d.datlocprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS provider, "
                    + "coalesce(d.datlocale, '') AS provider_locale";
        } else if (oldMajor >= 15) {
            provider = "CASE d.datlocprovider WHEN 'i' THEN 'icu' ELSE 'libc' END AS provider, "
                    + "coalesce(d.daticulocale, '') AS provider_locale";
        } else {
            provider = "'libc' AS provider, '' AS provider_locale";
        }
        return "SELECT pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS lc_collate, d.datctype AS lc_ctype, "
                + provider + ", current_setting('data_checksums') AS checksums, "
                + "pg_size_bytes(current_setting('wal_segment_size')) / 1048576 AS wal_segment_mb, "
                + "(SELECT rolname FROM pg_authid WHERE oid = 10) AS superuser "
                + "FROM pg_database d WHERE d.datname = 'template0';\n";
    }

    /** Parses the single-user backend's printout of {@link #query(int)}. */
    static OldCluster parse(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = COLUMN.matcher(output);
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        for (String column : List.of("encoding", "lc_collate", "lc_ctype", "provider", "checksums", "wal_segment_mb",
                "superuser")) {
            if (!values.containsKey(column)) {
                throw new IllegalArgumentException("the old cluster's settings could not be read (no " + column
                        + " in the output of postgres --single): " + output.strip());
            }
        }
        return new OldCluster(values.get("encoding"), values.get("lc_collate"), values.get("lc_ctype"),
                values.get("provider"), values.getOrDefault("provider_locale", ""), "on".equals(values.get("checksums")),
                Integer.parseInt(values.get("wal_segment_mb")), values.get("superuser"));
    }

    /** initdb options that give the new cluster the same encoding, locale, checksums and WAL segment size. */
    List<String> initdbOptions() {
        List<String> args = new ArrayList<>(List.of("--encoding=" + encoding, "--lc-collate=" + collate,
                "--lc-ctype=" + ctype));
        if ("icu".equals(provider)) {
            args.addAll(List.of("--locale-provider=icu", "--icu-locale=" + providerLocale));
        } else if ("builtin".equals(provider)) {
            args.addAll(List.of("--locale-provider=builtin", "--builtin-locale=" + providerLocale));
        }
        if (checksums) {
            args.add("--data-checksums");
        }
        args.add("--wal-segsize=" + walSegmentMb);
        return args;
    }
}
