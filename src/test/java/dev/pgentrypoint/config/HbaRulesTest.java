package dev.pgentrypoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HbaRulesTest {

    private static List<String> rules(String generated) {
        return generated.lines().filter(l -> !l.startsWith("#")).map(l -> String.join(" ", l.trim().split("\\s+")))
                .toList();
    }

    @Test
    void initialRulesHaveNoHostReplicationRule() {
        String hba = HbaRules.initial("scram-sha-256");
        assertEquals(List.of("local all all trust", "local replication all trust",
                "host all all all scram-sha-256"), rules(hba));
        assertEquals(List.of(), HbaRules.check(hba));
        assertFalse(HbaRules.initial("trust").contains("scram"));
    }

    @Test
    void patroniRulesAddReplicationForItsReplicas() {
        String hba = HbaRules.patroni("trust");
        assertEquals(List.of("local all all trust", "local replication all trust",
                "host all all all trust", "host replication all all trust"), rules(hba));
        assertEquals(List.of(), HbaRules.check(hba));
    }

    @Test
    void rulesForOtherHostsAreToldFromLoopbackOnes() {
        String initdb = "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
                + "local replication all trust\nhost replication all 127.0.0.1/32 trust\n";
        assertFalse(HbaRules.allowsRemote(initdb));
        assertTrue(HbaRules.allowsRemote(initdb + HbaRules.officialLine("scram-sha-256")));
        assertTrue(HbaRules.allowsRemote("hostssl all all 10.0.0.0/8 cert # x\n"));
        assertFalse(HbaRules.allowsRemote("# host all all all trust\n"));
    }

    @Test
    void validRulesPass() {
        String hba = """
                # TYPE  DATABASE  USER  ADDRESS  METHOD
                local   all       all            peer
                local   all       postgres       peer map=admins   # trailing comment

                host    all       all   127.0.0.1/32      scram-sha-256
                host    app       bob   10.0.0.0  255.0.0.0  md5
                host    all       all   ::1/128  trust
                host    all       all   samenet  scram-sha-256
                hostssl all       all   0.0.0.0/0 cert clientcert=verify-full
                hostnossl all     all   all      reject
                \thost\tall\tall\t.example.com\tldap ldapserver=ldap.example.com
                include_if_exists extra.conf
                """;
        assertEquals(List.of(), HbaRules.check(hba));
    }

    @Test
    void unknownConnectionType() {
        List<String> problems = HbaRules.check("local all all trust\n# ok\nhosts all all all md5\n");
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("line 3: unknown connection type 'hosts'"), problems.get(0));
        assertTrue(problems.get(0).endsWith(" in \"hosts all all all md5\""), problems.get(0));
    }

    @Test
    void unknownMethod() {
        List<String> problems = HbaRules.check("\n\nhost all all 10.0.0.0/8 scram\n");
        assertEquals(List.of("line 3: unknown authentication method 'scram' in \"host all all 10.0.0.0/8 scram\""),
                problems);
    }

    @Test
    void unknownMethodAfterIpAndMask() {
        List<String> problems = HbaRules.check("host all all 192.168.0.0 255.255.0.0 scram\n");
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("line 1: unknown authentication method 'scram'"), problems.get(0));
    }

    @Test
    void tooFewFields() {
        List<String> problems = HbaRules.check("local all all trust\nlocal all\nhost all all md5\n");
        assertEquals(2, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("line 2: too few fields (a local rule needs 4)"), problems.get(0));
        assertTrue(problems.get(1).startsWith("line 3: too few fields (a host rule needs 5)"), problems.get(1));
    }

    @Test
    void ipWithMaskButNoMethod() {
        List<String> problems = HbaRules.check("host all all 10.0.0.0 255.0.0.0\n");
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("line 1: "), problems.get(0));
    }

    @Test
    void includeTakesOneFile() {
        List<String> problems = HbaRules.check("include a.conf b.conf\n");
        assertEquals(List.of("line 1: an include takes exactly one file name in \"include a.conf b.conf\""), problems);
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        List<String> problems = HbaRules.check("bad\nlocal all all trust\nhost all all all nope\n\nlocal x\n");
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("line 1: "));
        assertTrue(problems.get(1).startsWith("line 3: "));
        assertTrue(problems.get(2).startsWith("line 5: "));
    }

    @Test
    void aHashInsideQuotesIsNotAComment() {
        assertEquals(List.of(), HbaRules.check("host \"db#1\" all all md5 # comment\n"));
    }
}
