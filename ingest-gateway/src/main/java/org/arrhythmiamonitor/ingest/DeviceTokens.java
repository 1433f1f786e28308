package org.arrhythmiamonitor.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Device bearer tokens: 256 random bits, shown to the operator once, stored only as SHA-256. A
 * slow password hash is not needed because nobody can enumerate 2^256 candidates against a leaked
 * hash; constant-time comparison keeps response timing from leaking how much of a guess matched.
 */
public final class DeviceTokens {
    /** Prefix that makes a leaked token recognisable to secret scanners. */
    static final String PREFIX = "amd_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private DeviceTokens() {
    }

    public static String issue() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static boolean matches(String token, byte[] expectedHash) {
        return token != null && MessageDigest.isEqual(hash(token), expectedHash);
    }

    /** The token of an {@code Authorization: Bearer ...} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
