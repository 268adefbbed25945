package dev.pgentrypoint.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * PostgreSQL's stored passwords ({@code pg_authid.rolpassword}): whether one matches a password, and a
 * SCRAM-SHA-256 verifier for {@code ALTER ROLE ... PASSWORD}, so the plain password never reaches the
 * server. Passwords are taken as UTF-8 without SASLprep, which changes only non-ASCII spaces and
 * compatibility characters.
 */
final class PasswordVerifier {
    private static final Pattern SCRAM = Pattern.compile("SCRAM-SHA-256\\$(\\d+):([^$]+)\\$([^:]+):(.+)");
    static final int ITERATIONS = 4096;

    private PasswordVerifier() {
    }

    /** Whether {@code stored} (SCRAM-SHA-256, md5 or, from very old clusters, plain) is the password of {@code role}. */
    static boolean matches(String stored, String role, String password) {
        Matcher m = SCRAM.matcher(stored);
        if (m.matches()) {
            byte[] salt = Base64.getDecoder().decode(m.group(2));
            byte[] storedKey = Base64.getDecoder().decode(m.group(3));
            return MessageDigest.isEqual(storedKey, keys(password, salt, Integer.parseInt(m.group(1)))[0]);
        }
        if (stored.startsWith("md5") && stored.length() == 35) {
            return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                    ("md5" + md5Hex(password + role)).getBytes(StandardCharsets.US_ASCII));
        }
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }

    /** A SCRAM-SHA-256 verifier of {@code password} with a fresh salt, as PostgreSQL itself writes them. */
    static String scram(String password, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[][] keys = keys(password, salt, ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder();
        return "SCRAM-SHA-256$" + ITERATIONS + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(keys[0]) + ":"
                + b64.encodeToString(keys[1]);
    }

    /** StoredKey and ServerKey (RFC 5802). */
    private static byte[][] keys(String password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = pbkdf2.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            return new byte[][] {storedKey, hmac(salted, "Server Key")};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SCRAM-SHA-256 is not available in this JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available in this JVM", e);
        }
    }
}
