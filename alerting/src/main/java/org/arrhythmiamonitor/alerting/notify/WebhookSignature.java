package org.arrhythmiamonitor.alerting.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a webhook receiver checks: {@code sha256=} and the hex HMAC-SHA256, keyed with the
 * subscriber's secret, of {@code timestamp + "." + body}. Signing the timestamp too lets the
 * receiver refuse a captured request replayed later.
 */
public final class WebhookSignature {
    public static final String SIGNATURE_HEADER = "X-Arrhythmia-Signature";
    public static final String TIMESTAMP_HEADER = "X-Arrhythmia-Timestamp";
    public static final String DELIVERY_HEADER = "X-Arrhythmia-Delivery";
    public static final String EVENT_HEADER = "X-Arrhythmia-Event";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestampMs, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampMs + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** What a receiver does: recompute and compare in constant time. */
    public static boolean verify(String secret, long timestampMs, byte[] body, String signature) {
        return signature != null && MessageDigest.isEqual(
                sign(secret, timestampMs, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
