package org.arrhythmiamonitor.signal;

import java.util.List;

/**
 * Second-order sections run one after another in direct form II transposed, with their memory
 * (two values per section) exposed so a device's filter can be saved and restored exactly.
 */
public final class BiquadCascade {
    private final double[] coefficients;
    private final double[] state;

    public BiquadCascade(List<Biquad> sections) {
        this.coefficients = new double[5 * sections.size()];
        for (int i = 0; i < sections.size(); i++) {
            Biquad b = sections.get(i);
            System.arraycopy(new double[] {b.b0(), b.b1(), b.b2(), b.a1(), b.a2()}, 0, coefficients, 5 * i, 5);
        }
        this.state = new double[2 * sections.size()];
    }

    /** Filters one sample. */
    public double filter(double x) {
        double[] c = coefficients;
        double[] z = state;
        double v = x;
        for (int k = 0, j = 0; k < c.length; k += 5, j += 2) {
            double y = c[k] * v + z[j];
            z[j] = c[k + 1] * v - c[k + 3] * y + z[j + 1];
            z[j + 1] = c[k + 2] * v - c[k + 4] * y;
            v = y;
        }
        return v;
    }

    /** The cascade's memory, two values per section. */
    public double[] state() {
        return state.clone();
    }

    public void restore(List<Double> saved) {
        if (saved.size() != state.length) {
            throw new IllegalArgumentException("saved filter state has " + saved.size() + " values, expected "
                    + state.length);
        }
        for (int i = 0; i < state.length; i++) {
            state[i] = saved.get(i);
        }
    }
}
