package org.arrhythmiamonitor.ingest.simulator;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Counts and acknowledgement latencies, per report interval and in total; used on one event loop. */
public final class SimulatorStats {
    /** Figures over a stretch of time. */
    public record Figures(double seconds, long sent, long accepted, long rejected, long retried, double ackP50Ms,
            double ackP99Ms) {
        public double perSecond(long count) {
            return seconds > 0 ? count / seconds : 0;
        }

        public String line(String prefix, int devices) {
            return String.format("%s sent %.0f/s  accepted %.0f/s  rejected %.0f/s  retried %.0f/s  "
                    + "ack p50 %s ms  p99 %s ms  (%d devices)", prefix, perSecond(sent), perSecond(accepted),
                    perSecond(rejected), perSecond(retried), millis(ackP50Ms), millis(ackP99Ms), devices);
        }

        /** No acknowledgement, no latency: "-", not NaN. */
        private static String millis(double ms) {
            return Double.isNaN(ms) ? "-" : String.format(java.util.Locale.ROOT, "%.1f", ms);
        }
    }

    private static final int MAX_KEPT = 1 << 20;

    private static final class Window {
        final long startNs = System.nanoTime();
        long sent;
        long accepted;
        long rejected;
        long retried;
        long[] latenciesNs = new long[1024];
        int latencies;

        /** Seen so far; beyond {@link #MAX_KEPT} a uniform sample of them is kept (reservoir sampling). */
        long seen;

        void latency(long ns) {
            seen++;
            if (latencies == MAX_KEPT) {
                long slot = ThreadLocalRandom.current().nextLong(seen);
                if (slot < MAX_KEPT) {
                    latenciesNs[(int) slot] = ns;
                }
                return;
            }
            if (latencies == latenciesNs.length) {
                latenciesNs = Arrays.copyOf(latenciesNs, latencies * 2);
            }
            latenciesNs[latencies++] = ns;
        }

        Figures figures() {
            long[] sorted = Arrays.copyOf(latenciesNs, latencies);
            Arrays.sort(sorted);
            return new Figures((System.nanoTime() - startNs) / 1e9, sent, accepted, rejected, retried,
                    percentileMs(sorted, 0.50), percentileMs(sorted, 0.99));
        }

        private static double percentileMs(long[] sorted, double q) {
            return sorted.length == 0 ? Double.NaN
                    : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
        }
    }

    private Window interval = new Window();
    private final Window total = new Window();

    void sent() {
        interval.sent++;
        total.sent++;
    }

    void accepted(long latencyNs) {
        interval.accepted++;
        total.accepted++;
        interval.latency(latencyNs);
        total.latency(latencyNs);
    }

    void rejected() {
        interval.rejected++;
        total.rejected++;
    }

    void retried() {
        interval.retried++;
        total.retried++;
    }

    /** The figures since the last call, starting a new interval. */
    Figures interval() {
        Figures figures = interval.figures();
        interval = new Window();
        return figures;
    }

    Figures total() {
        return total.figures();
    }
}
