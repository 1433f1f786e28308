package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BeatFeaturesTest {
    private static final int ROW = BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH;

    @Test
    void beatsWithThePatientsUsualPWaveAreLikeTheTemplateAndBeatsWithFibrillatoryWavesAreNot() {
        float[] template = beat(pWave(0.15), 0);
        Random random = new Random(3);
        int beats = 41;
        float[] usual = new float[beats * ROW];
        float[] fibrillation = new float[beats * ROW];
        for (int i = 0; i < beats; i++) {
            // The usual P wave, its size and the baseline varying, with noise.
            write(usual, i, withNoise(scaled(beat(pWave(0.15), 0.1 * random.nextGaussian()),
                    0.7f + 0.6f * random.nextFloat()), 0.005, i), template);
            // No P wave: fibrillatory waves of 4-9 Hz in its place, at a phase of their own.
            write(fibrillation, i, beat(fibrillatoryWaves(0.05, 4 + 5 * random.nextDouble(), random.nextDouble()), 0),
                    template);
        }
        // One beat's waves can happen to line up with the P wave; their median over many cannot.
        assertThat(median(usual, beats)).isGreaterThan(0.95);
        assertThat(median(fibrillation, beats)).isBetween(-0.3, 0.3);
    }

    @Test
    void aFlatStretchHasNoSimilarity() {
        float[] batch = new float[ROW];
        write(batch, 0, beat(new float[BeatWindow.LENGTH], 0), beat(pWave(0.15), 0));
        assertThat(BeatFeatures.pWaveSimilarity(batch, 0)).isNaN();
    }

    @Test
    void onlyTheStretchBeforeTheQrsCounts() {
        // The same P wave, one QRS complex upright and one inverted: still the same P wave.
        float[] template = beat(pWave(0.15), 0);
        float[] inverted = beat(pWave(0.15), 0);
        for (int k = BeatWindow.P_WAVE_END; k < BeatWindow.LENGTH; k++) {
            inverted[k] = -inverted[k];
        }
        float[] batch = new float[ROW];
        write(batch, 0, inverted, template);
        assertThat(BeatFeatures.pWaveSimilarity(batch, 0)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void theUsualQrsIsNoDistanceFromTheTemplateAndAWideOrLargerOneIsFar() {
        float[] template = beat(pWave(0.15), 0);
        float[] batch = new float[4 * ROW];
        // The same QRS on another baseline, with a little noise.
        write(batch, 0, withNoise(beat(pWave(0.15), 0.2), 0.005, 1), template);
        // Twice the size: the same shape, which a correlation would not tell apart.
        write(batch, 1, scaled(template, 2), template);
        // A wide QRS complex of the same height, as a ventricular beat has.
        float[] wide = new float[BeatWindow.LENGTH];
        for (int k = 0; k < wide.length; k++) {
            double t = (k - BeatWindow.BEFORE) / (double) BeatWindow.RATE_HZ;
            wide[k] = (float) Math.exp(-t * t / (2 * 0.04 * 0.04));
        }
        write(batch, 2, wide, template);
        write(batch, 3, template, new float[BeatWindow.LENGTH]);
        assertThat(BeatFeatures.qrsDifference(batch, 0)).isLessThan(TemplateMatch.MAX_QRS_DIFFERENCE / 2);
        assertThat(BeatFeatures.qrsDifference(batch, ROW)).isCloseTo(1.0, within(1e-6));
        assertThat(BeatFeatures.qrsDifference(batch, 2 * ROW)).isGreaterThan(1.0);
        assertThat(BeatFeatures.qrsDifference(batch, 3 * ROW)).isNaN();
    }

    @Test
    void theQrsStretchRunsFrom100MsBeforeTo152MsAfterTheRPeak() {
        float[] template = beat(pWave(0.15), 0);
        float[] batch = new float[2 * ROW];
        float[] outside = template.clone();
        outside[BeatWindow.QRS_START - 1] += 1;
        outside[BeatWindow.QRS_END] += 1;
        write(batch, 0, outside, template);
        float[] inside = template.clone();
        inside[BeatWindow.QRS_START] += 0.5f;
        inside[BeatWindow.QRS_END - 1] += 0.5f;
        write(batch, 1, inside, template);
        assertThat(BeatWindow.QRS_START).isEqualTo(BeatWindow.BEFORE - 25);
        assertThat(BeatWindow.QRS_END).isEqualTo(BeatWindow.BEFORE + 38);
        assertThat(BeatFeatures.qrsDifference(batch, 0)).isCloseTo(0.0, within(1e-9));
        assertThat(BeatFeatures.qrsDifference(batch, ROW)).isGreaterThan(0.1);
    }

    /** A window with {@code atrial} before the QRS complex, a QRS complex of 1 mV at the R peak, and an offset. */
    private static float[] beat(float[] atrial, double offsetMv) {
        float[] w = atrial.clone();
        for (int k = 0; k < BeatWindow.LENGTH; k++) {
            double t = (k - BeatWindow.BEFORE) / (double) BeatWindow.RATE_HZ;
            w[k] += (float) (Math.exp(-t * t / (2 * 0.01 * 0.01)) + offsetMv);
        }
        return w;
    }

    /** A P wave of {@code mv}, 160 ms before the R peak, about 100 ms wide. */
    private static float[] pWave(double mv) {
        float[] w = new float[BeatWindow.LENGTH];
        for (int k = 0; k < w.length; k++) {
            double t = (k - BeatWindow.BEFORE) / (double) BeatWindow.RATE_HZ + 0.16;
            w[k] = (float) (mv * Math.exp(-t * t / (2 * 0.025 * 0.025)));
        }
        return w;
    }

    private static float[] fibrillatoryWaves(double mv, double hz, double phase) {
        float[] w = new float[BeatWindow.LENGTH];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (mv * Math.sin(2 * Math.PI * (hz * k / BeatWindow.RATE_HZ + phase)));
        }
        return w;
    }

    static float[] scaled(float[] w, float gain) {
        float[] out = w.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] *= gain;
        }
        return out;
    }

    private static float[] withNoise(float[] w, double mv, long seed) {
        Random random = new Random(seed);
        float[] out = w.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] += (float) (mv * random.nextGaussian());
        }
        return out;
    }

    private static double median(float[] batch, int beats) {
        double[] values = new double[beats];
        for (int i = 0; i < beats; i++) {
            values[i] = BeatFeatures.pWaveSimilarity(batch, i * ROW);
        }
        java.util.Arrays.sort(values);
        return values[beats / 2];
    }

    private static void write(float[] batch, int slot, float[] beat, float[] template) {
        int rr = BeatFeatures.RR_FEATURES.size();
        new BeatFeatures(beat, template, new float[rr], false).writeTo(batch, new float[(slot + 1) * rr], slot);
    }
}
