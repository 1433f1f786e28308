package org.arrhythmiamonitor.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic single-lead ECG with known R-peak positions, so demos and tests run anywhere with a
 * ground truth. Each beat is a sum of Gaussian P, Q, R, S and T waves (the morphology model of
 * McSharry et al., ECGSYN, 2003), with QT shortening as the rate rises, beat-to-beat
 * heart-rate variability, baseline wander and white noise.
 */
public final class SyntheticEcg {
    /** Wave centres relative to the R peak, seconds at 60 bpm. */
    private static final double[] CENTRE_S = {-0.20, -0.035, 0.0, 0.035, 0.30};
    /** Wave amplitudes in millivolts. */
    private static final double[] AMPLITUDE_MV = {0.15, -0.12, 1.20, -0.25, 0.30};
    /** Wave widths (standard deviations), seconds. */
    private static final double[] WIDTH_S = {0.025, 0.010, 0.011, 0.011, 0.060};
    /**
     * A ventricular beat: no P wave, a wide QRS complex (the ventricles depolarise cell to cell,
     * not through the conduction system) and a T wave opposite to it.
     */
    private static final double[] V_CENTRE_S = {0, -0.05, 0.0, 0.06, 0.32};
    private static final double[] V_AMPLITUDE_MV = {0, -0.20, 1.50, -0.70, -0.50};
    private static final double[] V_WIDTH_S = {0.025, 0.020, 0.030, 0.030, 0.080};

    private final double fsHz;
    private final double gainPerMv;
    private final double hrvFraction;
    private final double noiseMv;
    private final double wanderMv;
    private final Random random;

    /**
     * @param fsHz sampling rate
     * @param gainPerMv ADC units per millivolt of the integer output (1000 gives microvolts)
     * @param hrvFraction standard deviation of beat-to-beat RR variation, as a fraction of the RR
     * @param noiseMv standard deviation of white noise, millivolts
     * @param wanderMv amplitude of 0.3 Hz baseline wander, millivolts
     * @param seed random seed; the same seed gives the same signal
     */
    public SyntheticEcg(double fsHz, double gainPerMv, double hrvFraction, double noiseMv, double wanderMv,
            long seed) {
        if (!(fsHz > 0) || !(gainPerMv > 0)) {
            throw new IllegalArgumentException("fs and gain must be positive, got fs=" + fsHz + " gain=" + gainPerMv);
        }
        this.fsHz = fsHz;
        this.gainPerMv = gainPerMv;
        this.hrvFraction = hrvFraction;
        this.noiseMv = noiseMv;
        this.wanderMv = wanderMv;
        this.random = new Random(seed);
    }

    /** A clean, realistic default: microvolt output, 2 % HRV, light noise and wander. */
    public static SyntheticEcg standard(double fsHz, long seed) {
        return new SyntheticEcg(fsHz, 1000.0, 0.02, 0.01, 0.05, seed);
    }

    /** A stretch of constant mean heart rate, of normal beats or, for a ventricular rhythm, of ventricular beats. */
    public record Segment(double durationS, double bpm, boolean ventricular) {
        public Segment {
            if (!(durationS > 0) || !(bpm >= 10 && bpm <= 300)) {
                throw new IllegalArgumentException("segment needs duration > 0 and 10-300 bpm, got "
                        + durationS + " s at " + bpm + " bpm");
            }
        }

        public Segment(double durationS, double bpm) {
            this(durationS, bpm, false);
        }

        /** Ventricular beats, as in a run of ventricular tachycardia. */
        public static Segment ventricular(double durationS, double bpm) {
            return new Segment(durationS, bpm, true);
        }
    }

    /** Samples in ADC units and the sample index of every R peak. */
    public record Recording(double fsHz, double gainPerMv, int[] samples, int[] rPeaks) {
        /** The samples in millivolts. */
        public double[] millivolts() {
            double[] mv = new double[samples.length];
            for (int i = 0; i < mv.length; i++) {
                mv[i] = samples[i] / gainPerMv;
            }
            return mv;
        }
    }

    /** Renders the segments one after the other. */
    public Recording render(List<Segment> segments) {
        double totalS = segments.stream().mapToDouble(Segment::durationS).sum();
        int n = (int) Math.round(totalS * fsHz);
        double[] mv = new double[n];
        List<Integer> peaks = new ArrayList<>();

        double segmentStart = 0;
        double t = 0.35; // first R peak leaves room for its P wave
        for (Segment segment : segments) {
            double segmentEnd = segmentStart + segment.durationS();
            double meanRr = 60.0 / segment.bpm();
            while (t < segmentEnd) {
                int peak = (int) Math.round(t * fsHz);
                if (peak < n) {
                    peaks.add(peak);
                    addBeat(mv, t, meanRr, segment.ventricular());
                }
                t += meanRr * (1 + hrvFraction * random.nextGaussian());
            }
            segmentStart = segmentEnd;
        }

        int[] samples = new int[n];
        double wanderPhase = random.nextDouble() * 2 * Math.PI;
        for (int i = 0; i < n; i++) {
            double seconds = i / fsHz;
            double value = mv[i]
                    + wanderMv * Math.sin(2 * Math.PI * 0.3 * seconds + wanderPhase)
                    + noiseMv * random.nextGaussian();
            samples[i] = (int) Math.round(value * gainPerMv);
        }
        return new Recording(fsHz, gainPerMv, samples, peaks.stream().mapToInt(Integer::intValue).toArray());
    }

    private void addBeat(double[] mv, double rPeakS, double rrS, boolean ventricular) {
        // Bazett-like scaling: P-R and R-T distances shrink with the square root of the RR.
        double scale = Math.sqrt(rrS);
        double[] centres = ventricular ? V_CENTRE_S : CENTRE_S;
        double[] amplitudes = ventricular ? V_AMPLITUDE_MV : AMPLITUDE_MV;
        double[] widths = ventricular ? V_WIDTH_S : WIDTH_S;
        for (int wave = 0; wave < centres.length; wave++) {
            if (amplitudes[wave] == 0) {
                continue;
            }
            double centre = rPeakS + centres[wave] * (wave == 2 || ventricular && wave < 4 ? 1 : scale);
            double width = widths[wave] * (wave == 0 || wave == 4 ? scale : 1);
            int from = Math.max(0, (int) Math.floor((centre - 4 * width) * fsHz));
            int to = Math.min(mv.length - 1, (int) Math.ceil((centre + 4 * width) * fsHz));
            for (int i = from; i <= to; i++) {
                double d = i / fsHz - centre;
                mv[i] += amplitudes[wave] * Math.exp(-d * d / (2 * width * width));
            }
        }
    }
}
