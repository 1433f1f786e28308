package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.rhythm.AfDetector;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.wire.v1.BeatClass;

/**
 * The class a beat is reported with: the classifier's ({@code ClassifiedBeat.beat_class}), except
 * where what an atrial premature beat is says otherwise. The burden and {@code monitor eval} report
 * this class; the AF detector and the run rules read the classifier's.
 * <ul>
 *   <li>In atrial fibrillation there are no atrial premature beats ({@link AfDetector#inRhythm}).</li>
 *   <li>An S beat is premature by definition: AAMI's S class holds atrial and nodal premature beats,
 *       escape beats are N. An S beat that did not come early ({@code ClassifiedBeat.premature}:
 *       its interval not under 0.9 of the local mean) is N, unless the beat before it was
 *       reported S: inside a run the local mean follows the run's own rate, so only its first
 *       beat has to be early.</li>
 *   <li>A readable N beat that came clearly early (prematurity index under
 *       {@value BeatFeatures#CLEARLY_PREMATURE}) without the patient's usual P wave (P-wave similarity under
 *       {@value AfDetector#P_WAVE_ABSENT}) is S: a narrow premature beat from an ectopic atrial or
 *       nodal focus, whose P wave differs or hides in the T wave before it. A sinus beat that comes
 *       early, as in sinus arrhythmia, keeps its usual P wave. Not in AF, nor in an irregular rhythm
 *       ({@link AfDetector#irregular}): an AF onset the detector has not yet entered has early beats
 *       without P waves too.</li>
 * </ul>
 * On unseen patients (patient-wise cross-validation on DS1, validation report) the model's S calls
 * are Se 46.0 %, +P 28.3 %; reported, 53.0 % and 64.9 %.
 */
public final class ReportedClass {
    private ReportedClass() {
    }

    /**
     * @param af the AF detector's state after the beat
     * @param beat the beat, with the classifier's class
     * @param previous the class the previous beat was reported with
     * @return the class the beat is reported with
     */
    public static BeatClass of(AfState af, BeatEvent beat, BeatClass previous) {
        BeatClass inRhythm = AfDetector.inRhythm(af, beat.beatClass());
        if (inRhythm == BeatClass.S && !beat.premature() && previous != BeatClass.S) {
            return BeatClass.N;
        }
        // NaN (unknown) fails both comparisons: the model's N stands. Noise hides P waves too.
        if (inRhythm == BeatClass.N && beat.readable() && !AfDetector.irregular(af)
                && beat.prematurityIndex() < BeatFeatures.CLEARLY_PREMATURE && beat.pWaveSimilarity() < AfDetector.P_WAVE_ABSENT) {
            return BeatClass.S;
        }
        return inRhythm;
    }
}
