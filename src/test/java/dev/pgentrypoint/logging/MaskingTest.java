package dev.pgentrypoint.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingTest {

    @Test
    void masksEveryOccurrenceOfEverySecret() {
        assertEquals("user=app pass=**** again **** other=****",
            Masking.mask("user=app pass=s3cret again s3cret other=t0ken", List.of("s3cret", "t0ken")));
    }

    @Test
    void longerSecretsWinOverTheirSubstrings() {
        assertEquals("x **** y", Masking.mask("x abcdef y", List.of("abc", "abcdef")));
    }

    @Test
    void ignoresEmptyAndNullSecretsAndNullText() {
        assertEquals("keep", Masking.mask("keep", Arrays.asList("", null)));
        assertNull(Masking.mask(null, List.of("x")));
    }

    @Test
    void registeredSecretsAreMaskedInCommandOutput() {
        String output = "FATAL: password authentication failed for \"app\" with reg1stered-Secret";
        assertEquals(output, Masking.masked(output), "not registered yet");
        Masking.register(Arrays.asList("reg1stered-Secret", "", null));
        assertEquals("FATAL: password authentication failed for \"app\" with ****", Masking.masked(output));
        assertNull(Masking.masked(null));
    }

    @Test
    void secretsAreLiteralNotRegex() {
        assertEquals("a ****, b", Masking.mask("a .*$1, b", List.of(".*$1")));
        assertEquals("a****b", Masking.mask("a.*$1.*$1b", List.of(".*$1.*$1")));
    }

    @Test
    void aShortSecretIsMaskedWhereItStandsAloneNotInsideWords() {
        // a password "x" must neither turn "exists" into "e****ists" nor show where it sits in words
        assertEquals("PGDATA /tmp/a-file exists; password=**** and '****'",
            Masking.mask("PGDATA /tmp/a-file exists; password=x and 'x'", List.of("x")));
        assertEquals("pw **** in pwd7", Masking.mask("pw pw7 in pwd7", List.of("pw7")));
        // from 8 characters on, a secret is masked wherever it occurs
        assertEquals("prefix****suffix", Masking.mask("prefixlong-one1suffix", List.of("long-one1")));
    }

    @Test
    void masksPasswordOptions() {
        assertEquals(List.of("psql", "--password=****", "--username=app", "-W", "--pwfile=/run/secrets/pw"),
            Masking.maskArgs(List.of("psql", "--password=hunter2", "--username=app", "-W", "--pwfile=/run/secrets/pw")));
    }

    @Test
    void masksPgpasswordAssignments() {
        assertEquals(List.of("env", "PGPASSWORD=****", "psql"),
            Masking.maskArgs(List.of("env", "PGPASSWORD=hunter2", "psql")));
    }

    @Test
    void masksPasswordsInConninfoStrings() {
        assertEquals(List.of("-d", "host=db password=**** dbname=app", "user=a password='****' port=5432",
                "password = **** sslmode=require", "Password=****"),
            Masking.maskArgs(List.of("-d", "host=db password=hunter2 dbname=app",
                "user=a password='with space \\' quote' port=5432", "password = x sslmode=require", "Password=Y")));
    }

    @Test
    void masksPasswordsInConnectionUris() {
        assertEquals(List.of("postgresql://app:****@db:5432/app?sslmode=require&password=****&x=1",
                "postgres://app@db/app", "postgresql://:****@db"),
            Masking.maskArgs(List.of("postgresql://app:s3cr%40t@db:5432/app?sslmode=require&password=p%26w&x=1",
                "postgres://app@db/app", "postgresql://:pw@db")));
    }

    @Test
    void masksSqlPasswordLiterals() {
        assertEquals(List.of("-c", "ALTER ROLE app WITH LOGIN PASSWORD '****' VALID UNTIL 'infinity'"),
            Masking.maskArgs(List.of("-c", "ALTER ROLE app WITH LOGIN PASSWORD 'it''s secret' VALID UNTIL 'infinity'")));
    }

    @Test
    void leavesOtherArgumentsAlone() {
        List<String> args = Arrays.asList("initdb", "--username=postgres", "--auth-local=md5", "-D", "/data",
            "passwordless", "my_password_file", null);
        assertEquals(args, Masking.maskArgs(args));
    }
}
