package org.arrhythmiamonitor.qrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.state.v1.QrsDetectorState;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QrsDetectorTest {
    /** The detector needs this long to learn the signal before it reports beats. */
    private static final double LEARNING_S = 2.5;

    @ParameterizedTest(name = "{0} Hz at {1} bpm")
    @CsvSource({"100, 75", "250, 75", "360, 75", "500, 75", "1000, 75", "250, 38", "250, 170", "360, 220"})
    void findsEveryBeatWithin50Ms(double fs, double bpm) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 11).render(List.of(new Segment(120, bpm)));

        long[] detected = detect(recording, recording.samples().length);

        int tolerance = (int) Math.round(0.05 * fs);
        int[] truth = Arrays.stream(recording.rPeaks()).filter(p -> p > LEARNING_S * fs).toArray();
        long[] scored = Arrays.stream(detected).filter(p -> p > LEARNING_S * fs - tolerance).toArray();
        int matched = 0;
        for (int peak : truth) {
            if (Arrays.stream(scored).anyMatch(d -> Math.abs(d - peak) <= tolerance)) {
                matched++;
            }
        }
        assertThat(matched).as("sensitivity").isGreaterThanOrEqualTo(truth.length - 1);
        assertThat(scored.length).as("false detections").isLessThanOrEqualTo(matched + 1);
    }

    @Test
    void reportsRrIntervalsInSamples() {
        SyntheticEcg.Recording recording = new SyntheticEcg(250, 1000, 0, 0.01, 0, 5)
                .render(List.of(new Segment(30, 60)));
        List<Long> rr = new ArrayList<>();
        new QrsDetector(250).accept(millivolts(recording, 0, recording.samples().length), (peak, r) -> rr.add(r));

        assertThat(rr.get(0)).isZero();
        // 1 s apart, within the 16 ms that locating the peak on the integrated energy allows
        assertThat(rr.subList(1, rr.size())).allSatisfy(r -> assertThat(r).isBetween(246L, 254L));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void beatsDoNotDependOnChunkBoundariesOrOnStateBeingMovedBetweenInstances(long seed) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(360, seed)
                .render(List.of(new Segment(20, 70), new Segment(20, 160), new Segment(20, 45)));
        long[] whole = detect(recording, recording.samples().length);

        Random random = new Random(seed);
        List<Long> chunked = new ArrayList<>();
        QrsDetectorState state = new QrsDetector(360).snapshot();
        int[] samples = recording.samples();
        for (int start = 0; start < samples.length; ) {
            // 1 sample up to 10 s, weighted towards short chunks.
            int size = 1 + (int) (Math.pow(random.nextDouble(), 3) * 10 * 360);
            int end = Math.min(samples.length, start + size);
            QrsDetector detector = QrsDetector.restore(state);
            detector.accept(millivolts(recording, start, end), (peak, rr) -> chunked.add(peak));
            state = detector.snapshot();
            start = end;
        }

        assertThat(chunked).containsExactly(Arrays.stream(whole).boxed().toArray(Long[]::new));
        assertThat(whole.length).isGreaterThan(80);
    }

    @ParameterizedTest
    @ValueSource(doubles = {100, 250, 1000})
    void perDeviceStateIsSmall(double fs) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 1).render(List.of(new Segment(10, 70)));
        QrsDetector detector = new QrsDetector(fs);
        detector.accept(millivolts(recording, 0, recording.samples().length), (peak, rr) -> { });

        int bytes = detector.snapshot().getSerializedSize();
        System.out.printf("QRS detector state at %.0f Hz: %d bytes%n", fs, bytes);
        // Dominated by the 120 ms integration window: 8 bytes a sample.
        assertThat(bytes).isLessThan((int) (0.13 * fs * 8) + 128);
    }

    private static long[] detect(SyntheticEcg.Recording recording, int length) {
        List<Long> peaks = new ArrayList<>();
        new QrsDetector(recording.fsHz()).accept(millivolts(recording, 0, length), (peak, rr) -> peaks.add(peak));
        return peaks.stream().mapToLong(Long::longValue).toArray();
    }

    private static double[] millivolts(SyntheticEcg.Recording recording, int from, int to) {
        double[] mv = new double[to - from];
        for (int i = from; i < to; i++) {
            mv[i - from] = recording.samples()[i] / recording.gainPerMv();
        }
        return mv;
    }
}
