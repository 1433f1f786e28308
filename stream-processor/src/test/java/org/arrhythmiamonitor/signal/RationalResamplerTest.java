package org.arrhythmiamonitor.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RationalResamplerTest {
    private static double[] sine(double fs, double hz, double seconds) {
        double[] x = new double[(int) Math.round(fs * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(2 * Math.PI * hz * i / fs);
        }
        return x;
    }

    private static double[] run(RationalResampler resampler, double[] input) {
        List<Double> out = new ArrayList<>();
        resampler.accept(input, out::add);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @ParameterizedTest(name = "{0} Hz -> 250 Hz")
    @ValueSource(ints = {100, 128, 200, 250, 257, 360, 500, 1000})
    void aTenHertzSineComesOutUndistortedAndOnTimeOnceTheDelayIsCompensated(int fs) {
        RationalResampler resampler = new RationalResampler(fs, 250);
        double[] out = run(resampler, sine(fs, 10, 10));

        assertThat(out.length).isBetween(2499, 2500);
        double delay = resampler.delaySeconds();
        // 24 input samples of filter: 0.12 s at 100 Hz, 48 ms at 1000 Hz (96 taps), within the 0.5 s budget.
        assertThat(delay).isLessThan(0.125);
        double worst = 0;
        for (int m = 250; m < out.length; m++) {
            double expected = Math.sin(2 * Math.PI * 10 * (m / 250.0 - delay));
            worst = Math.max(worst, Math.abs(out[m] - expected));
        }
        assertThat(worst).as("largest error after the 1 s start-up").isLessThan(0.01);
    }

    @Test
    void exactRatiosAreReduced() {
        assertThat(new RationalResampler(360, 250)).satisfies(r -> {
            assertThat(r.up()).isEqualTo(25);
            assertThat(r.down()).isEqualTo(36);
        });
        assertThat(new RationalResampler(257, 250).up()).isEqualTo(250);
        assertThat(new RationalResampler(128, 250).down()).isEqualTo(64);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 1000})
    void noiseAboveTheNewNyquistDoesNotAliasIntoTheEcgBand(int fs) {
        // 200 Hz would fold to 50 Hz at 250 Hz; it must be suppressed.
        double[] out = run(new RationalResampler(fs, 250), sine(fs, 200, 10));
        double peak = Arrays.stream(out, 250, out.length).map(Math::abs).max().orElseThrow();
        assertThat(peak).isLessThan(0.01);
    }

    @Test
    void aConstantStaysExactlyConstant() {
        double[] ones = new double[3600];
        Arrays.fill(ones, 1.0);
        double[] out = run(new RationalResampler(360, 250), ones);
        assertThat(Arrays.stream(out, 100, out.length)).allSatisfy(v -> assertThat(v).isCloseTo(1.0, Offset.offset(1e-12)));
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 257, 360, 1000})
    void outputDoesNotDependOnChunkBoundaries(int fs) {
        Random random = new Random(fs);
        double[] input = new double[fs * 20];
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextGaussian();
        }
        double[] whole = run(new RationalResampler(fs, 250), input);

        List<Double> chunked = new ArrayList<>();
        RationalResampler.State state = new RationalResampler(fs, 250).snapshot();
        for (int start = 0; start < input.length; ) {
            int end = Math.min(input.length, start + 1 + random.nextInt(fs * 3));
            RationalResampler resampler = RationalResampler.restore(fs, 250, state);
            resampler.accept(Arrays.copyOfRange(input, start, end), chunked::add);
            state = resampler.snapshot();
            start = end;
        }
        assertThat(chunked.stream().mapToDouble(Double::doubleValue).toArray()).containsExactly(whole);
    }
}
