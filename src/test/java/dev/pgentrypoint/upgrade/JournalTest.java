package dev.pgentrypoint.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    private Journal sample() {
        return new Journal(Phase.PLANNED, "14", 15, dir.resolve("data"), dir.resolve("data.upgrade-x"),
                dir.resolve("data.pg14-x"), "link", "", "2026-12-02T00:00:00Z");
    }

    @Test
    void roundTripsEveryPhaseAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve(".data.pg-entrypoint-upgrade");
        for (Phase phase : Phase.values()) {
            Journal j = sample().at(phase).withSuperuser("admin");
            j.write(file);
            assertEquals(Optional.of(j), Journal.read(file));
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertEquals(dir.resolve("data.upgrade-x/new"), sample().newCluster());
    }

    @Test
    void noFileIsNoJournalAndABrokenOneIsAnError() throws IOException {
        Path file = dir.resolve("journal");
        assertEquals(Optional.empty(), Journal.read(file));
        Files.writeString(file, "phase=SIDEWAYS\n");
        IOException e = assertThrows(IOException.class, () -> Journal.read(file));
        assertTrue(e.getMessage().contains("not a valid upgrade journal"), e.getMessage());
    }

    @Test
    void onlyThePhasesBeforePgUpgradeFinishedRollBack() {
        for (Phase p : Phase.values()) {
            assertEquals(p.compareTo(Phase.UPGRADED) < 0, p.rollsBack(), p.name());
        }
        assertFalse(Phase.SWAPPED.rollsBack());
        assertEquals(7, Phase.DONE.code());
        assertEquals(1, Phase.PLANNED.code());
    }

    /** The metric's numbers are public: a phase added or moved must not renumber the others. */
    @Test
    void phaseCodesAreFrozen() {
        java.util.Map<String, Integer> codes = new java.util.LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            codes.put(p.name(), p.code());
        }
        assertEquals(java.util.Map.of("PLANNED", 1, "INITDB", 2, "CHECKED", 3, "UPGRADING", 4, "UPGRADED", 5,
                "SWAPPED", 6, "DONE", 7), codes);
    }
}
