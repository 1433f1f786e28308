package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.rhythm.AfDetector;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.wire.v1.BeatClass;

/**
 * The class a beat is reported with: the model's, except where the model calls S a beat that
 * cannot be an atrial premature beat. The burden and {@code monitor eval} report this class; the
 * AF detector and the run rules read the model's.
 * <ul>
 *   <li>In atrial fibrillation there are no atrial premature beats ({@link AfDetector#inRhythm}).</li>
 *   <li>An S beat is premature by definition: AAMI's S class holds atrial and nodal premature beats,
 *       escape beats are N. An S beat that did not come early ({@code ClassifiedBeat.premature}:
 *       its interval not under 0.9 of the local mean) is N, unless the beat before it was
 *       reported S: inside a run the local mean follows the run's own rate, so only its first
 *       beat has to be early. On unseen patients the model calls S conducted beats of irregular
 *       rhythms; in patient-wise cross-validation on DS1 this took S +P (in rhythm) from 40.3 to
 *       52.6 % at Se 46.0 to 43.9 % (validation report).</li>
 * </ul>
 */
public final class ReportedClass {
    private ReportedClass() {
    }

    /**
     * @param af the AF detector's state after the beat
     * @param modelClass the beat model's class
     * @param premature whether the beat came early
     * @param previous the class the previous beat was reported with
     */
    public static BeatClass of(AfState af, BeatClass modelClass, boolean premature, BeatClass previous) {
        BeatClass inRhythm = AfDetector.inRhythm(af, modelClass);
        return inRhythm == BeatClass.S && !premature && previous != BeatClass.S ? BeatClass.N : inRhythm;
    }
}
