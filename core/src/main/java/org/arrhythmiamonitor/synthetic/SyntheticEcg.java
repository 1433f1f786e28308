package org.arrhythmiamonitor.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript.BeatKind;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;

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

    /** Heart-rate variability of {@link #standard}. */
    static final double STANDARD_HRV = 0.02;

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
        return new SyntheticEcg(fsHz, 1000.0, STANDARD_HRV, 0.01, 0.05, seed);
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

    /**
     * An atrial premature beat: a normal QRS after an early P wave of ectopic origin (low atrium,
     * so inverted in lead II).
     */
    private static final double[] A_CENTRE_S = {-0.16, -0.035, 0.0, 0.035, 0.30};
    private static final double[] A_AMPLITUDE_MV = {-0.12, -0.12, 1.20, -0.25, 0.30};
    /** In atrial fibrillation: no P wave; the atria show fibrillatory waves instead. */
    private static final double[] F_AMPLITUDE_MV = {0, -0.12, 1.20, -0.25, 0.30};
    /** Fibrillatory waves: two frequencies of the 4-9 Hz band, millivolts. */
    private static final double FIB_WAVE_MV = 0.04;

    /**
     * Samples in ADC units, the sample index of every R peak, and the ground truth as WFDB
     * annotations (beat classes and rhythm changes, in time order).
     */
    public record Recording(double fsHz, double gainPerMv, int[] samples, int[] rPeaks, List<Annotation> annotations) {
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
        List<Annotation> annotations = new ArrayList<>();

        double segmentStart = 0;
        double t = 0.35; // first R peak leaves room for its P wave
        for (Segment segment : segments) {
            double segmentEnd = segmentStart + segment.durationS();
            double meanRr = 60.0 / segment.bpm();
            while (t < segmentEnd) {
                int peak = (int) Math.round(t * fsHz);
                if (peak < n) {
                    peaks.add(peak);
                    annotations.add(Annotation.beat(peak, segment.ventricular() ? AnnotationCode.PVC
                            : AnnotationCode.NORMAL));
                    addBeat(mv, t, meanRr, segment.ventricular() ? BeatKind.VENTRICULAR : BeatKind.NORMAL);
                }
                t += meanRr * (1 + hrvFraction * random.nextGaussian());
            }
            segmentStart = segmentEnd;
        }

        return new Recording(fsHz, gainPerMv, digitise(mv), peaks.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(annotations));
    }

    /**
     * Renders a scripted sequence of rhythms and arrhythmias, with its ground truth: every beat
     * whose QRS complex the recording holds in full is annotated ('N', 'V' or 'A'), and every
     * rhythm change ({@code (N}, {@code (AFIB}, {@code (VT}, {@code (SVTA}, {@code (B}, {@code (T}).
     */
    public Recording render(ArrhythmiaScript script) {
        ArrhythmiaScript.Plan plan = script.plan(random, hrvFraction);
        int n = (int) Math.round(plan.durationS() * fsHz);
        double[] mv = new double[n];
        List<Integer> peaks = new ArrayList<>();
        List<Annotation> annotations = new ArrayList<>();
        int labels = 0;
        double previous = Double.NaN;
        for (ArrhythmiaScript.PlannedBeat beat : plan.beats()) {
            int peak = (int) Math.round(beat.timeS() * fsHz);
            double rr = Double.isNaN(previous) ? 0.8 : Math.min(1.5, Math.max(0.3, beat.timeS() - previous));
            previous = beat.timeS();
            while (labels < plan.rhythms().size() && plan.rhythms().get(labels).timeS() <= beat.timeS()) {
                long at = Math.min(n - 1, Math.round(plan.rhythms().get(labels).timeS() * fsHz));
                annotations.add(Annotation.rhythm(at, plan.rhythms().get(labels++).rhythm()));
            }
            if (peak >= n - 0.1 * fsHz || inside(plan.leadOff(), beat.timeS())) {
                continue;
            }
            peaks.add(peak);
            annotations.add(Annotation.beat(peak, switch (beat.kind()) {
                case VENTRICULAR -> AnnotationCode.PVC;
                case ATRIAL_PREMATURE -> AnnotationCode.APC;
                case NORMAL, FIBRILLATION -> AnnotationCode.NORMAL;
            }));
            addBeat(mv, beat.timeS(), rr, beat.kind());
        }
        for (ArrhythmiaScript.Span span : plan.fibrillation()) {
            addFibrillatoryWaves(mv, span);
        }
        for (ArrhythmiaScript.Span span : plan.noise()) {
            for (int i = index(span.fromS(), n); i < index(span.toS(), n); i++) {
                mv[i] += plan.noiseMv() * random.nextGaussian();
            }
        }
        int[] samples = digitise(mv);
        for (ArrhythmiaScript.Span span : plan.leadOff()) {
            // A detached electrode: the amplifier settles to a flat line.
            Arrays.fill(samples, index(span.fromS(), n), index(span.toS(), n), 0);
        }
        return new Recording(fsHz, gainPerMv, samples, peaks.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(annotations));
    }

    private static boolean inside(List<ArrhythmiaScript.Span> spans, double timeS) {
        return spans.stream().anyMatch(s -> timeS >= s.fromS() && timeS < s.toS());
    }

    private int index(double seconds, int n) {
        return (int) Math.max(0, Math.min(n, Math.round(seconds * fsHz)));
    }

    private void addFibrillatoryWaves(double[] mv, ArrhythmiaScript.Span span) {
        double f1 = 5 + random.nextDouble();
        double f2 = 6.5 + random.nextDouble();
        double p1 = random.nextDouble() * 2 * Math.PI;
        double p2 = random.nextDouble() * 2 * Math.PI;
        for (int i = index(span.fromS(), mv.length); i < index(span.toS(), mv.length); i++) {
            double t = i / fsHz;
            // Slowly varying amplitude: fibrillatory waves wax and wane.
            double envelope = 0.7 + 0.3 * Math.sin(2 * Math.PI * 0.2 * t + p1);
            mv[i] += FIB_WAVE_MV * envelope
                    * (Math.sin(2 * Math.PI * f1 * t + p1) + 0.6 * Math.sin(2 * Math.PI * f2 * t + p2));
        }
    }

    /** Adds baseline wander and white noise, and converts to ADC units. */
    private int[] digitise(double[] mv) {
        int[] samples = new int[mv.length];
        double wanderPhase = random.nextDouble() * 2 * Math.PI;
        for (int i = 0; i < mv.length; i++) {
            double seconds = i / fsHz;
            double value = mv[i]
                    + wanderMv * Math.sin(2 * Math.PI * 0.3 * seconds + wanderPhase)
                    + noiseMv * random.nextGaussian();
            samples[i] = (int) Math.round(value * gainPerMv);
        }
        return samples;
    }

    private void addBeat(double[] mv, double rPeakS, double rrS, BeatKind kind) {
        // Bazett-like scaling: P-R and R-T distances shrink with the square root of the RR.
        double scale = Math.sqrt(rrS);
        boolean ventricular = kind == BeatKind.VENTRICULAR;
        double[] centres = switch (kind) {
            case VENTRICULAR -> V_CENTRE_S;
            case ATRIAL_PREMATURE -> A_CENTRE_S;
            case NORMAL, FIBRILLATION -> CENTRE_S;
        };
        double[] amplitudes = switch (kind) {
            case VENTRICULAR -> V_AMPLITUDE_MV;
            case ATRIAL_PREMATURE -> A_AMPLITUDE_MV;
            case FIBRILLATION -> F_AMPLITUDE_MV;
            case NORMAL -> AMPLITUDE_MV;
        };
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
