package org.arrhythmiamonitor.alerting.lifecycle;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the feed knows, between re-reads of a batch, of the alerts it could not take: those the
 * dead-letter topic already has or that it moved past (settled: a re-read neither writes nor counts
 * them again), and since when the topic has refused each other one. The feed thread only.
 */
final class DeadLetterProgress {
    /**
     * Refusals further apart than this do not add up: between them no write was tried (the store
     * was down, or the partition was elsewhere), so they say nothing of how long the topic refused.
     */
    static final long CONTINUOUS_MS = 10_000;

    private final Duration patience;
    private final Set<Position> settled = new HashSet<>();
    private final Map<Position, Refusal> refused = new HashMap<>();

    /** An alert's place in {@code ecg.alerts}. */
    record Position(int partition, long offset) {
    }

    private record Refusal(long sinceMs, long lastMs) {
    }

    DeadLetterProgress(Duration patience) {
        this.patience = patience;
    }

    Duration patience() {
        return patience;
    }

    /** Whether the alert was written or moved past since the feed last committed. */
    boolean settled(Position at) {
        return settled.contains(at);
    }

    void written(Position at) {
        refused.remove(at);
        settled.add(at);
    }

    /**
     * The topic refused the alert's letter at {@code nowMs}; true once it has refused for the
     * whole patience without a pause, when the feed must move past the alert.
     */
    boolean refusedTooLong(Position at, long nowMs) {
        Refusal before = refused.get(at);
        long since = before == null || nowMs - before.lastMs() > CONTINUOUS_MS ? nowMs : before.sinceMs();
        refused.put(at, new Refusal(since, nowMs));
        if (nowMs - since < patience.toMillis()) {
            return false;
        }
        refused.remove(at);
        settled.add(at);
        return true;
    }

    /** The feed committed up to {@code nextOffset} of the partition: what lies before is done. */
    void committed(int partition, long nextOffset) {
        settled.removeIf(p -> p.partition() == partition && p.offset() < nextOffset);
        refused.keySet().removeIf(p -> p.partition() == partition && p.offset() < nextOffset);
    }
}
