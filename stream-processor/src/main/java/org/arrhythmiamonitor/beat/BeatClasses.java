package org.arrhythmiamonitor.beat;

import java.util.List;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wire.v1.BeatClass;

/** The AAMI EC57 beat classes in the order of the models' outputs. */
public final class BeatClasses {
    public static final List<String> NAMES = List.of("N", "S", "V", "F", "Q");
    private static final BeatClass[] WIRE = {BeatClass.N, BeatClass.S, BeatClass.V, BeatClass.F, BeatClass.Q};
    /** The annotation code written for each class, so that bxb scores VEB and SVEB. */
    private static final AnnotationCode[] CODES = {AnnotationCode.NORMAL, AnnotationCode.APC, AnnotationCode.PVC,
        AnnotationCode.FUSION, AnnotationCode.UNKNOWN};

    private BeatClasses() {
    }

    public static BeatClass wire(int index) {
        return WIRE[index];
    }

    /** The index of a wire class, or -1 for one outside N, S, V, F, Q. */
    public static int indexOf(BeatClass c) {
        for (int k = 0; k < WIRE.length; k++) {
            if (WIRE[k] == c) {
                return k;
            }
        }
        return -1;
    }

    public static AnnotationCode annotationCode(int index) {
        return CODES[index];
    }

    /** The class index of a reference annotation, or -1 for codes without an AAMI class. */
    public static int indexOf(AnnotationCode code) {
        Character aami = code.aamiClass();
        return aami == null ? -1 : NAMES.indexOf(String.valueOf(aami));
    }

    private static final int PREV_OVER_LOCAL = BeatFeatures.RR_FEATURES.indexOf("prev_over_local");

    /**
     * Whether a beat came early: its interval from the previous beat under
     * {@link BeatFeatureExtractor#PREMATURE_RATIO} of the device's local mean interval, as the
     * feature extractor judges it for the template.
     *
     * @param rr RR features in {@link BeatFeatures#RR_FEATURES} order, this beat's from {@code offset}
     */
    public static boolean premature(float[] rr, int offset) {
        return rr[offset + PREV_OVER_LOCAL] < BeatFeatureExtractor.PREMATURE_RATIO;
    }

    /** The index of the most probable class. */
    public static int mostLikely(float[] probabilities) {
        int best = 0;
        for (int k = 1; k < probabilities.length; k++) {
            if (probabilities[k] > probabilities[best]) {
                best = k;
            }
        }
        return best;
    }
}
