package org.arrhythmiamonitor.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.inference.ExecutionDevice;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Beat classification throughput of the packaged model (or the newest in {@code -p modelDir=DIR},
 * to compare a candidate) through the inference engine, one call per batch of {@code batch} beats.
 * The primary score is calls per second; the {@code beats} counter is beats per second.
 * {@code device=cuda} runs on the CUDA execution provider in a {@code -Pgpu} build on a machine
 * with a GPU (elsewhere it falls back to the CPU and says so).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// With the benchmarks' classpath, a forked VM's threads at the default 1 MB stack crash (SIGSEGV,
// exit 139, no JVM error file) while the model loads; with the processor's jar the same code runs at
// 256 KB. It depends on the classpath's length, not on one jar (of a 63-jar classpath that crashes,
// leaving out any one jar avoids it); the cause is not found. A larger stack avoids it.
@Fork(value = 1, jvmArgsAppend = "-Xss8m")
public class BeatInferenceBenchmark {
    @Param({"1", "32", "256"})
    int batch;

    @Param({"2"})
    int threads;

    @Param({"cpu"})
    String device;

    /** A model directory; empty for the models packaged with the processor. */
    @Param({""})
    String modelDir;

    private ModelRegistry models;
    private float[] beats;
    private float[] rr;

    /** Beats classified, per second of measurement. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Beats {
        public long beats;
    }

    @Setup(Level.Trial)
    public void load() {
        InferenceSettings d = InferenceSettings.defaults();
        models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT, new InferenceSettings(
                modelDir.isEmpty() ? null : Path.of(modelDir), ExecutionDevice.parse(device), threads,
                Math.max(batch, 1), d.maxWait(), Duration.ZERO));
        Random random = new Random(1);
        beats = new float[batch * 2 * BeatWindow.LENGTH];
        for (int i = 0; i < beats.length; i++) {
            beats[i] = (float) (0.2 * random.nextGaussian());
        }
        rr = new float[batch * BeatFeatures.RR_FEATURES.size()];
        for (int i = 0; i < rr.length; i++) {
            rr[i] = (float) (0.8 + 0.1 * random.nextGaussian());
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        models.close();
    }

    @Benchmark
    public float[][] classify(Beats counter) {
        counter.beats += batch;
        return models.withModel(m -> m.classify(beats, rr, batch));
    }
}
