package org.arrhythmiamonitor.beat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.state.v1.QrsFamilyState;

/**
 * The QRS shapes a device has shown, each with how the classifier has called the beats of that
 * shape: the families an analyst sorts a Holter recording's beats into before labelling each
 * family once. {@link TemplateMatch} asks whether a beat's family is one the patient conducts the
 * usual way; the running template is only the commonest shape, where a patient with a bundle
 * branch block, aberrant conduction or two usual shapes has several.
 *
 * <p>A beat joins the family whose mean QRS stretch is nearest ({@link BeatFeatures#qrsDifference}),
 * if within {@value #JOIN}; else it starts a new one. At most {@value #MAX_FAMILIES} are kept: a new
 * shape replaces the family with the fewest beats (of those, the one joined longest ago). A family's
 * mean learns with weight 1/min(beats, {@value BeatFeatureExtractor#TEMPLATE_BEATS}) as the template does,
 * but from premature beats too (aberrated premature beats are a family of their own);
 * its share of V, F and Q calls is a running mean over up to its last {@value #SHARE_BEATS} beats, so
 * that a long recording's families still follow a change of rhythm.
 *
 * <p>Supraventricular: from {@value BeatFeatureExtractor#TEMPLATE_BEATS} beats on, at most
 * {@value #MAX_OTHER_SHARE} of them called V, F or Q. A V or F call on such a shape is reported S
 * when clearly early, else N ({@code ReportedClass}); the classifier's class, which the run rules
 * read, stays the call. That matters: a ventricular tachycardia whose QRS joins a conducted family
 * (bundle branch re-entry looks like the patient's bundle branch block; a QRS of the same shape at
 * 0.6 to 1.4 times the size joins too) is reported S or N until its V calls make the family
 * ventricular, up to about a quarter of the family's beats, at most about 112, but its alarm comes as
 * without the families. Fusion beats count against a family: fusion-like shapes are half ventricular,
 * and with them counted for it, record 208's late PVCs, which look like its fusion beats, were
 * reported N. Fed the reference labels of DS1 as the model's classes, 4 of the 3 776 V beats would
 * be reported S (one early V beat in 207, three in 223) and 44 fusion beats N (42 in 208, which look
 * like its N beats). On unseen patients (patient-wise cross-validation, validation report) the
 * reported classes find 64 of 207's 107 supraventricular beats, a tachycardia conducted with the
 * shape of the patient's own bundle branch block that the model calls V, and some of 201's aberrated
 * atrial premature beats, and take back V calls on shapes the model mostly calls N (108, 114, 207):
 * over four seeds S Se as reported rose from 66.5 to 74.8 % and V +P from 81.2 to 83.7 %, V Se 93.1
 * to 93.0 %.
 *
 * <p>One instance per device (inside its {@link TemplateMatch}), in beat order; unreadable beats are
 * looked up but do not teach.
 */
final class QrsFamilies {
    /** A beat this close to a family's mean QRS ({@link BeatFeatures#qrsDifference}) is of that family. */
    static final double JOIN = 0.15;
    static final int MAX_FAMILIES = 12;
    /** Share of V, F and Q calls up to which a family is supraventricular. */
    static final double MAX_OTHER_SHARE = 0.2;
    /** Beats the share of a family's calls is a running mean over, at most. */
    static final int SHARE_BEATS = 500;
    private static final int QRS = BeatWindow.QRS_END - BeatWindow.QRS_START;
    /** A family's beat count stops here: it only ranks families and says when one is old enough. */
    private static final int MAX_BEATS = 1_000_000_000;
    private static final int N = BeatClasses.NAMES.indexOf("N");
    private static final int S = BeatClasses.NAMES.indexOf("S");

    private final List<Family> families = new ArrayList<>();
    /** Readable beats learnt from: a family's {@code lastJoined} is this count when a beat last joined it. */
    private long seen;

    /** One QRS shape: its running mean stretch, beats, share of V, F and Q calls, and when it was last joined. */
    private static final class Family {
        final float[] qrs;
        int beats;
        double otherShare;
        long lastJoined;

        Family(float[] qrs, int beats, double otherShare, long lastJoined) {
            this.qrs = qrs;
            this.beats = beats;
            this.otherShare = otherShare;
            this.lastJoined = lastJoined;
        }

        boolean supraventricular() {
            return beats >= BeatFeatureExtractor.TEMPLATE_BEATS && otherShare <= MAX_OTHER_SHARE;
        }
    }

    /**
     * The beat's family, or -1 when none is within {@link #JOIN}.
     *
     * @param windows a batch as {@link BeatFeatures#writeTo} fills it: this beat's row from {@code at}
     */
    int familyOf(float[] windows, int at) {
        int nearest = -1;
        double least = JOIN;
        for (int f = 0; f < families.size(); f++) {
            // NaN (a flat mean) is near nothing.
            double difference = BeatFeatures.qrsDifference(windows, at, families.get(f).qrs);
            if (difference <= least && (nearest < 0 || difference < least)) {
                nearest = f;
                least = difference;
            }
        }
        return nearest;
    }

    /** Whether family {@code family} ({@link #familyOf}; -1 for none) is conducted from above. */
    boolean supraventricular(int family) {
        return family >= 0 && families.get(family).supraventricular();
    }

    /**
     * Learns from a readable beat: it joins its family, or starts one.
     *
     * @param family the beat's family, {@link #familyOf}, or -1
     * @param beatClass the class the beat was called before the family check, an index into N, S, V, F, Q
     */
    void learn(int family, float[] windows, int at, int beatClass) {
        seen++;
        double other = beatClass == N || beatClass == S ? 0 : 1;
        int from = at + BeatWindow.QRS_START;
        if (family < 0) {
            if (families.size() == MAX_FAMILIES) {
                families.remove(leastKept());
            }
            families.add(new Family(Arrays.copyOfRange(windows, from, from + QRS), 1, other, seen));
            return;
        }
        Family f = families.get(family);
        f.beats = Math.min(f.beats + 1, MAX_BEATS);
        f.otherShare += (other - f.otherShare) / Math.min(f.beats, SHARE_BEATS);
        f.lastJoined = seen;
        float weight = 1f / Math.min(f.beats, BeatFeatureExtractor.TEMPLATE_BEATS);
        for (int k = 0; k < QRS; k++) {
            f.qrs[k] += weight * (windows[from + k] - f.qrs[k]);
        }
    }

    /** The family a new shape replaces: the fewest beats, of those the one joined longest ago. */
    private int leastKept() {
        int least = 0;
        for (int f = 1; f < families.size(); f++) {
            Family a = families.get(f);
            Family b = families.get(least);
            if (a.beats < b.beats || a.beats == b.beats && a.lastJoined < b.lastJoined) {
                least = f;
            }
        }
        return least;
    }

    List<QrsFamilyState> snapshot() {
        List<QrsFamilyState> out = new ArrayList<>(families.size());
        for (Family f : families) {
            QrsFamilyState.Builder s = QrsFamilyState.newBuilder().setBeats(f.beats).setOtherShare(f.otherShare)
                    .setLastJoined(f.lastJoined);
            for (float v : f.qrs) {
                s.addQrs(v);
            }
            out.add(s.build());
        }
        return out;
    }

    /**
     * The families saved by {@link #snapshot}. The count of beats learnt from is the latest
     * {@code lastJoined}: every beat learnt from joins or starts a family, which no later eviction in
     * the same step removes.
     *
     * @throws IllegalArgumentException when a saved family is damaged: the wrong length, or more than kept
     */
    static QrsFamilies restore(List<QrsFamilyState> saved) {
        if (saved.size() > MAX_FAMILIES) {
            throw new IllegalArgumentException("saved QRS families: " + saved.size() + ", at most " + MAX_FAMILIES);
        }
        QrsFamilies out = new QrsFamilies();
        for (QrsFamilyState s : saved) {
            if (s.getQrsCount() != QRS || s.getBeats() < 1) {
                throw new IllegalArgumentException("a saved QRS family has " + s.getQrsCount() + " samples and "
                        + s.getBeats() + " beats, expected " + QRS + " samples and at least 1 beat");
            }
            float[] qrs = new float[QRS];
            for (int k = 0; k < QRS; k++) {
                qrs[k] = s.getQrs(k);
            }
            // Out-of-range numbers fail safe: a share that is no share is not supraventricular.
            double share = s.getOtherShare() >= 0 && s.getOtherShare() <= 1 ? s.getOtherShare() : 1;
            out.families.add(new Family(qrs, Math.min(s.getBeats(), MAX_BEATS), share, s.getLastJoined()));
            out.seen = Math.max(out.seen, s.getLastJoined());
        }
        return out;
    }
}
