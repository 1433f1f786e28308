package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.rhythm.AfDetector;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.wire.v1.BeatClass;

/**
 * The class a beat is reported with: the classifier's ({@code ClassifiedBeat.beat_class}), except
 * where AF, or what an atrial premature beat is, says otherwise. The burden and {@code monitor eval} report
 * this class, and so does the SVT run rule ({@code EctopicRuns}); the AF detector and the
 * ventricular run rules read the classifier's.
 * <ul>
 *   <li>A V or F call on one of the patient's conducted QRS shapes ({@code ClassifiedBeat.conducted_shape},
 *       {@code QrsFamilies}) is S when clearly early (prematurity index under
 *       {@value BeatFeatures#CLEARLY_PREMATURE}), else N, and the rules below read it so. The run
 *       rules keep the call: a ventricular tachycardia whose QRS looks like a conducted shape (bundle
 *       branch re-entry) must still raise its alarm, where an SVT conducted with the patient's own
 *       bundle branch block (record 207) is then a ventricular run too. Unlike the AF rule below it
 *       applies on a ventricular template and to unreadable beats, as the family check itself does:
 *       207's tachycardia comes while its template is ventricular, and held out that guard lost most of
 *       the gain. On unseen patients this raised S Se as reported by about 8 points and V +P by about
 *       2.5 (validation report).</li>
 *   <li>In atrial fibrillation a readable V call needs a QRS that differs from the patient's usual one:
 *       one within {@value #MAX_QRS_DIFFERENCE_IN_AF} of the template ({@code ClassifiedBeat.qrs_difference},
 *       three times the classifier's own limit, {@code TemplateMatch}) is N, unless the template was
 *       ventricular ({@code template_ventricular}; unknown counts as ventricular), the classifier
 *       called the beat before V and the rhythm is regular (the beat's interval within
 *       {@value #REGULAR_RHYTHM} of the one before): a ventricular rhythm that may have become its
 *       own template keeps its V from its second beat on, whatever its first was reported, or from
 *       its third when the second's interval differs from the coupling interval. The model learnt
 *       that an early beat followed by a long interval is a PVC, and AF makes that pattern beat
 *       after beat with conducted beats; in sinus rhythm the timing is evidence, in AF only the QRS
 *       is. On unseen patients this turns 210 and 190 of the 951 and 874 wrong V calls of two
 *       training seeds N, nearly all in record 203's AF, and no true V beat; fed the reference
 *       labels of DS1 as the model's classes, one V beat of record 203. The model's wrong V calls
 *       make 203's template look ventricular at times; a single V call among conducted beats is not
 *       a ventricular rhythm, and on a ventricular template those turned held out (mean of four
 *       training seeds) V +P from 83.7 to 85.5 %, no true V beat. Keeping the guard only after a beat
 *       reported V turned more (86.3 %), but a first salvo beat reported N would have carried the
 *       rest of the salvo with it ({@code VentricularSalvoInAfTest}). A ventricular rhythm that
 *       lasts long enough to become the template, a tachycardia or an idioventricular rhythm, is
 *       regular, as conducted AF is not: held out, the guard kept 2 true V beats (one beat of 203 in
 *       two seeds, 1 % from the interval before) and 411 wrong V calls of 203 (median 10-31 % from
 *       the one before, by seed); with the regularity it keeps those 2 and turns 306, and V +P
 *       rose from 85.5 to 87.0 %. The run rules do not read it: the template learns a sustained
 *       VT's beats, and a VT counted N from there would be reported ended while it goes on.</li>
 *   <li>In atrial fibrillation there are no atrial premature beats ({@link AfDetector#inRhythm}).</li>
 *   <li>An S beat is premature by definition: AAMI's S class holds atrial and nodal premature beats,
 *       escape beats are N. An S beat that did not come early ({@code ClassifiedBeat.premature}:
 *       its interval not under 0.9 of the local mean) is N, unless the beat before it was
 *       reported S: inside a run the local mean follows the run's own rate, so only its first
 *       beat has to be early; nor when it came early for this patient with a P wave unlike the
 *       usual one (below), which would make an N call S.</li>
 *   <li>An atrial premature beat starts from an ectopic focus, so its P wave differs from the
 *       sinus one. An S call with the patient's usual P wave (P-wave similarity at least
 *       {@value AfDetector#USUAL_P_WAVE}, the AF detector's mark of a sinus-conducted beat) is a
 *       sinus beat that came early, as in sinus arrhythmia, and is N, unless the beat before it was
 *       reported S: in a run the template, and with it the usual P wave, may follow the run's own
 *       beats. On unseen patients this raises the reported S +P by 1.3 points (mean of four
 *       training seeds) and finds no fewer S beats; fed the reference labels of DS1 as the model's
 *       classes, it turns no S beat N (without the exception for runs, 43 of record 207's
 *       supraventricular tachycardia).</li>
 *   <li>A readable N beat that came clearly early (prematurity index under
 *       {@value BeatFeatures#CLEARLY_PREMATURE}) without the patient's usual P wave (P-wave similarity under
 *       {@value AfDetector#P_WAVE_ABSENT}) is S: a narrow premature beat from an ectopic atrial or
 *       nodal focus, whose P wave differs or hides in the T wave before it. A sinus beat that comes
 *       early, as in sinus arrhythmia, keeps its usual P wave. Not in AF, nor in an irregular rhythm
 *       ({@link AfDetector#irregular}): an AF onset the detector has not yet entered has early beats
 *       without P waves too.</li>
 *   <li>So is a readable N beat that came early for this patient ({@code ClassifiedBeat.unusually_early},
 *       {@code PrematuritySpread}: earlier than the patient's own rhythm varies, and abruptly so) with a
 *       P wave unlike the usual one (similarity under {@value #P_WAVE_UNLIKE}): the atrial premature beats
 *       of a steady rhythm come only a little early, and their P wave, from a focus near the sinus
 *       node or lying on the T wave, can look half like the usual one. Not in AF nor in an irregular
 *       rhythm. On unseen patients this raised S Se as reported from 74.8 to 79.7 % and lowered S
 *       +P from 68.2 to 66.7 % (mean of four training seeds); fed the reference labels of DS1 as the
 *       model's classes, it reports 83 N beats S and keeps 6 S beats: S 93.7 / 83.0 to 94.0 / 80.9 %.</li>
 *   <li>A readable N beat right after a beat reported S, whose interval is still clearly short
 *       (under {@value BeatFeatures#CLEARLY_PREMATURE} of the local mean interval when the S run
 *       began) continues the run, so it is S: every beat of a supraventricular tachycardia is an
 *       ectopic beat (MIT-BIH labels them all so), but within a few beats the local mean follows the
 *       run's own rate and the model, which reads intervals against that mean, calls the rest N.
 *       The run ends at the first beat that is not clearly early against the rate before it, as
 *       the pause after a single premature beat is; not in AF nor in an irregular rhythm. After
 *       {@value #RUN_WITH_USUAL_P_WAVE_MS} ms (a sustained run, by the clinical definition) only
 *       beats without the patient's usual P wave go on with it: a premature beat at the start of
 *       exercise would otherwise make minutes of sinus tachycardia S. No run in DS1 is that
 *       long.</li>
 * </ul>
 * On unseen patients (patient-wise cross-validation on DS1, validation report), with model 1.1.0's
 * configuration on the export it was trained on, the model's S calls are Se 46.3 %, +P 31.4 %;
 * reported before the QRS families, 67.2 % and 66.8 %; V reported 92.1 % and 81.2 %. On the export before the
 * baseline-jump noise rule, where the rules were measured: S 46.0 % and 28.3 %, reported 66.4 % and
 * 67.1 % (53.0 % and 64.9 % before the run rule); V after the classifier's template match Se
 * 92.0 %, +P 79.2 %, reported 92.0 % and 83.0 %.
 */
public final class ReportedClass {
    /** In AF, a V call whose QRS is this close to the template's is the patient's usual QRS. */
    static final double MAX_QRS_DIFFERENCE_IN_AF = 0.3;
    /** A ventricular rhythm is regular: each interval within this fraction of the one before. */
    static final double REGULAR_RHYTHM = 0.1;
    /** Slack for comparisons of intervals computed in other units. */
    private static final double TIE_MS = 1e-3;
    /** An unusually early N call with a P wave less like the usual one than this is S. */
    static final double P_WAVE_UNLIKE = 0.8;
    /** How long a beat with the usual P wave can still continue an S run. */
    static final long RUN_WITH_USUAL_P_WAVE_MS = 30_000;

    private ReportedClass() {
    }

    /**
     * A beat's reported class.
     *
     * @param beatClass the class the beat is reported with
     * @param sRunLocalRrMs when it is reported in an S run, the local mean interval (ms) when the
     *        run began; else 0
     * @param sRunOnsetMs device time of that run's first beat; else 0
     */
    public record Reported(BeatClass beatClass, double sRunLocalRrMs, long sRunOnsetMs) {
        static Reported notInARun(BeatClass beatClass) {
            return new Reported(beatClass, 0, 0);
        }

        /** Whether the beat is S, or in noise inside an S run, which the next beat may continue. */
        boolean inARun() {
            return beatClass == BeatClass.S || sRunLocalRrMs > 0;
        }
    }

    /**
     * The beat before as the classifier called it.
     *
     * @param beatClass its class ({@code beat_class}, which the run rules read)
     * @param rrMs its interval from the beat before it, ms; 0 when unknown
     */
    public record PreviousCall(BeatClass beatClass, double rrMs) {
    }

    /**
     * @param af the AF detector's state after the beat
     * @param beat the beat, with the classifier's class
     * @param previous how the previous beat was reported
     * @param previousCall the previous beat as the classifier called it
     * @return how the beat is reported
     */
    public static Reported of(AfState af, BeatEvent beat, Reported previous, PreviousCall previousCall) {
        BeatClass reported = reportedClass(af, beat, previous, previousCall);
        // An S beat inside an S run continues it. So does a beat in noise, or one the model could
        // not classify: nothing says the run ended there, so the next beat may continue it, as a
        // VT goes on through noise (EctopicRuns); its own class is what it is reported with.
        if (previous.sRunLocalRrMs() > 0 && (reported == BeatClass.S || !beat.classified())) {
            return new Reported(reported, previous.sRunLocalRrMs(), previous.sRunOnsetMs());
        }
        if (reported != BeatClass.S) {
            return Reported.notInARun(reported);
        }
        // The run begins: the local mean before this beat is the rate it is measured against.
        double localRrMs = beat.rrMs() / beat.prematurityIndex();
        return localRrMs > 0 && Double.isFinite(localRrMs) ? new Reported(reported, localRrMs, beat.timeMs())
                : Reported.notInARun(reported);
    }

    private static BeatClass reportedClass(AfState af, BeatEvent beat, Reported previous, PreviousCall previousCall) {
        BeatClass call = ofItsShape(beat);
        if (conductedInAf(af, beat, call, previousCall)) {
            return BeatClass.N;
        }
        BeatClass inRhythm = AfDetector.inRhythm(af, call);
        // NaN (unknown) fails the comparison: the S stands.
        if (inRhythm == BeatClass.S && !previous.inARun()
                && (!beat.premature() && !earlyForThePatient(beat) || beat.pWaveSimilarity() >= AfDetector.USUAL_P_WAVE)) {
            return BeatClass.N;
        }
        if (inRhythm != BeatClass.N || !beat.readable() || AfDetector.irregular(af)) {
            return inRhythm;
        }
        // NaN (unknown) fails the comparisons: the model's N stands. Noise hides P waves too.
        if (BeatFeatures.clearlyPremature(beat.prematurityIndex()) && beat.pWaveSimilarity() < AfDetector.P_WAVE_ABSENT) {
            return BeatClass.S;
        }
        if (earlyForThePatient(beat)) {
            return BeatClass.S;
        }
        return continuesSRun(beat, previous) ? BeatClass.S : inRhythm;
    }

    /**
     * Whether the beat came early for this patient ({@link BeatEvent#unusuallyEarly}) with a P wave
     * unlike the usual one: an atrial premature beat, whether the model called it N or S. NaN (an
     * unknown P wave) fails the comparison.
     */
    static boolean earlyForThePatient(BeatEvent beat) {
        return beat.unusuallyEarly() && beat.pWaveSimilarity() < P_WAVE_UNLIKE;
    }

    /**
     * The classifier's call, but a V or F call on a conducted shape ({@link BeatEvent#conductedShape})
     * is S when it came clearly early, else N, as a call matching the template is in the classifier.
     * NaN (an unknown prematurity index) fails the comparison: N.
     */
    private static BeatClass ofItsShape(BeatEvent beat) {
        BeatClass c = beat.beatClass();
        if ((c == BeatClass.V || c == BeatClass.F) && beat.conductedShape()) {
            return BeatFeatures.clearlyPremature(beat.prematurityIndex()) ? BeatClass.S : BeatClass.N;
        }
        return c;
    }

    /**
     * Whether a V call is a beat conducted in AF: readable, in AF, with a QRS within
     * {@link #MAX_QRS_DIFFERENCE_IN_AF} of the template's, and not in a ventricular rhythm that may have
     * become the template (the template ventricular, the beat before called V, the two intervals
     * alike). NaN (a flat template, or a beat from an older classifier) fails the comparison: the V
     * stands.
     *
     * @param af the AF detector's state
     * @param previousCall the beat before as the classifier called it
     */
    private static boolean conductedInAf(AfState af, BeatEvent beat, BeatClass call, PreviousCall previousCall) {
        boolean inAVentricularRhythm = beat.ventricularTemplate() && previousCall.beatClass() == BeatClass.V
                && regular(beat.rrMs(), previousCall.rrMs());
        return call == BeatClass.V && beat.readable() && !inAVentricularRhythm && AfDetector.inAf(af)
                && beat.qrsDifference() <= MAX_QRS_DIFFERENCE_IN_AF;
    }

    /**
     * Whether an interval is within {@link #REGULAR_RHYTHM} of the one before; an unknown (0) one is
     * not: a restarted detector's first beat, the first after a data gap, or the first after an
     * upgrade from a store that did not keep the interval, is then reported as in AF's irregular
     * rhythm. An exact tie (whole samples make them) is regular; the microsecond of slack makes it
     * so whatever the rounding, as in {@code cv_in_rhythm.py}, which reads the intervals in seconds.
     */
    private static boolean regular(double rrMs, double previousRrMs) {
        return rrMs > 0 && previousRrMs > 0
                && Math.abs(rrMs - previousRrMs) <= REGULAR_RHYTHM * previousRrMs + TIE_MS;
    }

    /**
     * A measured interval (a restarted detector's first beat has none) still clearly short against
     * the rate before the run; past {@link #RUN_WITH_USUAL_P_WAVE_MS}, from a beat without the
     * usual P wave (NaN, unknown, passes: noise is excluded already).
     */
    private static boolean continuesSRun(BeatEvent beat, Reported previous) {
        long sinceOnsetMs = beat.timeMs() - previous.sRunOnsetMs();
        // A device clock set back during the run makes the time since its onset negative: past the
        // limit too, or sinus tachycardia would stay S until the clock caught up.
        boolean young = sinceOnsetMs >= 0 && sinceOnsetMs < RUN_WITH_USUAL_P_WAVE_MS;
        return previous.sRunLocalRrMs() > 0 && beat.rrMs() > 0
                && beat.rrMs() < BeatFeatures.CLEARLY_PREMATURE * previous.sRunLocalRrMs()
                && (young || !(beat.pWaveSimilarity() >= AfDetector.P_WAVE_ABSENT));
    }
}
