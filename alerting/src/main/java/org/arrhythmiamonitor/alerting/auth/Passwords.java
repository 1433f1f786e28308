package org.arrhythmiamonitor.alerting.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes as PBKDF2-HMAC-SHA256 with a random 16-byte salt and 600 000 iterations (the
 * OWASP recommendation for this function), written {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} with
 * Base64 parts. The JDK has everything for it, so no extra dependency; verifying takes a fraction
 * of a second, which is why the service verifies on a worker thread.
 */
public final class Passwords {
    public static final int ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    public static String hash(String password) {
        return hash(password, ITERATIONS);
    }

    static String hash(String password, int iterations) {
        if (password == null || password.length() < 8) {
            throw new IllegalArgumentException("a password needs at least 8 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** Past this many iterations a login takes seconds of a login thread. */
    static final int MAX_ITERATIONS = 10_000_000;

    /** Throws when {@code hash} is not a hash this class writes: a configuration error, not a wrong password. */
    public static void requireWellFormed(String hash, String owner) {
        String[] parts = hash == null ? new String[0] : hash.split("\\$");
        try {
            if (parts.length != 4 || !SCHEME.equals(parts[0]) || Integer.parseInt(parts[1]) < 1) {
                throw new IllegalArgumentException();
            }
            Base64.getDecoder().decode(parts[2]);
            Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + ": passwordHash must be '" + SCHEME
                    + "$ITERATIONS$SALT$HASH' as `monitor hash-password` prints it");
        }
        if (Integer.parseInt(parts[1]) > MAX_ITERATIONS) {
            // Every login, and every guess at one, would hold a login thread for many seconds.
            throw new IllegalArgumentException(owner + ": passwordHash has " + parts[1] + " iterations; at most "
                    + MAX_ITERATIONS + " (`monitor hash-password` uses " + ITERATIONS + ")");
        }
    }

    public static boolean verify(String password, String hash) {
        String[] parts = hash.split("\\$");
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        return MessageDigest.isEqual(expected, derive(password, salt, iterations));
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    /** A random password for generated accounts (the demo's): 18 bytes, 24 URL-safe characters. */
    public static String random() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
