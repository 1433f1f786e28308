package org.arrhythmiamonitor.beat;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.state.v1.BeatFeatureState;

/**
 * Turns one device's beats, in order, into {@link BeatFeatures}. The stream processor and the
 * training data export ({@code monitor dataset}) both run this class, so what a model is trained
 * on and what it is served cannot drift apart.
 *
 * <p>A beat's features need the interval to the next beat (a compensatory pause is much of what
 * tells a ventricular beat from a supraventricular one), so callers hand each beat over once the
 * next one is known, or once they give up waiting for it.
 */
public final class BeatFeatureExtractor {
    /** Intervals outside this range are artefacts or pauses; ratios of them would mislead. */
    static final double MIN_RR_S = 0.2;
    static final double MAX_RR_S = 3.0;
    /** About the last 10 intervals. */
    public static final double LOCAL_WEIGHT = 0.1;
    /** About the last 5 minutes at a normal rate. */
    static final double LONG_WEIGHT = 1.0 / 300;
    /** A beat this much earlier than the local rhythm is premature and stays out of the template. */
    public static final double PREMATURE_RATIO = 0.9;
    /** The template follows morphology changes over about this many beats. */
    static final int TEMPLATE_BEATS = 16;
    /**
     * A beat whose QRS looks less like the template's than this ({@link BeatFeatures#qrsShapeSimilarity})
     * has another shape. The correlation, so that a QRS that only grows or shrinks keeps its shape.
     */
    static final double OTHER_SHAPE = 0.7;
    /**
     * Intervals under this (over 100 beats a minute, DESIGN's ventricular rate) make a rhythm of
     * another shape a ventricular tachycardia, which must not become the usual beat: learnt, its
     * beats stopped looking ventricular to the model about 10 s in, and the VT's alarm ended while
     * it went on. So it is not learnt however long it lasts: a template that learnt it after 96
     * beats reported a 144 s VT at 125 a minute ended 64 s in, and a slow VT raises no other
     * alarm. Slower, a new shape is learnt at once, as any beat that is not early. The cost: a
     * shape that changes during a sinus tachycardia or fast AF (an electrode moved) is learnt only
     * once the rate falls under 100, and its beats may be called V until then, an alarm a look at
     * the strip answers rather than a VT missed.
     */
    static final double FAST_RR_S = 0.6;
    static final double DEFAULT_RR_S = 0.8;

    private double localRr;
    private double longRr;
    private final float[] template = new float[BeatWindow.LENGTH];
    private int templateBeats;

    public BeatFeatureExtractor() {
    }

    /**
     * Features of the next beat of this device; then learns from it.
     *
     * @param window the beat's {@link BeatWindow}, band-passed millivolts
     * @param prevRrS interval from the previous beat, seconds; 0 or less when unknown
     * @param nextRrS interval to the next beat, seconds; 0 or less when unknown
     * @param readable whether the signal around the beat was free of issues
     */
    public BeatFeatures next(float[] window, double prevRrS, double nextRrS, boolean readable) {
        if (window.length != BeatWindow.LENGTH) {
            throw new IllegalArgumentException("beat window must have " + BeatWindow.LENGTH + " samples, got "
                    + window.length);
        }
        float[] beat = centred(window);
        double prev = known(prevRrS) ? clamp(prevRrS) : known(nextRrS) ? clamp(nextRrS) : fallback();
        double next = known(nextRrS) ? clamp(nextRrS) : prev;
        if (localRr == 0) {
            localRr = prev;
            longRr = prev;
        }
        float[] rr = {
            (float) prev, (float) next, (float) localRr, (float) (prev / localRr), (float) (next / localRr),
            (float) (next / prev), (float) (localRr / longRr)
        };
        float[] context = templateBeats == 0 ? beat.clone() : template.clone();
        boolean premature = prev < PREMATURE_RATIO * localRr;
        boolean teaches = readable && !premature && learnsFrom(beat);
        BeatFeatures features = new BeatFeatures(beat, context, rr, teaches);
        if (teaches) {
            float weight = 1f / Math.min(templateBeats + 1, TEMPLATE_BEATS);
            for (int k = 0; k < template.length; k++) {
                template[k] += weight * (beat[k] - template[k]);
            }
            templateBeats = Math.min(templateBeats + 1, TEMPLATE_BEATS);
        }
        if (known(prevRrS)) {
            localRr += LOCAL_WEIGHT * (prev - localRr);
            longRr += LONG_WEIGHT * (prev - longRr);
        }
        return features;
    }

    /**
     * Whether a readable beat that did not come early may teach the template: always while the
     * template is young, one of its shape, or one of another shape at a rate under the ventricular
     * one. NaN (a flat stretch) teaches.
     */
    private boolean learnsFrom(float[] beat) {
        return templateBeats < TEMPLATE_BEATS || !(BeatFeatures.qrsShapeSimilarity(beat, template) < OTHER_SHAPE)
                || localRr >= FAST_RR_S;
    }

    /**
     * Features of beat {@code i} of a whole recording's detected beats, handed over in order: the
     * next beat is known, except after the last ({@code monitor eval}, {@code monitor dataset}).
     */
    public BeatFeatures next(List<DetectedBeat> beats, int i, double fsHz) {
        DetectedBeat beat = beats.get(i);
        double nextRrS = i + 1 < beats.size() ? beats.get(i + 1).rrSamples() / fsHz : 0;
        return next(beat.window(), beat.rrSamples() / fsHz, nextRrS, beat.readable());
    }

    private double fallback() {
        return localRr > 0 ? localRr : DEFAULT_RR_S;
    }

    private static boolean known(double rrS) {
        return rrS > 0;
    }

    private static double clamp(double rrS) {
        return Math.max(MIN_RR_S, Math.min(MAX_RR_S, rrS));
    }

    /** The window minus its median: the baseline, robust to the QRS complex and the T wave. */
    public static float[] centred(float[] window) {
        float[] sorted = window.clone();
        Arrays.sort(sorted);
        float median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : 0.5f * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
        float[] out = new float[window.length];
        for (int k = 0; k < window.length; k++) {
            out[k] = window[k] - median;
        }
        return out;
    }

    public BeatFeatureState snapshot() {
        BeatFeatureState.Builder s = BeatFeatureState.newBuilder().setLocalRrS(localRr).setLongRrS(longRr)
                .setTemplateBeats(templateBeats);
        for (float v : template) {
            s.addTemplate(v);
        }
        return s.build();
    }

    public static BeatFeatureExtractor restore(BeatFeatureState s) {
        BeatFeatureExtractor e = new BeatFeatureExtractor();
        if (s.getTemplateCount() != 0 && s.getTemplateCount() != BeatWindow.LENGTH) {
            throw new IllegalArgumentException("saved beat template has " + s.getTemplateCount() + " samples, expected "
                    + BeatWindow.LENGTH);
        }
        e.localRr = s.getLocalRrS();
        e.longRr = s.getLongRrS();
        e.templateBeats = s.getTemplateCount() == 0 ? 0 : s.getTemplateBeats();
        for (int k = 0; k < s.getTemplateCount(); k++) {
            e.template[k] = s.getTemplate(k);
        }
        return e;
    }
}
