package dev.pgentrypoint.credentials;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordVerifierTest {
    /** Written by PostgreSQL 15 for CREATE ROLE vtest PASSWORD 'correct horse' (scram-sha-256, then md5 for vmd5). */
    static final String SCRAM = "SCRAM-SHA-256$4096:/YK9JZCrjzrGetVUNJmSZA==$6arsdUXD7GEM1v8+T/14dQIrVPEcKUXsRRcNOj7Qx9w="
            + ":OB6e6BVRO/p0qJXXUEzcLGe2+93kzLikOV9+YHGvctY=";
    static final String MD5 = "md5d35e34c1cee782e1a212beb7113a82c2";

    @Test
    void scramVerifiersOfPostgresqlMatchTheirPasswordOnly() {
        assertTrue(PasswordVerifier.matches(SCRAM, "vtest", "correct horse"));
        assertFalse(PasswordVerifier.matches(SCRAM, "vtest", "correct horse "));
        assertFalse(PasswordVerifier.matches(SCRAM, "vtest", ""));
    }

    @Test
    void md5VerifiersIncludeTheRoleName() {
        assertTrue(PasswordVerifier.matches(MD5, "vmd5", "correct horse"));
        assertFalse(PasswordVerifier.matches(MD5, "vtest", "correct horse"));
        assertFalse(PasswordVerifier.matches(MD5, "vmd5", "battery staple"));
    }

    @Test
    void ourVerifiersAreSaltedAndMatch() {
        SecureRandom random = new SecureRandom();
        String one = PasswordVerifier.scram("n€w pässword", random);
        String two = PasswordVerifier.scram("n€w pässword", random);
        assertNotEquals(one, two);
        assertTrue(one.startsWith("SCRAM-SHA-256$4096:"), one);
        assertTrue(PasswordVerifier.matches(one, "any", "n€w pässword"));
        assertFalse(PasswordVerifier.matches(two, "any", "new password"));
        assertFalse(one.contains("pässword"));
    }
}
