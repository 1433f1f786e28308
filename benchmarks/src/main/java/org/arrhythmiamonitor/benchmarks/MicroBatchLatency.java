package org.arrhythmiamonitor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.inference.ExecutionDevice;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.MicroBatch;
import org.arrhythmiamonitor.inference.ModelRegistry;

/**
 * The latency micro-batching adds: beats arrive at a steady rate (as from many devices), wait in a
 * {@link MicroBatch} checked every millisecond as the processor's wall-clock punctuation checks it,
 * and are classified in one call when the batch is full or its oldest beat has waited the maximum.
 * Reports the time from a beat's arrival to the end of its inference call, percentiles in ms.
 *
 * <p>Arguments: beats per second (default 20000), seconds (default 20), max batch (256), max wait
 * ms (5), ONNX Runtime threads (2).
 */
public final class MicroBatchLatency {
    private MicroBatchLatency() {
    }

    public static void main(String[] args) {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 20_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int maxBatch = args.length > 2 ? Integer.parseInt(args[2]) : InferenceSettings.DEFAULT_MAX_BATCH;
        long maxWaitMs = args.length > 3 ? Long.parseLong(args[3]) : InferenceSettings.DEFAULT_MAX_WAIT.toMillis();
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        InferenceSettings settings = new InferenceSettings(null, ExecutionDevice.CPU, threads, maxBatch,
                Duration.ofMillis(maxWaitMs), Duration.ZERO);
        int beatValues = 2 * BeatWindow.LENGTH;
        int rrValues = BeatFeatures.RR_FEATURES.size();
        float[] beats = new float[maxBatch * beatValues];
        float[] rr = new float[maxBatch * rrValues];
        Random random = new Random(1);
        for (int i = 0; i < beats.length; i++) {
            beats[i] = (float) (0.2 * random.nextGaussian());
        }
        Arrays.fill(rr, 0.8f);
        try (ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, settings)) {
            MicroBatch<Long> batch = new MicroBatch<>(maxBatch, settings.maxWait().toNanos());
            long intervalNanos = (long) (1e9 / rate);
            long start = System.nanoTime();
            long warmupEnd = start + 3_000_000_000L;
            long end = warmupEnd + seconds * 1_000_000_000L;
            long nextArrival = start;
            List<Long> latencies = new ArrayList<>();
            int calls = 0;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                boolean full = false;
                while (nextArrival <= now) {
                    full |= batch.add(nextArrival, now);
                    nextArrival += intervalNanos;
                    if (full) {
                        break;
                    }
                }
                if (full || batch.due(now)) {
                    List<Long> arrivals = batch.drain();
                    int n = arrivals.size();
                    models.withModel(m -> m.classify(beats, rr, n));
                    long done = System.nanoTime();
                    if (arrivals.get(0) >= warmupEnd) {
                        calls++;
                    }
                    for (long arrival : arrivals) {
                        if (arrival >= warmupEnd) {
                            latencies.add(done - arrival);
                        }
                    }
                } else {
                    LockSupport.parkNanos(1_000_000);
                }
            }
            LatencyPercentiles latency = new LatencyPercentiles(latencies);
            double measured = (double) latency.count() / seconds;
            System.out.printf(Locale.ROOT, "offered %.0f beats/s, classified %.0f beats/s in %d calls (mean batch %.1f); "
                    + "latency ms: p50 %.2f, p99 %.2f, p99.9 %.2f, max %.2f (max batch %d, max wait %d ms, %d threads)%n",
                    rate, measured, calls, (double) latencies.size() / Math.max(1, calls), latency.ms(0.5),
                    latency.ms(0.99), latency.ms(0.999), latency.maxMs(), maxBatch, maxWaitMs, threads);
        }
    }
}
