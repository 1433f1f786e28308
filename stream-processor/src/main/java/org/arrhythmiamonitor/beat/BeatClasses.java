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
