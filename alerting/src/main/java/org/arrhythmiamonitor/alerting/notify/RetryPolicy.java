package org.arrhythmiamonitor.alerting.notify;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;

/**
 * Exponential backoff of webhook deliveries: attempt n+1 waits {@code initial * 2^(n-1)}, at most
 * {@code max}; after {@code maxAttempts} failed attempts the notification goes to the dead-letter
 * topic. The defaults (1 s doubling to 5 min, 10 attempts) wait about 8.5 minutes in all between
 * the attempts, plus up to {@code timeout} per attempt.
 */
public record RetryPolicy(Duration initial, Duration max, int maxAttempts, Duration timeout) {
    public RetryPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry: initialMs must be positive and maxMs at least initialMs");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry.maxAttempts must be at least 1; got " + maxAttempts);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("retry.timeoutMs must be positive");
        }
    }

    public static RetryPolicy fromJson(JsonObject json) {
        ConfigKeys.requireKnown(json, "retry", Map.of("initialMs", Kind.WHOLE_NUMBER, "maxMs", Kind.WHOLE_NUMBER,
                "maxAttempts", Kind.WHOLE_NUMBER, "timeoutMs", Kind.WHOLE_NUMBER));
        return new RetryPolicy(Duration.ofMillis(json.getLong("initialMs", 1_000L)),
                Duration.ofMillis(json.getLong("maxMs", 300_000L)), json.getInteger("maxAttempts", 10),
                Duration.ofMillis(json.getLong("timeoutMs", 10_000L)));
    }

    /** How long to wait after failed attempt {@code attempt} (1-based) before the next one. */
    public Duration delayAfter(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 30);
        long millis = initial.toMillis() > max.toMillis() / factor ? max.toMillis() : initial.toMillis() * factor;
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
