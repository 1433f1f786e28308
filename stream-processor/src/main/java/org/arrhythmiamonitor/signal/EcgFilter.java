package org.arrhythmiamonitor.signal;

import java.util.ArrayList;
import java.util.List;

/**
 * The diagnostic-band filter applied to every ECG before detection: a 0.5 Hz second-order
 * Butterworth high-pass (baseline wander), a 40 Hz fourth-order Butterworth low-pass (muscle
 * noise) and, when configured, a notch at the mains frequency. Causal IIR sections in direct
 * form II transposed: a handful of multiplications per sample, so the filter costs next to
 * nothing next to the resampler.
 *
 * <p>An IIR filter's delay depends on frequency. Beat times are corrected by
 * {@link #delaySamples()}, the group delay in the QRS band (around 10 Hz), where the R peak's
 * energy lies.
 */
public final class EcgFilter {
    public static final double HIGH_PASS_HZ = 0.5;
    public static final double LOW_PASS_HZ = 40;
    /** Width of the notch is mains/Q: 2 Hz at 50 Hz, narrow enough to leave QRS energy alone. */
    private static final double NOTCH_Q = 25;
    private static final double QRS_BAND_HZ = 10;

    private final double[] coefficients;
    private final double[] state;
    private final int sections;
    private final double delaySamples;

    public EcgFilter(double fsHz, MainsFrequency mains) {
        List<Biquad> cascade = new ArrayList<>();
        cascade.add(Biquad.highPass(fsHz, HIGH_PASS_HZ, Math.sqrt(0.5)));
        // Fourth-order Butterworth as two sections with the poles' Q values.
        cascade.add(Biquad.lowPass(fsHz, LOW_PASS_HZ, 0.541_196_100_146_197));
        cascade.add(Biquad.lowPass(fsHz, LOW_PASS_HZ, 1.306_562_964_876_376_5));
        if (mains != MainsFrequency.OFF) {
            cascade.add(Biquad.notch(fsHz, mains.hz(), NOTCH_Q));
        }
        this.sections = cascade.size();
        this.coefficients = new double[5 * sections];
        for (int i = 0; i < sections; i++) {
            Biquad b = cascade.get(i);
            System.arraycopy(new double[] {b.b0(), b.b1(), b.b2(), b.a1(), b.a2()}, 0, coefficients, 5 * i, 5);
        }
        this.state = new double[2 * sections];
        this.delaySamples = groupDelay(cascade, fsHz, QRS_BAND_HZ);
    }

    /** Filters one sample. */
    public double filter(double x) {
        double[] c = coefficients;
        double[] z = state;
        double v = x;
        for (int s = 0, k = 0, j = 0; s < sections; s++, k += 5, j += 2) {
            double y = c[k] * v + z[j];
            z[j] = c[k + 1] * v - c[k + 3] * y + z[j + 1];
            z[j + 1] = c[k + 2] * v - c[k + 4] * y;
            v = y;
        }
        return v;
    }

    /** Group delay in the QRS band, in samples. */
    public double delaySamples() {
        return delaySamples;
    }

    /** The filter's memory, two values per section. */
    public double[] state() {
        return state.clone();
    }

    public void restore(double[] saved) {
        if (saved.length != state.length) {
            throw new IllegalArgumentException("saved filter state has " + saved.length + " values, expected "
                    + state.length + " (was the mains notch setting changed?)");
        }
        System.arraycopy(saved, 0, state, 0, state.length);
    }

    public int stateSize() {
        return state.length;
    }

    private static double groupDelay(List<Biquad> cascade, double fsHz, double hz) {
        double dHz = 0.01;
        return -(phase(cascade, fsHz, hz + dHz) - phase(cascade, fsHz, hz - dHz)) / (2 * Math.PI * 2 * dHz) * fsHz;
    }

    private static double phase(List<Biquad> cascade, double fsHz, double hz) {
        double sum = 0;
        for (Biquad b : cascade) {
            double[] r = b.response(fsHz, hz);
            sum += Math.atan2(r[1], r[0]);
        }
        return sum;
    }
}
