package org.arrhythmiamonitor.qrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.state.v1.EcgAnalyzerState;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EcgAnalyzerTest {
    /** The detector learns the signal for 2 s before it reports beats. */
    private static final double LEARNING_S = 2.5;

    @ParameterizedTest(name = "{0} Hz at {1} bpm")
    @CsvSource({"100, 75", "128, 75", "250, 75", "257, 75", "360, 75", "500, 75", "1000, 75", "250, 38", "250, 170",
        "360, 220"})
    void findsEveryBeatAtItsTrueRPeak(int fs, double bpm) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 11).render(List.of(new Segment(120, bpm)));

        List<EcgAnalyzer.DetectedBeat> beats = analyse(recording, fs);

        int[] truth = Arrays.stream(recording.rPeaks()).filter(p -> p > LEARNING_S * fs).toArray();
        long[] detected = beats.stream().mapToLong(EcgAnalyzer.DetectedBeat::sampleIndex)
                .filter(p -> p > LEARNING_S * fs - 0.05 * fs).toArray();
        List<Double> errorsMs = new ArrayList<>();
        for (int peak : truth) {
            Arrays.stream(detected).filter(d -> Math.abs(d - peak) <= 0.05 * fs).findFirst()
                    .ifPresent(d -> errorsMs.add((d - peak) * 1000.0 / fs));
        }
        assertThat(errorsMs).as("beats found within 50 ms").hasSizeGreaterThanOrEqualTo(truth.length - 1);
        assertThat(detected.length).as("detections").isLessThanOrEqualTo(truth.length + 1);
        // Filter and resampler delays are taken off: reported R peaks sit on the true ones.
        double meanError = errorsMs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(Math.abs(meanError)).as("mean timing error, ms").isLessThan(Math.max(8, 1000.0 / fs));
        assertThat(beats).allSatisfy(b -> assertThat(b.readable()).isTrue());
    }

    @ParameterizedTest(name = "{0} mV of noise, seed {1}")
    @CsvSource({"0.02, 1", "0.03, 2", "0.04, 4", "0.05, 3", "0.05, 5", "0.05, 9"})
    void noiseInAnAsystoleIsNotTakenForBeats(double noiseMv, long seed) {
        // The threshold follows the signal down once the beats stop; without the least QRS size
        // it reached this noise 5-10 s into the silence and found beats in it.
        SyntheticEcg.Recording recording = new SyntheticEcg(250, 1000, 0.02, noiseMv, 0.05, seed)
                .render(ArrhythmiaScript.start(70).sinus(20).pause(40).sinus(20));
        int lastBefore = Arrays.stream(recording.rPeaks()).filter(p -> p < 30 * 250).max().orElseThrow();
        int firstAfter = Arrays.stream(recording.rPeaks()).filter(p -> p > 30 * 250).min().orElseThrow();

        List<EcgAnalyzer.DetectedBeat> beats = analyse(recording, 250);

        assertThat(beats).extracting(EcgAnalyzer.DetectedBeat::sampleIndex).as("no beat in the silence")
                .noneMatch(p -> p > lastBefore + 25 && p < firstAfter - 25);
        // Found again, each once: with the QRS level left as the silence decayed it, the T waves
        // of the first beats after it were taken for beats too.
        int truthAfter = recording.rPeaks().length - (int) Arrays.stream(recording.rPeaks())
                .filter(p -> p < firstAfter - 25).count();
        assertThat(beats.stream().filter(b -> b.sampleIndex() > firstAfter - 25)).as("the beats after it")
                .hasSizeBetween(truthAfter - 1, truthAfter);
    }

    @ParameterizedTest(name = "QRS {0} times smaller")
    @ValueSource(doubles = {3, 5})
    void beatsAreFoundAgainAfterTheirAmplitudeDrops(double times) {
        // An electrode that moves can shrink the QRS several times over (here from about 1.6 mV
        // peak to peak to 0.5 and 0.3): the threshold comes down to it within seconds, as long as
        // it stays over the least QRS size.
        SyntheticEcg.Recording recording = new SyntheticEcg(250, 1000, 0.02, 0.002, 0, 3)
                .render(List.of(new Segment(60, 72)));
        double[] mv = recording.millivolts();
        for (int i = 20 * 250; i < mv.length; i++) {
            mv[i] /= times;
        }
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        EcgAnalyzer analyzer = new EcgAnalyzer(250, MainsFrequency.HZ_50);
        analyzer.accept(mv, beats::add);

        long truthAfter = Arrays.stream(recording.rPeaks()).filter(p -> p > 30 * 250 && p < 59 * 250).count();
        assertThat(beats.stream().filter(b -> b.sampleIndex() > 30 * 250 && b.sampleIndex() < 59 * 250))
                .hasSize((int) truthAfter);
    }

    @ParameterizedTest(name = "{0} mV of artefact, then clean")
    @CsvSource({"0, 5", "0, 10", "0, 1000", "5, 0"})
    void beatsAreFoundAgainAfterABurstOfLargeArtefact(double noiseMv, double gain) {
        // 10 s of the ECG sent at the wrong gain (samples 5, 10 or 1000 times too large), or of a
        // lead knocked about (5 mV of noise): the beats after it are found again within 4 s. At
        // 1000 times the noise level it taught kept them under the candidates' floor for good.
        SyntheticEcg.Recording recording = new SyntheticEcg(250, 1000, 0.02, 0.002, 0, 3)
                .render(List.of(new Segment(90, 72)));
        double[] mv = recording.millivolts();
        Random random = new Random(7);
        for (int i = 20 * 250; i < 30 * 250; i++) {
            mv[i] = mv[i] * Math.max(1, gain) + noiseMv * random.nextGaussian();
        }
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        new EcgAnalyzer(250, MainsFrequency.HZ_50).accept(mv, beats::add);

        long truthAfter = Arrays.stream(recording.rPeaks()).filter(p -> p > 34 * 250 && p < 89 * 250).count();
        assertThat(beats.stream().filter(b -> b.sampleIndex() > 34 * 250 && b.sampleIndex() < 89 * 250))
                .as("the beats from 4 s after the burst on").hasSize((int) truthAfter);
    }

    @ParameterizedTest(name = "{0} s waves of {1} mV, the ECG {2} times its size")
    @CsvSource({"0.1, 1.0, 1", "0.06, 0.3, 1", "0.05, 1.0, 4"})
    void slowWavesInTheSilenceOfAQuietAsystoleOrAPauseAreNoBeats(double sigmaS, double mv, double size) {
        // The candidates' floor keeps slow waves out. A quiet lead (10 µV of noise) passes seconds
        // without a candidate, like a lead whose levels were lost; taken for that, the levels
        // decayed, and the compressions of CPR read as beats at their own rate, ending the alarm.
        // So did the last beat of an ECG four times the usual size, taken for a QRS under the floor.
        SyntheticEcg.Recording asystole = new SyntheticEcg(250, 1000, 0.02, 0.01, 0.05, 2)
                .render(ArrhythmiaScript.start(70).sinus(20).pause(40));
        double[] signal = scaled(asystole.millivolts(), size);
        int last = Arrays.stream(asystole.rPeaks()).max().orElseThrow();
        for (double at = last / 250.0 + 1.5; at < last / 250.0 + 38; at += 60 / 110.0) {
            addWave(signal, at, sigmaS, mv);
        }
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        new EcgAnalyzer(250, MainsFrequency.HZ_50).accept(signal, beats::add);
        assertThat(beats).as("beats in the asystole").noneMatch(b -> b.sampleIndex() > last + 25);

        // One such wave 2 s into a 3.6 s pause: the pause stays a pause.
        SyntheticEcg.Recording pause = new SyntheticEcg(250, 1000, 0.02, 0.01, 0.05, 3)
                .render(ArrhythmiaScript.start(60).sinus(20).pause(3.6).sinus(10));
        double[] withWave = scaled(pause.millivolts(), size);
        int before = Arrays.stream(pause.rPeaks()).filter(p -> p < 21 * 250).max().orElseThrow();
        addWave(withWave, before / 250.0 + 2, sigmaS, mv);
        List<EcgAnalyzer.DetectedBeat> found = new ArrayList<>();
        new EcgAnalyzer(250, MainsFrequency.HZ_50).accept(withWave, found::add);
        assertThat(found).as("a beat inside the pause").noneMatch(b -> b.sampleIndex() > before + 25
                && b.sampleIndex() < before + 3.5 * 250);
    }

    private static double[] scaled(double[] signal, double times) {
        return Arrays.stream(signal).map(v -> v * times).toArray();
    }

    /** Adds a Gaussian wave of {@code mv} at {@code atS}, {@code sigmaS} wide. */
    private static void addWave(double[] signal, double atS, double sigmaS, double mv) {
        int center = (int) Math.round(atS * 250);
        int half = (int) Math.round(4 * sigmaS * 250);
        for (int i = Math.max(0, center - half); i < Math.min(signal.length, center + half); i++) {
            double t = (i - center) / 250.0;
            signal[i] += mv * Math.exp(-t * t / (2 * sigmaS * sigmaS));
        }
    }

    @ParameterizedTest(name = "{0} times as large for 10 s, seed {1}")
    @CsvSource({"5, 1", "5, 3", "10, 2", "10, 6"})
    void afterSecondsOfALargerEcgAtMostOneBeatIsMissed(double times, long seed) {
        // The QRS level learned from the larger beats let the next ones pass for 2.5-5 s, a
        // false pause; two clear QRS complexes one interval apart now set it again.
        double[] mv = SyntheticEcg.standard(250, seed).render(List.of(new Segment(60, 72))).millivolts();
        for (int i = 20 * 250; i < 30 * 250; i++) {
            mv[i] *= times;
        }
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        new EcgAnalyzer(250, MainsFrequency.HZ_50).accept(mv, beats::add);

        for (int k = 1; k < beats.size(); k++) {
            long at = beats.get(k).sampleIndex();
            if (at > 25 * 250) {
                assertThat(at - beats.get(k - 1).sampleIndex()).as("interval ending at %.2f s", at / 250.0)
                        .isLessThan(Math.round(1.8 * 250));
            }
        }
    }

    @Test
    void aQrsUnderTheLeastSizeIsNotABeat() {
        // The same rhythm shrunk to about 0.13 mV peak to peak in the band-passed ECG: below what
        // can be told from noise (QrsDetector.MIN_QRS_MV), so it reads as no beats at all.
        SyntheticEcg.Recording recording = new SyntheticEcg(250, 1000, 0.02, 0.002, 0, 3)
                .render(List.of(new Segment(30, 72)));
        double[] mv = recording.millivolts();
        for (int i = 0; i < mv.length; i++) {
            mv[i] /= 12;
        }
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        new EcgAnalyzer(250, MainsFrequency.HZ_50).accept(mv, beats::add);

        assertThat(beats).isEmpty();
    }

    @Test
    void reportsRrIntervalsInDeviceSamples() {
        SyntheticEcg.Recording recording = new SyntheticEcg(360, 1000, 0, 0.01, 0, 5)
                .render(List.of(new Segment(30, 60)));
        List<EcgAnalyzer.DetectedBeat> beats = analyse(recording, 360);

        assertThat(beats.get(0).rrSamples()).isZero();
        assertThat(beats.subList(1, beats.size())).allSatisfy(b -> assertThat(b.rrSamples()).isBetween(354.0, 366.0));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void beatsDoNotDependOnChunkBoundariesOrOnStateBeingMovedBetweenInstances(long seed)
            throws InvalidProtocolBufferException {
        int fs = 360;
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, seed)
                .render(List.of(new Segment(20, 70), new Segment(20, 160), new Segment(20, 45)));
        double[] mv = recording.millivolts();
        // A flat stretch, mains hum and a baseline jump, so that technical events are part of what must not change.
        Arrays.fill(mv, 25 * fs, 28 * fs, 0.3);
        for (int i = 45 * fs; i < mv.length; i++) {
            mv[i] += 3.5 * Math.exp(-(i - 45.0 * fs) / fs / 2);
        }
        for (int i = 35 * fs; i < 38 * fs; i++) {
            mv[i] = Math.sin(2 * Math.PI * 50 * i / fs); // an electrode off the skin, picking up mains
        }
        List<Object> whole = new ArrayList<>();
        new EcgAnalyzer(fs, MainsFrequency.HZ_50).accept(mv, collector(whole));

        Random random = new Random(seed);
        List<Object> chunked = new ArrayList<>();
        byte[] state = new EcgAnalyzer(fs, MainsFrequency.HZ_50).snapshot().toByteArray();
        for (int start = 0; start < mv.length; ) {
            // 1 sample up to 10 s, weighted towards short chunks.
            int size = 1 + (int) (Math.pow(random.nextDouble(), 3) * 10 * fs);
            int end = Math.min(mv.length, start + size);
            EcgAnalyzer analyzer = EcgAnalyzer.restore(EcgAnalyzerState.parseFrom(state));
            analyzer.accept(mv, start, end, collector(chunked));
            state = analyzer.snapshot().toByteArray();
            start = end;
        }

        assertThat(chunked).containsExactlyElementsOf(whole);
        assertThat(whole).hasSizeGreaterThan(70); // about 90 beats less the 6 s of flat line and hum
        assertThat(whole).hasAtLeastOneElementOfType(EcgAnalyzer.TechnicalEvent.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 360, 1000})
    void everyBeatIsReportedWithinHalfASecondOfItsRPeak(int fs) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 3)
                .render(List.of(new Segment(30, 60), new Segment(30, 180)));
        double[] mv = recording.millivolts();
        EcgAnalyzer analyzer = new EcgAnalyzer(fs, MainsFrequency.HZ_60);
        List<Double> delaysS = new ArrayList<>();
        for (int i = 0; i < mv.length; i++) {
            analyzer.accept(mv, i, i + 1, beat -> delaysS.add((analyzer.inputCount() - 1 - beat.sampleIndex())
                    / (double) fs));
        }
        assertThat(delaysS).hasSizeGreaterThan(100);
        assertThat(delaysS).allSatisfy(d -> assertThat(d).isBetween(0.0, 0.5));
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 250, 360, 1000})
    void perDeviceStateIsSmall(int fs) {
        SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, 1).render(List.of(new Segment(10, 70)));
        EcgAnalyzer analyzer = new EcgAnalyzer(fs, MainsFrequency.HZ_50);
        analyzer.accept(recording.millivolts(), beat -> { });

        int bytes = analyzer.snapshot().getSerializedSize();
        System.out.printf("Signal path state at %d Hz: %d bytes%n", fs, bytes);
        // Dominated by 0.5 s of band-passed ECG and slope at 250 Hz, 8 bytes a value, the last second
        // of ECG that beat windows are cut from, 4 bytes a value, plus resampler taps.
        assertThat(bytes).isLessThan(5_000);
    }

    private static EcgAnalyzer.Output collector(List<Object> into) {
        return new EcgAnalyzer.Output() {
            @Override
            public void beat(EcgAnalyzer.DetectedBeat beat) {
                into.add(beat);
            }

            @Override
            public void technicalEvent(EcgAnalyzer.TechnicalEvent event) {
                into.add(event);
            }
        };
    }

    private static List<EcgAnalyzer.DetectedBeat> analyse(SyntheticEcg.Recording recording, int fs) {
        List<EcgAnalyzer.DetectedBeat> beats = new ArrayList<>();
        EcgAnalyzer analyzer = new EcgAnalyzer(fs, MainsFrequency.HZ_50);
        analyzer.accept(recording.millivolts(), beats::add);
        // The recording ends: the last beats need no more look-ahead.
        analyzer.finish(beats::add);
        return beats;
    }
}
