package org.arrhythmiamonitor.beat;

import org.arrhythmiamonitor.state.v1.TemplateMatchState;

/**
 * The check a Holter analyst makes before accepting a ventricular call: does the QRS complex look
 * like the patient's usual one? A V or F call whose QRS matches the device's template
 * ({@link BeatFeatures#qrsDifference} at most {@value #MAX_QRS_DIFFERENCE}) was conducted the usual
 * way, so it is supraventricular: S when it came clearly early (prematurity index under
 * {@value BeatFeatures#CLEARLY_PREMATURE}), else N. On unseen patients (patient-wise
 * cross-validation on DS1, validation report) the model calls N beats of unusual but steady shape V,
 * in record 203's atrial fibrillation above all: overall V +P 71.8 %, and 43 % of its runs of three
 * or more V beats true; with this check 79.1 % and 56 %, at the same V Se.
 *
 * <p>The difference, not a correlation: a correlation ignores size, and record 223's slow
 * ventricular tachycardia has the usual QRS's shape at 1.2 to 2 times its size. A beat of the usual
 * shape at 0.7 to 1.3 times its size still matches: a QRS that keeps its shape was conducted the
 * usual way.
 *
 * <p>The template must be the patient's usual beat, and two cases make it something else. It is
 * young: for the device's first beats it is the beat itself, or an average of a few, so no call is
 * turned until it has learnt from {@value BeatFeatureExtractor#TEMPLATE_BEATS} beats. And it learns
 * from every readable beat that is not premature, V beats too, so a long ventricular rhythm becomes
 * its own template. The check keeps the share of the template made of beats it left as V, with the
 * template's own weights; once that share reaches {@value #MAX_VENTRICULAR_SHARE}, the template is
 * ventricular and no call is turned until {@value BeatFeatureExtractor#TEMPLATE_BEATS} beats neither
 * V nor like it have joined it. The share alone is not enough: a held-out model called half of
 * record 207's long ventricular run N, those beats diluted the share, and the rest of the run's V
 * calls were turned. Fed the reference labels of DS1 as the model's classes, it turns no V beat, on
 * the whole records or on a device that starts at any of their ventricular runs. One instance per
 * device, in beat order.
 */
public final class TemplateMatch {
    /** A QRS this close to the template's ({@link BeatFeatures#qrsDifference}) is the patient's usual QRS. */
    static final double MAX_QRS_DIFFERENCE = 0.1;
    /** From this share of V beats in the template on, it is no longer the patient's usual beat. */
    static final double MAX_VENTRICULAR_SHARE = 0.3;

    private static final int N = BeatClasses.NAMES.indexOf("N");
    private static final int S = BeatClasses.NAMES.indexOf("S");
    private static final int V = BeatClasses.NAMES.indexOf("V");
    private static final int F = BeatClasses.NAMES.indexOf("F");

    private double ventricularShare;
    private int beats;
    private boolean ventricular;
    private int unlikeBeats;

    /**
     * The class of the next beat, then learns from it.
     *
     * @param modelClass the model's class, an index into {@link BeatClasses#NAMES}
     * @param qrsDifference {@link BeatFeatures#qrsDifference}, NaN when unknown (the call stands)
     * @param prematurityIndex {@link BeatFeatures#prematurityIndex}
     * @param readable whether the signal around the beat was free of issues
     * @return the class the stream gives the beat
     */
    public int classOf(int modelClass, double qrsDifference, double prematurityIndex, boolean readable) {
        boolean matches = qrsDifference <= MAX_QRS_DIFFERENCE;
        int beatClass = modelClass;
        if ((modelClass == V || modelClass == F) && matches && beats >= BeatFeatureExtractor.TEMPLATE_BEATS
                && !ventricular) {
            beatClass = prematurityIndex < BeatFeatures.CLEARLY_PREMATURE ? S : N;
        }
        // The beats the template learns from (BeatFeatureExtractor), with the same weights. The
        // extractor compares the interval with 0.9 of the local mean in double precision, this the
        // float ratio: they can differ only for a ratio within 1e-7 of 0.9.
        if (readable && !BeatFeatures.premature(prematurityIndex)) {
            beats = Math.min(beats + 1, BeatFeatureExtractor.TEMPLATE_BEATS);
            ventricularShare += ((beatClass == V ? 1 : 0) - ventricularShare) / beats;
            if (ventricularShare >= MAX_VENTRICULAR_SHARE) {
                ventricular = true;
                unlikeBeats = 0;
            } else if (ventricular && beatClass != V && !matches) {
                unlikeBeats++;
                ventricular = unlikeBeats < BeatFeatureExtractor.TEMPLATE_BEATS;
            }
        }
        return beatClass;
    }

    public TemplateMatchState snapshot() {
        return TemplateMatchState.newBuilder().setVentricularShare(ventricularShare).setBeats(beats)
                .setVentricular(ventricular).setUnlikeBeats(unlikeBeats).build();
    }

    public static TemplateMatch restore(TemplateMatchState s) {
        TemplateMatch m = new TemplateMatch();
        m.ventricularShare = s.getVentricularShare();
        m.beats = s.getBeats();
        m.ventricular = s.getVentricular();
        m.unlikeBeats = s.getUnlikeBeats();
        return m;
    }
}
