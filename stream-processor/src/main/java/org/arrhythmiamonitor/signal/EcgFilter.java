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

    private final BiquadCascade cascade;
    private final double delaySamples;

    public EcgFilter(double fsHz, MainsFrequency mains) {
        List<Biquad> sections = new ArrayList<>();
        sections.add(Biquad.highPass(fsHz, HIGH_PASS_HZ, Math.sqrt(0.5)));
        // Fourth-order Butterworth as two sections with the poles' Q values.
        sections.add(Biquad.lowPass(fsHz, LOW_PASS_HZ, 0.541_196_100_146_197));
        sections.add(Biquad.lowPass(fsHz, LOW_PASS_HZ, 1.306_562_964_876_376_5));
        if (mains != MainsFrequency.OFF) {
            sections.add(Biquad.notch(fsHz, mains.hz(), NOTCH_Q));
        }
        this.cascade = new BiquadCascade(sections);
        this.delaySamples = groupDelay(sections, fsHz, QRS_BAND_HZ);
    }

    /** Filters one sample. */
    public double filter(double x) {
        return cascade.filter(x);
    }

    /** Group delay in the QRS band, in samples. */
    public double delaySamples() {
        return delaySamples;
    }

    /** The filter's memory, two values per section. */
    public double[] state() {
        return cascade.state();
    }

    /** Restores the memory {@link #state()} gave; fails when the mains notch setting changed in between. */
    public void restore(List<Double> saved) {
        cascade.restore(saved);
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
