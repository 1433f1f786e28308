package org.arrhythmiamonitor.signal;

/**
 * Coefficients of one second-order IIR section, normalised so a0 = 1, designed with the bilinear
 * transform as in R. Bristow-Johnson's "Audio EQ Cookbook" (frequencies are pre-warped, so the
 * corner lands exactly where asked).
 */
public record Biquad(double b0, double b1, double b2, double a1, double a2) {

    public static Biquad lowPass(double fsHz, double cornerHz, double q) {
        double w = omega(fsHz, cornerHz);
        double alpha = Math.sin(w) / (2 * q);
        double cos = Math.cos(w);
        return normalised((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad highPass(double fsHz, double cornerHz, double q) {
        double w = omega(fsHz, cornerHz);
        double alpha = Math.sin(w) / (2 * q);
        double cos = Math.cos(w);
        return normalised((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    /** A notch at {@code centreHz}; its -3 dB width is {@code centreHz / q}. */
    public static Biquad notch(double fsHz, double centreHz, double q) {
        double w = omega(fsHz, centreHz);
        double alpha = Math.sin(w) / (2 * q);
        double cos = Math.cos(w);
        return normalised(1, -2 * cos, 1, 1 + alpha, -2 * cos, 1 - alpha);
    }

    /** Complex response at {@code hz}, as {re, im}. */
    public double[] response(double fsHz, double hz) {
        double w = 2 * Math.PI * hz / fsHz;
        double c1 = Math.cos(w), s1 = -Math.sin(w), c2 = Math.cos(2 * w), s2 = -Math.sin(2 * w);
        double numRe = b0 + b1 * c1 + b2 * c2, numIm = b1 * s1 + b2 * s2;
        double denRe = 1 + a1 * c1 + a2 * c2, denIm = a1 * s1 + a2 * s2;
        double den = denRe * denRe + denIm * denIm;
        return new double[] {(numRe * denRe + numIm * denIm) / den, (numIm * denRe - numRe * denIm) / den};
    }

    private static double omega(double fsHz, double hz) {
        if (!(hz > 0 && hz < fsHz / 2)) {
            throw new IllegalArgumentException("filter frequency " + hz + " Hz must lie between 0 and half the "
                    + "sampling rate (" + fsHz / 2 + " Hz)");
        }
        return 2 * Math.PI * hz / fsHz;
    }

    private static Biquad normalised(double b0, double b1, double b2, double a0, double a1, double a2) {
        return new Biquad(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);
    }
}
