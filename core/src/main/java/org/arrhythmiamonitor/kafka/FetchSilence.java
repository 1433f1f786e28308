package org.arrhythmiamonitor.kafka;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;

/**
 * How long a consumer has polled without hearing from Kafka. While the brokers cannot be reached
 * the consumer's poll does not fail: it returns nothing and reconnects, so an empty poll cannot
 * tell a quiet topic from a lost cluster. An answered fetch can: the consumer long-polls the
 * leaders of its partitions, which answer within {@code fetch.max.wait.ms} (500 ms) even when
 * nothing is new, so the consumer's {@code fetch-total} (fetch responses received) rises every
 * second or so while it has partitions and reaches their leaders, and stops rising when it has none
 * or cannot. One instance per consumer; {@link #polled} on the polling thread, {@link #beyondLimit}
 * from any thread.
 */
public final class FetchSilence {
    private static final long HEARD = -1;

    private final Metric fetches;
    private final Duration limit;
    private double fetchesSeen;
    /** When the first poll without an answer since the last one began; {@link #HEARD} after an answer. */
    private volatile long silentSinceNanos = HEARD;

    public FetchSilence(Consumer<?, ?> consumer, Duration limit) {
        this.fetches = consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("fetch-total")
                        && e.getKey().group().equals("consumer-fetch-manager-metrics"))
                .map(e -> e.getValue())
                .findFirst()
                // Without it silence could not be told: fail at start rather than report a lost feed as following.
                .orElseThrow(() -> new IllegalStateException("the Kafka consumer has no fetch-total metric"));
        this.limit = limit;
    }

    /**
     * After each poll, on the polling thread. A poll that returned records heard from Kafka even if
     * the fetch that brought them was counted before.
     */
    public void polled(boolean gotRecords) {
        double answered = ((Number) fetches.metricValue()).doubleValue();
        if (gotRecords || answered > fetchesSeen) {
            silentSinceNanos = HEARD;
        } else if (silentSinceNanos == HEARD) {
            silentSinceNanos = System.nanoTime();
        }
        fetchesSeen = answered;
    }

    /**
     * How long the consumer has polled without an answer once that is longer than the limit, else
     * null. Polls alone count: while the records of a poll are being handled the consumer does not
     * poll, and is not silent (handling that takes too long is the caller's own error to report).
     */
    public Duration beyondLimit() {
        long since = silentSinceNanos;
        if (since == HEARD) {
            return null;
        }
        Duration silent = Duration.ofNanos(System.nanoTime() - since);
        return silent.compareTo(limit) > 0 ? silent : null;
    }

    /** How {@code /health} details say it: "no answer from Kafka to the reads of {topic} for {n} s". */
    public static String unanswered(String topic, Duration silent) {
        return "no answer from Kafka to the reads of " + topic + " for " + silent.toSeconds() + " s";
    }
}
