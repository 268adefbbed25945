package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatroniYamlTest {

    @Test
    void mapsMergeUserScalarsWinUserListsReplaceNullRemoves() {
        Map<String, Object> generated = PatroniYaml.parse("""
                scope: generated
                bootstrap:
                  dcs: {ttl: 30, loop_wait: 10}
                postgresql:
                  parameters: {work_mem: 4MB, shared_buffers: 128MB}
                  pg_hba: [local all all trust, host all all all scram-sha-256]
                """);
        Map<String, Object> user = PatroniYaml.parse("""
                scope: mine
                bootstrap:
                  dcs: {ttl: 20}
                postgresql:
                  parameters: {shared_buffers: null, max_wal_senders: 5}
                  pg_hba: [hostssl all all all scram-sha-256]
                tags: {nofailover: true}
                """);
        Map<String, Object> merged = PatroniYaml.merge(generated, user);
        assertEquals("mine", merged.get("scope"));
        assertEquals(Map.of("ttl", 20, "loop_wait", 10), PatroniYaml.at(merged, "bootstrap", "dcs"));
        assertEquals(Map.of("work_mem", "4MB", "max_wal_senders", 5), PatroniYaml.at(merged, "postgresql", "parameters"));
        assertEquals(List.of("hostssl all all all scram-sha-256"), PatroniYaml.at(merged, "postgresql", "pg_hba"));
        assertEquals(true, PatroniYaml.at(merged, "tags", "nofailover"));
        assertEquals(2, ((Map<?, ?>) PatroniYaml.at(generated, "postgresql", "parameters")).size(), "the base is unchanged");
    }

    @Test
    void onlyMappingsAreConfigurations() {
        assertEquals(Map.of(), PatroniYaml.parse(""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PatroniYaml.parse("- a\n- b\n"))
                .getMessage().startsWith("must be a YAML mapping"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PatroniYaml.parse("scope: [unclosed\n"))
                .getMessage().startsWith("is not valid YAML"));
    }

    @Test
    void masksPasswordsAndTokensOnly() {
        Map<String, Object> masked = PatroniYaml.masked(PatroniYaml.parse("""
                postgresql:
                  authentication:
                    superuser: {username: postgres, password: s3cret}
                  parameters: {password_encryption: scram-sha-256}
                restapi: {keyfile_password: k3y}
                kubernetes: {token: t0ken}
                users: [{password: in-a-list}]
                """));
        String text = PatroniYaml.dump(masked);
        for (String secret : List.of("s3cret", "k3y", "t0ken", "in-a-list")) {
            assertFalse(text.contains(secret), secret + " shown in:\n" + text);
        }
        assertTrue(text.contains("password_encryption: scram-sha-256"), text);
        assertTrue(text.contains("username: postgres"), text);
    }

    @Test
    void dumpQuotesWhatPyYamlWouldReadAsAnotherType() {
        Map<String, Object> values = Map.of("a", "on", "b", "0777", "c", "127.0.0.1:8008", "d", "plain_value",
                "e", 30, "f", false, "g", "yes");
        String text = PatroniYaml.dump(values);
        assertTrue(text.contains("a: \"on\""), text);
        assertTrue(text.contains("b: \"0777\""), text);
        assertTrue(text.contains("c: \"127.0.0.1:8008\""), text);
        assertTrue(text.contains("d: plain_value"), text);
        assertTrue(text.contains("e: 30"), text);
        assertTrue(text.contains("f: false"), text);
        assertTrue(text.contains("g: \"yes\""), text);
        assertEquals(values, PatroniYaml.parse(text));
    }
}
