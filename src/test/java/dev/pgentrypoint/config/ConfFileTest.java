package dev.pgentrypoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfFileTest {

    @Test
    void readsNamesValuesAndLinesInOrder() {
        List<ConfFile.Setting> settings = ConfFile.parse("""
                # a comment

                shared_buffers = 128MB   # trailing comment
                Work_Mem 4MB
                log_line_prefix = '%m [%p] it''s # not a comment'
                search_path='"$user", public'
                escaped = 'a\\'b\\n'
                include_dir 'conf.d'
                """);
        assertEquals(List.of(
                new ConfFile.Setting("shared_buffers", "128MB", 3),
                new ConfFile.Setting("work_mem", "4MB", 4),
                new ConfFile.Setting("log_line_prefix", "%m [%p] it's # not a comment", 5),
                new ConfFile.Setting("search_path", "\"$user\", public", 6),
                new ConfFile.Setting("escaped", "a'b\n", 7),
                new ConfFile.Setting("include_dir", "conf.d", 8)), settings);
        assertTrue(settings.get(5).isInclude());
    }

    @Test
    void namesTheLineThatDoesNotParse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfFile.parse("port = 5432\nshared_buffers = 'unterminated\n"));
        assertEquals("line 2: cannot read \"shared_buffers = 'unterminated\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfFile.parse("work_mem =\n"));
    }
}
