package org.arrhythmiamonitor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.inference.ExecutionDevice;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.MicroBatch;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The latency micro-batching adds, as JMH samples it: each benchmark call hands one beat to a
 * stream task and waits until its batch has been classified. The task is the stream processor's
 * {@code BeatClassificationProcessor} in miniature: beats of other devices arrive at {@code rate}
 * per second; each is added to a {@link MicroBatch} as it arrives, and a full batch is classified at
 * once; every {@code maxWaitMs} (the processor's wall-clock punctuation, whose period is the max
 * wait, with {@code poll.ms} lowered to it) a batch whose oldest beat has waited that long is
 * classified. The score's percentiles ({@code p0.99}) are the time from a beat's arrival to the end
 * of its inference call; the benchmark's own beats add about one per call to the load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 4)
// The benchmarks' long classpath needs the larger stack while the model loads (BeatInferenceBenchmark).
@Fork(value = 1, jvmArgsAppend = "-Xss8m")
public class MicroBatchLatencyBenchmark {
    /** Beats per second arriving from the other devices of the task. */
    @Param({"20000", "2000"})
    double rate;

    @Param({"256"})
    int maxBatch;

    @Param({"5"})
    long maxWaitMs;

    @Param({"2"})
    int threads;

    private final ConcurrentLinkedQueue<CompletableFuture<Void>> handedOver = new ConcurrentLinkedQueue<>();
    private ModelRegistry models;
    private Thread task;
    private volatile boolean running;

    @Setup(Level.Trial)
    public void start() {
        InferenceSettings settings = new InferenceSettings(null, ExecutionDevice.CPU, threads, maxBatch,
                Duration.ofMillis(maxWaitMs), Duration.ZERO);
        models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, settings);
        running = true;
        task = new Thread(this::run, "stream-task");
        task.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        task.join();
        models.close();
    }

    /** One beat's arrival to the end of its batch's inference call. */
    @Benchmark
    public void beatLatency() {
        CompletableFuture<Void> classified = new CompletableFuture<>();
        handedOver.add(classified);
        classified.join();
    }

    /** The stream task: the other devices' beats, the benchmark's, the punctuation, the inference calls. */
    private void run() {
        int beatValues = BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;
        float[] beats = new float[maxBatch * beatValues];
        float[] rr = new float[maxBatch * BeatFeatures.RR_FEATURES.size()];
        Random random = new Random(1);
        for (int i = 0; i < beats.length; i++) {
            beats[i] = (float) (0.2 * random.nextGaussian());
        }
        Arrays.fill(rr, 0.8f);
        // Another device's beat carries no future: nobody waits on it here.
        MicroBatch<CompletableFuture<Void>> batch = new MicroBatch<>(maxBatch, TimeUnit.MILLISECONDS.toNanos(maxWaitMs));
        long interval = (long) (1e9 / rate);
        long period = TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxWaitMs));
        long nextArrival = System.nanoTime();
        long nextPunctuation = nextArrival + period;
        while (running) {
            long now = System.nanoTime();
            boolean full = false;
            for (; nextArrival <= now && !full; nextArrival += interval) {
                full = batch.add(null, now);
            }
            for (CompletableFuture<Void> beat; !full && (beat = handedOver.poll()) != null; ) {
                full = batch.add(beat, now);
            }
            if (full) {
                classify(batch, beats, rr);
            } else if (now >= nextPunctuation) {
                if (batch.due(now)) {
                    classify(batch, beats, rr);
                }
                nextPunctuation = Math.max(nextPunctuation + period, now);
            } else {
                // Records come in between punctuations; a tenth of a millisecond is close enough to "as they come".
                LockSupport.parkNanos(Math.min(100_000, Math.min(nextArrival, nextPunctuation) - now));
            }
        }
        List<CompletableFuture<Void>> left = new ArrayList<>(batch.drain());
        left.addAll(handedOver);
        left.forEach(f -> {
            if (f != null) {
                f.complete(null);
            }
        });
    }

    private void classify(MicroBatch<CompletableFuture<Void>> batch, float[] beats, float[] rr) {
        List<CompletableFuture<Void>> items = batch.drain();
        int n = items.size();
        models.withModel(m -> m.classify(beats, rr, n));
        for (CompletableFuture<Void> beat : items) {
            if (beat != null) {
                beat.complete(null);
            }
        }
    }
}
