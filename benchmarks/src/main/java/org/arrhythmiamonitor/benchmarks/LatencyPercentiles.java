package org.arrhythmiamonitor.benchmarks;

import java.util.Arrays;
import java.util.Collection;

/** Latencies measured in nanoseconds, read as percentiles in milliseconds (nearest rank, rounded down). */
final class LatencyPercentiles {
    private final long[] sorted;

    /** Copies through toArray, which a synchronized list guards, unlike its stream. */
    LatencyPercentiles(Collection<Long> nanos) {
        sorted = Arrays.stream(nanos.toArray(new Long[0])).mapToLong(Long::longValue).sorted().toArray();
    }

    int count() {
        return sorted.length;
    }

    /** The latency at quantile {@code q} (0.99 for p99) in ms; 0 when nothing was measured. */
    double ms(double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    double maxMs() {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6;
    }
}
