package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parses output of pgBackRest 2.45's {@code info --output=json}. */
class StanzaInfoTest {
    static final String MISSING = "[{\"archive\":[],\"backup\":[],\"cipher\":\"none\",\"db\":[],\"name\":\"db\",\"repo\":[{\"cipher\":"
            + "\"none\",\"key\":1,\"status\":{\"code\":1,\"message\":\"missing stanza path\"}}],\"status\":{\"code\":1,\"lock\":"
            + "{\"backup\":{\"held\":false}},\"message\":\"missing stanza path\"}}]";
    static final String NO_BACKUP = "[{\"archive\":[{\"database\":{\"id\":1,\"repo-key\":1},\"id\":\"15-1\",\"max\":null,"
            + "\"min\":null}],\"backup\":[],\"cipher\":\"none\",\"db\":[{\"id\":1,\"repo-key\":1,\"system-id\":7712567130296519007,"
            + "\"version\":\"15\"}],\"name\":\"db\",\"repo\":[{\"cipher\":\"none\",\"key\":1,\"status\":{\"code\":2,\"message\":"
            + "\"no valid backups\"}}],\"status\":{\"code\":2,\"lock\":{\"backup\":{\"held\":false}},\"message\":\"no valid backups\"}}]";
    static final String ONE_BACKUP = "[{\"archive\":[],\"backup\":[{\"label\":\"20261126-193932F\",\"type\":\"full\"}],"
            + "\"db\":[{\"id\":1,\"version\":\"14\"},{\"id\":2,\"version\":\"15\"}],\"name\":\"db\",\"status\":{\"code\":0,"
            + "\"message\":\"ok\"}}]";

    @Test
    void theBackupsAndRepositoriesOfAStanzaAreRecords() {
        StanzaInfo.Stanza s = StanzaInfo.stanza(BackupWatchTest.INFO, "db");
        StanzaInfo.BackupEntry b = s.backup().get(0);
        assertEquals(List.of("full", 1, 1796197595L, 23209624L), List.of(b.type(), b.repoKey(), b.stop(), b.size()));
        assertEquals(List.of(1, 0L, "ok"), List.of(s.repo().get(0).repoKey(), s.repo().get(0).code(),
                s.repo().get(0).status().message()));
        StanzaInfo.BackupEntry noStop = StanzaInfo.stanza(ONE_BACKUP, "db").backup().get(0);
        assertEquals("pgbackrest info: expected a number, got null",
                assertThrows(IllegalArgumentException.class, noStop::stop).getMessage());
    }

    @Test
    void aStanzaThatIsNotThereCanBeCreated() {
        StanzaInfo info = StanzaInfo.parse(MISSING, "db");
        assertTrue(info.creatable());
        assertFalse(info.exists());
        assertEquals("missing stanza path", info.message());
        assertEquals("", info.latestVersion());
    }

    @Test
    void versionsAndLabels() {
        StanzaInfo empty = StanzaInfo.parse(NO_BACKUP, "db");
        assertTrue(empty.exists());
        assertEquals(List.of(), empty.labels());
        StanzaInfo one = StanzaInfo.parse(ONE_BACKUP, "db");
        assertEquals(StanzaInfo.OK, one.code());
        assertEquals("15", one.latestVersion());
        assertEquals(List.of("20261126-193932F"), one.labels());
    }

    @Test
    void anotherStanzaOrNoJsonIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> StanzaInfo.parse(ONE_BACKUP, "other"));
        assertThrows(IllegalArgumentException.class, () -> StanzaInfo.parse("ERROR: [055]: unable to load", "db"));
    }
}
