package org.arrhythmiamonitor.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A scripted sequence of rhythms and arrhythmias, with the ground truth a cardiologist would
 * annotate: the class of every beat and the rhythm changes. Steps follow each other in time:
 *
 * <pre>
 * ArrhythmiaScript.start(70).sinus(60).pvc().sinus(20).ventricularRun(6, 160).sinus(30)
 *         .atrialFibrillation(90, 110).sinus(20).pause(3.5).sinus(10).leadOff(15).sinus(10)
 * </pre>
 *
 * Timing follows the physiology: a premature ventricular beat comes early and is followed by a
 * full compensatory pause (the sinus node is not reset); an atrial premature beat resets the
 * sinus node, so the next beat follows one cycle after it; atrial fibrillation has irregularly
 * irregular RR intervals and no P waves.
 */
public final class ArrhythmiaScript {
    /** Coupling interval of a premature ventricular beat, as a fraction of the sinus RR. */
    private static final double PVC_COUPLING = 0.60;
    /** Coupling interval of an atrial premature beat. */
    private static final double APC_COUPLING = 0.70;

    /** How a beat was conducted, which decides its shape and its annotation. */
    public enum BeatKind {
        /** Sinus beat: P wave, narrow QRS. WFDB 'N'. */
        NORMAL,
        /** Ventricular beat: no P wave, wide QRS, opposite T wave. WFDB 'V'. */
        VENTRICULAR,
        /** Atrial premature beat: early, abnormal P wave, narrow QRS. WFDB 'A'. */
        ATRIAL_PREMATURE,
        /** Narrow QRS without a P wave, in atrial fibrillation. WFDB 'N'. */
        FIBRILLATION
    }

    /** One beat at {@code timeS} seconds from the start. */
    public record PlannedBeat(double timeS, BeatKind kind) {
    }

    /** A stretch of time, seconds from the start. */
    public record Span(double fromS, double toS) {
    }

    /** A rhythm change annotation such as {@code (AFIB} at {@code timeS}. */
    public record RhythmLabel(double timeS, String rhythm) {
    }

    /** Everything the renderer draws. */
    public record Plan(double durationS, List<PlannedBeat> beats, List<RhythmLabel> rhythms, List<Span> fibrillation,
            List<Span> leadOff, List<Span> noise, double noiseMv) {
    }

    private interface Step {
        void apply(Planner planner);
    }

    private final double sinusBpm;
    private final List<Step> steps = new ArrayList<>();
    private double noiseBurstMv = 0.5;

    private ArrhythmiaScript(double sinusBpm) {
        this.sinusBpm = sinusBpm;
    }

    /** A script whose sinus rhythm beats at {@code sinusBpm} until {@link #rate} changes it. */
    public static ArrhythmiaScript start(double sinusBpm) {
        checkBpm(sinusBpm);
        return new ArrhythmiaScript(sinusBpm);
    }

    private static void checkBpm(double bpm) {
        if (!(bpm >= 20 && bpm <= 300)) {
            throw new IllegalArgumentException("heart rate must be 20-300 bpm, got " + bpm);
        }
    }

    private static void checkSeconds(double seconds) {
        if (!(seconds > 0 && seconds <= 86_400)) {
            throw new IllegalArgumentException("duration must be in (0, 86400] s, got " + seconds);
        }
    }

    private ArrhythmiaScript add(Step step) {
        steps.add(step);
        return this;
    }

    /** From here on, sinus rhythm beats at {@code bpm}. */
    public ArrhythmiaScript rate(double bpm) {
        checkBpm(bpm);
        return add(p -> p.sinusRr = 60 / bpm);
    }

    /** Sinus rhythm for {@code seconds}. */
    public ArrhythmiaScript sinus(double seconds) {
        checkSeconds(seconds);
        return add(p -> {
            p.label("(N");
            sinusSteps(p, seconds);
        });
    }

    /** One premature ventricular contraction, then a compensatory pause. */
    public ArrhythmiaScript pvc() {
        return add(p -> p.prematureVentricular(1, PVC_COUPLING * p.sinusRr));
    }

    /** Two ventricular beats in a row. */
    public ArrhythmiaScript couplet() {
        return ventricularRun(2, 150);
    }

    /** Three ventricular beats in a row. */
    public ArrhythmiaScript triplet() {
        return ventricularRun(3, 150);
    }

    /** {@code beats} ventricular beats at {@code bpm}: ventricular tachycardia from 3 beats at over 100 bpm. */
    public ArrhythmiaScript ventricularRun(int beats, double bpm) {
        checkBeats(beats);
        checkBpm(bpm);
        return add(p -> {
            if (beats >= 3) {
                p.label("(VT");
            }
            p.prematureVentricular(beats, 60 / bpm);
        });
    }

    /** {@code cycles} cycles of a sinus beat followed by a premature ventricular beat. */
    public ArrhythmiaScript bigeminy(int cycles) {
        return ectopicCycles(cycles, 1, "(B");
    }

    /** {@code cycles} cycles of two sinus beats followed by a premature ventricular beat. */
    public ArrhythmiaScript trigeminy(int cycles) {
        return ectopicCycles(cycles, 2, "(T");
    }

    private ArrhythmiaScript ectopicCycles(int cycles, int normalsPerCycle, String rhythm) {
        checkBeats(cycles);
        return add(p -> {
            p.label(rhythm);
            for (int c = 0; c < cycles; c++) {
                for (int n = 0; n < normalsPerCycle; n++) {
                    p.beat(p.nextSinus(), BeatKind.NORMAL);
                }
                p.prematureVentricular(1, PVC_COUPLING * p.sinusRr);
            }
            p.beat(p.nextSinus(), BeatKind.NORMAL);
            p.cursor = Math.max(p.cursor, p.last);
        });
    }

    /** One atrial premature beat; it resets the sinus node. */
    public ArrhythmiaScript apc() {
        return add(p -> p.prematureAtrial(1, APC_COUPLING * p.sinusRr));
    }

    /** {@code beats} atrial premature beats at {@code bpm}: an SVT run from 3 beats at over 100 bpm. */
    public ArrhythmiaScript svtRun(int beats, double bpm) {
        checkBeats(beats);
        checkBpm(bpm);
        return add(p -> {
            if (beats >= 3) {
                p.label("(SVTA");
            }
            p.prematureAtrial(beats, 60 / bpm);
        });
    }

    /**
     * Atrial fibrillation for {@code seconds}: irregularly irregular ventricular response around
     * {@code meanBpm} (RR intervals drawn independently, coefficient of variation about 0.2),
     * narrow QRS complexes without P waves, and fibrillatory waves on the baseline.
     */
    public ArrhythmiaScript atrialFibrillation(double seconds, double meanBpm) {
        checkSeconds(seconds);
        checkBpm(meanBpm);
        return add(p -> {
            // Fibrillatory waves replace the P waves from the last sinus beat on.
            double start = p.last;
            double end = p.cursor + seconds;
            double meanRr = 60 / meanBpm;
            double t = p.last + Math.max(0.3, meanRr * (1 + 0.2 * p.random.nextGaussian()));
            p.label("(AFIB");
            while (t <= end) {
                p.beat(t, BeatKind.FIBRILLATION);
                // Gamma-like spread without long tails: clipped Gaussian keeps RR within 0.3-2.0 s.
                t += Math.min(2.0, Math.max(0.3, meanRr * (1 + 0.2 * p.random.nextGaussian())));
            }
            p.fibrillation.add(new Span(start, end));
            p.cursor = end;
            // The sinus node takes over again one cycle after the last fibrillation beat.
        });
    }

    /** No beat for {@code seconds} after the last one (sinus arrest): a pause, or asystole from 4 s. */
    public ArrhythmiaScript pause(double seconds) {
        checkSeconds(seconds);
        return add(p -> {
            double next = p.last + seconds;
            p.beat(next, BeatKind.NORMAL);
            p.cursor = Math.max(p.cursor, next);
        });
    }

    /**
     * The electrode comes off for {@code seconds}: the signal is a flat line while the heart beats
     * on unseen (no beats are annotated there: nobody could see them).
     */
    public ArrhythmiaScript leadOff(double seconds) {
        checkSeconds(seconds);
        return add(p -> {
            double start = p.cursor;
            double end = start + seconds;
            p.skipSinusUntil(end);
            p.leadOff.add(new Span(start, end));
            p.cursor = end;
        });
    }

    /** Sinus rhythm under heavy muscle noise for {@code seconds}. */
    public ArrhythmiaScript noiseBurst(double seconds) {
        checkSeconds(seconds);
        return add(p -> {
            double start = p.cursor;
            sinusSteps(p, seconds);
            p.noise.add(new Span(start, p.cursor));
        });
    }

    private static void sinusSteps(Planner p, double seconds) {
        double end = p.cursor + seconds;
        while (p.nextSinus() <= end) {
            p.beat(p.nextSinus(), BeatKind.NORMAL);
        }
        p.cursor = end;
    }

    /** The steps so far, {@code times} times in all (each time with fresh random variation). */
    public ArrhythmiaScript repeat(int times) {
        if (times < 1 || times > 10_000) {
            throw new IllegalArgumentException("repeat 1-10000 times, got " + times);
        }
        List<Step> once = List.copyOf(steps);
        for (int i = 1; i < times; i++) {
            steps.addAll(once);
        }
        return this;
    }

    /** Standard deviation of the noise of {@link #noiseBurst}, millivolts (default 0.5). */
    public ArrhythmiaScript noiseBurstMv(double mv) {
        if (!(mv >= 0 && mv <= 10)) {
            throw new IllegalArgumentException("noise must be 0-10 mV, got " + mv);
        }
        this.noiseBurstMv = mv;
        return this;
    }

    private static void checkBeats(int beats) {
        if (beats < 1 || beats > 10_000) {
            throw new IllegalArgumentException("need 1-10000 beats, got " + beats);
        }
    }

    /** Lays the beats out in time, with heart-rate variability {@code hrvFraction}. */
    public Plan plan(Random random, double hrvFraction) {
        Planner p = new Planner(random, hrvFraction, 60 / sinusBpm);
        for (Step step : steps) {
            step.apply(p);
        }
        return new Plan(p.cursor, List.copyOf(p.beats), List.copyOf(p.rhythms), List.copyOf(p.fibrillation),
                List.copyOf(p.leadOff), List.copyOf(p.noise), noiseBurstMv);
    }

    /**
     * Walks the steps. {@code last} is the time of the last beat, {@code cursor} the end of the
     * last step; a rhythm change is annotated at the first beat of the new rhythm.
     */
    private static final class Planner {
        final Random random;
        final double hrv;
        double sinusRr;
        double last;
        double cursor;
        final List<PlannedBeat> beats = new ArrayList<>();
        final List<RhythmLabel> rhythms = new ArrayList<>();
        final List<Span> fibrillation = new ArrayList<>();
        final List<Span> leadOff = new ArrayList<>();
        final List<Span> noise = new ArrayList<>();
        private String rhythm;
        private String pendingRhythm;
        /** The next sinus beat once drawn, so that asking twice gives the same answer. */
        private double nextSinus = Double.NaN;
        /** Where the sinus node's next beat falls after ventricular beats, which do not reset it. */
        private double compensatory = Double.NaN;

        Planner(Random random, double hrv, double sinusRr) {
            this.random = random;
            this.hrv = hrv;
            this.sinusRr = sinusRr;
            // The first R peak at 0.35 s leaves room for its P wave.
            this.last = 0.35 - sinusRr;
            this.compensatory = 0.35;
        }

        double nextSinus() {
            if (Double.isNaN(nextSinus)) {
                nextSinus = Double.isNaN(compensatory) ? last + sinusRr * (1 + hrv * random.nextGaussian())
                        : compensatory;
            }
            return nextSinus;
        }

        void beat(double time, BeatKind kind) {
            if (pendingRhythm == null && kind == BeatKind.NORMAL && rhythm != null && !rhythm.equals("(N")
                    && !rhythm.equals("(B") && !rhythm.equals("(T")) {
                pendingRhythm = "(N";
            }
            if (pendingRhythm != null) {
                if (!pendingRhythm.equals(rhythm)) {
                    rhythms.add(new RhythmLabel(time, pendingRhythm));
                    rhythm = pendingRhythm;
                }
                pendingRhythm = null;
            }
            beats.add(new PlannedBeat(time, kind));
            last = time;
            nextSinus = Double.NaN;
            compensatory = Double.NaN;
        }

        /** The heart beats on unseen until {@code end}: nothing is drawn or annotated. */
        void skipSinusUntil(double end) {
            while (nextSinus() <= end) {
                last = nextSinus();
                nextSinus = Double.NaN;
                compensatory = Double.NaN;
            }
        }

        /** The rhythm from the next beat on. */
        void label(String newRhythm) {
            pendingRhythm = newRhythm;
        }

        /** {@code count} ventricular beats {@code interval} apart, then a full compensatory pause. */
        void prematureVentricular(int count, double interval) {
            double sinusBefore = last;
            double t = last;
            for (int i = 0; i < count; i++) {
                t += i == 0 ? Math.min(interval, PVC_COUPLING * sinusRr) : interval;
                beat(t, BeatKind.VENTRICULAR);
            }
            // The sinus node kept its pace: its next beat falls on its own schedule after the run.
            double next = sinusBefore + sinusRr;
            while (next < t + 0.5 * sinusRr) {
                next += sinusRr;
            }
            compensatory = next;
            cursor = Math.max(cursor, t);
        }

        /** {@code count} atrial premature beats {@code interval} apart; the sinus node restarts after them. */
        void prematureAtrial(int count, double interval) {
            double t = last;
            for (int i = 0; i < count; i++) {
                t += interval;
                beat(t, BeatKind.ATRIAL_PREMATURE);
            }
            cursor = Math.max(cursor, t);
        }
    }
}
