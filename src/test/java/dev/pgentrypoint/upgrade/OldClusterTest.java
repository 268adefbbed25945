package dev.pgentrypoint.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OldClusterTest {
    /** What PostgreSQL 14's single-user backend printed here for the query. */
    static final String OUTPUT = """

            PostgreSQL stand-alone backend 14.15
            backend> \t 1: encoding\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t 2: lc_collate\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t----
            \t 1: encoding = "UTF8"\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t 2: lc_collate = "de_DE.UTF-8"\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t 3: lc_ctype = "de_DE.UTF-8"\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t 4: provider = "libc"\t(typeid = 25, len = -1, typmod = -1, byval = f)
            \t 5: provider_locale = ""\t(typeid = 25, len = -1, typmod = -1, byval = f)
            \t 6: checksums = "on"\t(typeid = 25, len = -1, typmod = -1, byval = f)
            \t 7: wal_segment_mb = "16"\t(typeid = 20, len = 8, typmod = -1, byval = t)
            \t 8: superuser = "admin"\t(typeid = 19, len = 64, typmod = -1, byval = f)
            \t----
            backend>\s
            """;

    @Test
    void parsesTheSingleUserPrintout() {
        OldCluster old = OldCluster.parse(OUTPUT);
        assertEquals(new OldCluster("UTF8", "de_DE.UTF-8", "de_DE.UTF-8", "libc", "", true, 16, "admin"), old);
        assertEquals(List.of("--encoding=UTF8", "--lc-collate=de_DE.UTF-8", "--lc-ctype=de_DE.UTF-8", "--data-checksums",
                "--wal-segsize=16"), old.initdbOptions());
    }

    @Test
    void icuAndNoChecksumsBecomeTheirInitdbOptions() {
        OldCluster old = new OldCluster("UTF8", "C", "C", "icu", "und", false, 64, "postgres");
        assertEquals(List.of("--encoding=UTF8", "--lc-collate=C", "--lc-ctype=C", "--locale-provider=icu",
                "--icu-locale=und", "--wal-segsize=64"), old.initdbOptions());
    }

    @Test
    void aPrintoutWithoutTheColumnsIsAnErrorNamingTheMissingOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OldCluster.parse("FATAL:  database \"template1\" does not exist"));
        assertTrue(e.getMessage().contains("no encoding"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void theQueryFollowsTheLocaleColumnsOfEachMajor() {
        assertTrue(OldCluster.query(14).contains("'libc' AS provider"));
        assertFalse(OldCluster.query(14).contains("datlocprovider"));
        assertTrue(OldCluster.query(15).contains("daticulocale"));
        assertTrue(OldCluster.query(17).contains("datlocale"));
        assertTrue(OldCluster.query(14).endsWith(";\n"), "one line, ended, for the single-user backend");
        assertFalse(OldCluster.query(16).strip().contains("\n"));
    }
}
