package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PgBackRestConfigTest {
    @Test
    void parsesSectionsCommentsAndRepeatedOptions() {
        PgBackRestConfig c = PgBackRestConfig.parse("# comment\n[global]\nrepo1-path = /r\n\n[db]\nexclude=a\nexclude=b\n", "f");
        assertEquals(Optional.of("/r"), c.effective("db", "repo1-path"));
        assertEquals("[global]\nrepo1-path=/r\n\n[db]\nexclude=a\nexclude=b\n", c.render("").substring(1));
    }

    @Test
    void secretsAreTheValuesOfCipherPassesAndStorageKeysInAnySection() {
        PgBackRestConfig c = PgBackRestConfig.parse("[global]\nrepo1-cipher-pass=c1\nrepo1-path=/r\nrepo1-cipher-type=aes-256-cbc\n"
                + "[db]\nrepo2-s3-key=k2\nrepo2-s3-key-secret=s2\n", "f");
        assertEquals(List.of("c1", "k2", "s2"), c.secrets());
    }

    @Test
    void problemsNameTheSourceAndLine() {
        assertEquals("f line 1: 'repo1-path=/r' is outside of a [section]", assertThrows(IllegalArgumentException.class,
                () -> PgBackRestConfig.parse("repo1-path=/r\n", "f")).getMessage());
        assertEquals("f line 2: 'nonsense' is neither a [section] nor option=value", assertThrows(
                IllegalArgumentException.class, () -> PgBackRestConfig.parse("[global]\nnonsense\n", "f")).getMessage());
    }

    @Test
    void theStanzaSectionWinsOverGlobalAndOverrideRemovesEveryOtherValue() {
        PgBackRestConfig c = PgBackRestConfig.parse("[global]\nprocess-max=2\n[db]\nprocess-max=4\n", "f");
        assertEquals(Optional.of("4"), c.effective("db", "process-max"));
        assertEquals(Optional.of("2"), c.effective("other", "process-max"));
        c.override("process-max", "8", List.of(PgBackRestConfig.GLOBAL));
        assertEquals(Optional.of("8"), c.effective("db", "process-max"));
        assertEquals(List.of("global"), c.sectionsWith("process-max"));
    }

    @Test
    void aLaterFileReplacesTheSameOptionOfTheSameSection() {
        PgBackRestConfig c = PgBackRestConfig.parse("[global]\nexclude=a\nexclude=b\nlog-level-file=info\n", "1");
        c.merge(PgBackRestConfig.parse("[global]\nexclude=c\n[global:archive-push]\ncompress-level=3\n", "2"));
        assertEquals("\n[global]\nexclude=c\nlog-level-file=info\n\n[global:archive-push]\ncompress-level=3\n", c.render(""));
    }
}
