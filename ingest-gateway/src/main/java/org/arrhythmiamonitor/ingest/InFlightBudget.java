package org.arrhythmiamonitor.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the chunk bytes waiting for Kafka. When Kafka falls behind, devices get 503 with
 * Retry-After (and WebSocket streams a 503 answer per chunk) instead of the gateway buffering
 * without limit and running out of memory; the producer's own buffer is sized above this cap so
 * that handing a chunk to it never blocks the event loop.
 */
final class InFlightBudget {
    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    InFlightBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Reserves {@code bytes}; false when that would exceed the cap (a lone chunk always fits). */
    boolean tryAcquire(long bytes) {
        while (true) {
            long current = used.get();
            if (current > 0 && current + bytes > maxBytes) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }
}
