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
 * or more V beats true; with this check 79.2 % and 56 %, at the same V Se.
 *
 * <p>The difference, not a correlation: a correlation ignores size, and record 223's slow
 * ventricular tachycardia has the usual QRS's shape at 1.2 to 2 times its size. A beat of the usual
 * shape at 0.7 to 1.3 times its size still matches: a QRS that keeps its shape was conducted the
 * usual way.
 *
 * <p>The template must be the patient's usual beat, and two guards hold a call back when it may
 * not be. A young template: for the device's first beats it is the beat itself, or an average of a
 * few, so no call is turned until it has learnt from {@value BeatFeatureExtractor#TEMPLATE_BEATS}
 * beats. A ventricular template: it learns from every readable beat that is not premature, V beats
 * too (at over 100 a minute not a shape unlike it, {@link BeatFeatureExtractor}), so a long slow
 * ventricular rhythm can become its own template. The check
 * keeps the share of the template made of beats it left as V, over the beats the template learnt
 * from and with its own weights; once that share reaches
 * {@value #MAX_VENTRICULAR_SHARE}, the template is ventricular. It stays so until
 * {@value BeatFeatureExtractor#TEMPLATE_BEATS} readable beats that are not premature, neither V nor
 * like the template as it was when the share was last that high, have joined it (the count starts
 * again whenever the share is that high again). The share alone is not enough: a held-out model
 * called 37 and 47 of record 207's 105-beat ventricular run N, those beats diluted the share, and the
 * rest of the run's V calls were turned. Where the usual QRS looks like the ventricular rhythm's, the
 * usual beats are like that template too and the check stays off: fed the reference labels, in
 * record 223 from its long ventricular tachycardia at 17.4 minutes to its end. That fails safe (the
 * model's calls stand), and {@code ecg.beats.template.held} shows it.
 *
 * <p>Fed the reference labels of DS1 as the model's classes, it turns no V beat, on the whole
 * records or on a device that starts at any of their ventricular runs. What it cannot tell: a
 * ventricular rhythm whose QRS has the usual one's shape and width (bundle branch re-entry in a
 * patient with that bundle branch block, say) is turned from its first beat; fast and long enough,
 * it is still an extreme tachycardia. One instance per device, in beat order; unreadable beats are
 * checked but do not teach the template.
 *
 * <p>The template is only the commonest shape. The check also says whether the beat's
 * {@link QrsFamilies family} (the device's beats of that shape) is one the classifier has mostly
 * called N or S ({@link Decision#conductedShape}): a patient's second conducted shape, a bundle branch
 * block or aberrated premature beats. A V or F call on it is reported S or N ({@code ReportedClass})
 * but keeps its class here, so the run rules still see a ventricular tachycardia whose QRS looks
 * like one of the patient's conducted shapes.
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
    private float[] ventricularTemplate = new float[0];
    private QrsFamilies families = new QrsFamilies();
    private PrematuritySpread prematurity = new PrematuritySpread();

    /** Why a call that matched the template was not turned. */
    public enum Guard {
        YOUNG_TEMPLATE, VENTRICULAR_TEMPLATE
    }

    /**
     * @param beatClass the class the stream gives the beat, an index into {@link BeatClasses#NAMES}
     * @param heldBy the guard that kept a matching V or F call, null when none did
     * @param qrsDifference {@link BeatFeatures#qrsDifference} of the beat, NaN when the template is flat
     * @param ventricularTemplate whether the template was ventricular when the beat was checked
     * @param conductedShape whether the beat's {@link QrsFamilies family} was supraventricular when
     *        the beat was checked: a V or F call on it is reported S or N ({@code ReportedClass}),
     *        while the class stays the call, which the run rules read
     * @param unusuallyEarly whether the beat came early for this patient ({@link PrematuritySpread}):
     *        an N call that did, with a P wave unlike the usual one, is reported S ({@code ReportedClass})
     */
    public record Decision(int beatClass, Guard heldBy, double qrsDifference, boolean ventricularTemplate,
            boolean conductedShape, boolean unusuallyEarly) {
    }

    /**
     * The class of the next beat, then learns from it.
     *
     * @param modelClass the model's class, an index into {@link BeatClasses#NAMES}
     * @param windows a batch as {@link BeatFeatures#writeTo} fills it: this beat's row from {@code at}
     * @param prematurityIndex {@link BeatFeatures#prematurityIndex}
     * @param rrS the measured interval from the beat before, seconds; 0 when none was measured
     * @param readable whether the signal around the beat was free of issues
     * @param taughtTemplate whether the beat taught the template ({@link BeatFeatures#taughtTemplate})
     */
    public Decision classOf(int modelClass, float[] windows, int at, double prematurityIndex, double rrS,
            boolean readable, boolean taughtTemplate) {
        double qrsDifference = BeatFeatures.qrsDifference(windows, at);
        // NaN (a flat template) matches nothing: the call stands.
        boolean matches = qrsDifference <= MAX_QRS_DIFFERENCE;
        int beatClass = modelClass;
        Guard heldBy = null;
        if ((modelClass == V || modelClass == F) && matches) {
            if (beats < BeatFeatureExtractor.TEMPLATE_BEATS) {
                heldBy = Guard.YOUNG_TEMPLATE;
            } else if (ventricular) {
                heldBy = Guard.VENTRICULAR_TEMPLATE;
            } else {
                beatClass = BeatFeatures.clearlyPremature(prematurityIndex) ? S : N;
            }
        }
        boolean checkedOnAVentricularTemplate = ventricular;
        // The beats the template learns from (BeatFeatureExtractor says which), with the same
        // weights. Counted apart from it, a fast VT that the template leaves out filled the share
        // with V beats while the template stayed the sinus beat; saved as the ventricular template,
        // the sinus beats then matched it, and the template read as ventricular for good.
        if (taughtTemplate) {
            beats = Math.min(beats + 1, BeatFeatureExtractor.TEMPLATE_BEATS);
            ventricularShare += ((beatClass == V ? 1 : 0) - ventricularShare) / beats;
            if (ventricularShare >= MAX_VENTRICULAR_SHARE) {
                ventricular = true;
                unlikeBeats = 0;
                ventricularTemplate = BeatFeatures.templateQrs(windows, at);
            } else if (ventricular) {
                if (ventricularTemplate.length == 0) {
                    // Saved by a version that kept no template: the one now is the nearest there is.
                    ventricularTemplate = BeatFeatures.templateQrs(windows, at);
                }
                if (beatClass != V
                        && BeatFeatures.qrsDifference(windows, at, ventricularTemplate) > MAX_QRS_DIFFERENCE) {
                    unlikeBeats++;
                    ventricular = unlikeBeats < BeatFeatureExtractor.TEMPLATE_BEATS;
                }
            }
        }
        // Whether the beat's family was supraventricular before this beat; the family then learns
        // from the call as the template left it.
        int family = families.familyOf(windows, at);
        boolean conductedShape = families.supraventricular(family);
        if (readable) {
            families.learn(family, windows, at, beatClass);
        }
        boolean unusuallyEarly = prematurity.unusuallyEarly(prematurityIndex, rrS);
        prematurity.learn(prematurityIndex, rrS, readable, beatClass);
        return new Decision(beatClass, heldBy, qrsDifference, checkedOnAVentricularTemplate, conductedShape,
                unusuallyEarly);
    }

    public TemplateMatchState snapshot() {
        TemplateMatchState.Builder s = TemplateMatchState.newBuilder().setVentricularShare(ventricularShare)
                .setBeats(beats).setVentricular(ventricular).setUnlikeBeats(unlikeBeats);
        for (float v : ventricularTemplate) {
            s.addVentricularTemplate(v);
        }
        return s.addAllFamilies(families.snapshot()).addAllRecentPrematurity(prematurity.recent())
                .setLastRrS(prematurity.lastRrS()).build();
    }

    public static TemplateMatch restore(TemplateMatchState s) {
        TemplateMatch m = new TemplateMatch();
        m.ventricularShare = s.getVentricularShare();
        m.beats = s.getBeats();
        m.ventricular = s.getVentricular();
        m.unlikeBeats = s.getUnlikeBeats();
        m.ventricularTemplate = new float[s.getVentricularTemplateCount()];
        for (int k = 0; k < m.ventricularTemplate.length; k++) {
            m.ventricularTemplate[k] = s.getVentricularTemplate(k);
        }
        m.families = QrsFamilies.restore(s.getFamiliesList());
        m.prematurity = PrematuritySpread.restore(s.getRecentPrematurityList(), s.getLastRrS());
        int qrs = BeatWindow.QRS_END - BeatWindow.QRS_START;
        if (m.ventricularTemplate.length != 0 && m.ventricularTemplate.length != qrs) {
            throw new IllegalArgumentException("saved ventricular template has " + m.ventricularTemplate.length
                    + " samples, expected " + qrs);
        }
        return m;
    }
}
