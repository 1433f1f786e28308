package org.arrhythmiamonitor.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of one device's signal path (resampling to 250 Hz, band-pass and notch, signal
 * quality, QRS detection) in input samples per second on one thread: the score is samples/s,
 * because each invocation feeds {@value #SECONDS} s of ECG and counts every sample as an operation.
 * Chunks are one second, as devices send them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SignalPathBenchmark {
    static final int SECONDS = 60;
    private static final int MAX_RATE = 1000;

    @Param({"250", "360", "500"})
    int rateHz;

    private double[] mv;
    private EcgAnalyzer analyzer;
    private final Counting output = new Counting();

    @Setup(Level.Trial)
    public void render() {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(rateHz, 1).render(List.of(
                new Segment(20, 65), new Segment(20, 120), new Segment(20, 80)));
        mv = recording.millivolts();
        analyzer = new EcgAnalyzer(rateHz, MainsFrequency.HZ_50);
    }

    /** The score is per input sample; each invocation feeds {@code SECONDS * rateHz} of them. */
    @Benchmark
    @OperationsPerInvocation(SECONDS * MAX_RATE)
    public void signalPath(Blackhole blackhole) {
        // Pad to the fixed operation count so every rate reports samples per second.
        int samples = SECONDS * MAX_RATE;
        int fed = 0;
        while (fed < samples) {
            int from = fed % mv.length;
            int to = Math.min(mv.length, from + Math.min(rateHz, samples - fed));
            analyzer.accept(mv, from, to, output);
            fed += to - from;
        }
        blackhole.consume(output.beats);
    }

    private static final class Counting implements EcgAnalyzer.Output {
        long beats;

        @Override
        public void beat(EcgAnalyzer.DetectedBeat beat) {
            beats++;
        }
    }
}
