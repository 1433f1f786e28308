package org.arrhythmiamonitor.rhythm;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.state.v1.AfStateOrBuilder;
import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.Rhythm;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/**
 * Atrial fibrillation (and flutter with irregular conduction) from the irregularity of the
 * ventricular rhythm over the last {@value #WINDOW} usable intervals.
 *
 * <p>Usable intervals join two readable beats conducted from above (N, S, or F: a fusion beat is
 * partly conducted, and most beats the model calls F are conducted beats, a quarter of AF's on
 * patients it has not seen): ventricular beats and the intervals around them are left out, so
 * PVCs, couplets and bigeminy do not look irregular. The irregularity is the median of the
 * absolute differences between successive intervals, divided by their mean: about 0.01-0.04 in
 * sinus rhythm, 0.1-0.3 in AF. The median
 * ignores the two large differences an isolated premature beat leaves, so only a rhythm that is
 * irregular beat after beat crosses the threshold. A rhythm that alternates short and long
 * (bigeminy the beat model does not see as such, as in record 223's ventricular tachycardia,
 * whose beats it calls N) is irregular from one interval to the next but regular every other
 * interval, where AF is irregularly irregular: when smaller, the larger of the same medians of
 * the two interleaved series of every other interval counts instead. On unseen patients that cut
 * 223's false AF from 61 and 65 s to 4 s (cross-validation replay; validation report).
 *
 * <p>S beats count differently on the way in and on the way out. Outside AF, the intervals that
 * begin or end at an S beat are left out of the entry irregularity: frequent atrial premature
 * beats, with their compensatory and blocked-beat pauses, are irregular beat after beat and were
 * most of the false AF on MIT-BIH (record 201). Entry then needs at least {@value #MIN_ENTRY}
 * other intervals in the window. Inside AF they count, because the irregular beats of AF often
 * look premature to the beat model, and leaving them out would end AF early.
 *
 * <p>When the beat model calls so many beats of an irregular rhythm S that fewer than
 * {@value #MIN_ENTRY} intervals are left (on synthetic AF it calls about half of them S), the
 * window is judged on all its intervals, provided it does not look like frequent atrial premature
 * beats: those come at a nearly fixed coupling interval from the N beat before (median deviation
 * 3-5 % on MIT-BIH), where the S-labelled beats of AF come at random ones, so at least
 * {@value #MIN_COUPLINGS} coupling intervals must be spread by {@value #COUPLING_SPREAD} or more;
 * and premature beats with their pauses alternate short and long, which makes the irregularity
 * between successive intervals alone 0.45-0.9, where AF's stays below
 * {@value #MAX_COUPLED_IRREGULARITY}. (Every other interval, frequent premature beats can be less
 * irregular: a median two intervals apart under the cap let 80 s of 201's premature beats in as
 * AF.)
 *
 * <p>The P waves decide which of those rules applies. Every beat carries how alike the stretch
 * before it, where the P wave lies, is to the device's template ({@code p_wave_similarity}): the
 * median per record is 0.8-0.98 in the sinus rhythm of the MIT-BIH DS1 records and 0.16-0.33 in
 * their AF, where fibrillatory waves stand in place of the P wave and average out of the template.
 * When the median over the beats that closed the window's intervals is under
 * {@value #P_WAVE_ABSENT}, the atria conduct no P waves, so S-labelled beats cannot be atrial
 * premature beats and V-labelled beats may as well be AF's aberrant or misread beats. The rhythm is
 * then judged on a second window: the latest {@value #WINDOW} intervals between N, S, V and F
 * beats, with the same thresholds. Because noise hides P waves too, entry there also needs at
 * least {@value #MIN_ENTRY} intervals between N, S and F beats, at least {@value #LEAVE} irregular:
 * between frequent PVCs the conducted rhythm stays regular, AF's does not, and with fewer of them
 * (trigeminy leaves one interval in three) nothing tells the two apart. This keeps the detector
 * from depending on the beat model's S and V calls, which vary most on patients it has not seen:
 * in the cross-validation one model called 47 % of record 203's AF beats V, and with it the
 * class-based rules alone found 60 % of the AF time. Beats without the similarity (from an older
 * classifier) leave the class-based rules as they were.
 *
 * <p>Entry and exit thresholds differ (hysteresis), and AF ends only after {@value #LEAVE_JUDGEMENTS}
 * judgements below the exit threshold in a row. Onset and end are dated where the irregular stretch
 * in the window that changed (for the end, the first of those) begins or ends
 * ({@link Intervals#stretchStart}, {@link Intervals#stretchEnd}), not at the window's middle: the
 * median crosses the entry threshold only once about 25 of the window's 31 differences are AF's,
 * and the exit threshold about 11 intervals after AF ended, so the middle dated onsets 3-12 s late
 * and ends 1-8 s early (synthetic AF at 65-120/min). The minimum duration of an AF episode counts
 * from the onset to the latest beat the judgements place in the stretch ({@code confirmed_sample}),
 * dated as the end will be: counted to the latest beat, which runs up to half a window ahead of
 * the irregular intervals, 18-26 s of AF made episodes. An onset is not dated before a beat with the
 * patient's usual P wave ({@link #afterUsualPWave}).
 * Usable intervals further apart than {@value #MAX_SPAN_GAP_MS} ms restart the windows
 * (and end AF) only when an unreadable beat or a stretch without beats came between them; a run of
 * V beats in AF (record 203's VT) does not. The thresholds were chosen on DS1 of the MIT-BIH
 * Arrhythmia Database with {@code monitor eval}; entry anywhere from 0.13 to 0.17 gives the same
 * DS1 figures. See the validation report.
 */
public final class AfDetector {
    static final int WINDOW = 32;
    static final double ENTER = 0.15;
    static final double LEAVE = 0.10;
    /**
     * Judgements in a row below {@link #LEAVE} that end AF, dated to the first: random intervals
     * are now and then regular enough over one window, and each such dip split an AF episode in
     * two (7 of the 21 synthetic AF episodes of seeds 2-4 before; 1 with 16). A judgement comes
     * with every usable interval, and without P waves with every interval V beats included, so 16
     * are 16 beats or a little more. Meanwhile the segment stays where the first left it, and
     * {@link #inAf} already says no.
     */
    static final int LEAVE_JUDGEMENTS = 16;
    /** Intervals not touching an S beat that the window must hold to enter AF. */
    static final int MIN_ENTRY = WINDOW / 2;
    /** Coupling intervals (N to S) the window must hold to be judged with its S beats. */
    static final int MIN_COUPLINGS = 6;
    /** Median absolute deviation of the coupling intervals over their median, above which the S beats may be AF's. */
    static final double COUPLING_SPREAD = 0.07;
    /** Above this, a window judged with its S beats is premature beats and their pauses, not AF. */
    static final double MAX_COUPLED_IRREGULARITY = 0.4;
    /** P-wave similarity from which a beat has the patient's usual P wave, conducted from the sinus node. */
    public static final double USUAL_P_WAVE = 0.95;
    /** Median P-wave similarity under which the window's beats have no P waves. */
    public static final double P_WAVE_ABSENT = 0.5;
    /** Beats with a known P-wave similarity that the judgement needs. */
    static final int MIN_P_WAVES = 8;
    /** A beat number that stores written before beat numbers lack. */
    private static final long UNKNOWN_BEAT = -1;
    private static final double MIN_RR_MS = 250;
    private static final double MAX_RR_MS = 2000;
    /** Usable intervals further apart than this, with noise or no beats in between, do not share a window. */
    private static final long MAX_SPAN_GAP_MS = 10_000;

    /** What the detector reports. */
    public interface Output {
        void rhythm(RhythmSegment segment);
    }

    private AfDetector() {
    }

    /**
     * One beat as the detector sees it.
     *
     * @param sample R peak on the device's sample clock
     * @param timeMs device time of the R peak
     * @param rrMs interval from the previous detected beat, ms
     * @param beatClass the classifier's class ({@code ClassifiedBeat.beat_class})
     * @param readable whether the beat has a class to read: the signal around it free of issues,
     *        and the model able to classify it ({@code BeatEvent.classified}); a beat without one is
     *        taken as a beat in noise
     * @param pWaveSimilarity how alike its P wave is to the template's, NaN when unknown
     */
    public record Beat(long sample, long timeMs, double rrMs, BeatClass beatClass, boolean readable,
            double pWaveSimilarity) {
    }

    /**
     * Applies one beat.
     *
     * @param state the device's detector state before the beat
     * @param beat the beat
     * @param previousClass class of the beat before it
     * @param previousReadable whether the beat before it was readable
     * @param out receives the rhythm segments that begin or end
     * @return the new state
     */
    public static AfState onBeat(AfState state, String deviceId, Beat beat, BeatClass previousClass,
            boolean previousReadable, Output out) {
        AfState.Builder s = state.toBuilder();
        long sample = beat.sample();
        long timeMs = beat.timeMs();
        double rrMs = beat.rrMs();
        BeatClass beatClass = beat.beatClass();
        boolean continues = beat.readable() && rrMs <= MAX_SPAN_GAP_MS;
        if (!continues) {
            s.setInterrupted(true);
        } else if ((s.getFilled() > 0 || s.getAnyRrMsCount() > 0) && s.getInterrupted()
                && timeMs - latestTime(s) > MAX_SPAN_GAP_MS) {
            // The first beat in readable signal after a long interruption: AF ended at the last
            // beat before it, not at this one.
            endAtLastBeat(s, deviceId, out);
        }
        if (continues) {
            s.setBeatNumber(s.getBeatNumber() + 1);
        }
        boolean measurable = continues && previousReadable && rrMs >= MIN_RR_MS && rrMs <= MAX_RR_MS;
        boolean usableWithV = measurable && classified(beatClass) && classified(previousClass);
        boolean usable = usableWithV && supraventricular(beatClass) && supraventricular(previousClass);
        // After an interruption only a usable interval carries AF on again; V beats alone do not.
        if (s.getInAf() && continues && (usable || !s.getInterrupted())) {
            if (s.getLeaveCount() == 0) {
                s.setSegment(s.getSegment().toBuilder().setBeats(s.getSegment().getBeats() + 1)
                        .setLastSample(sample).setLastTimeMs(timeMs));
            } else {
                s.setLeavePendingBeats(s.getLeavePendingBeats() + 1);
            }
        }
        if (!usableWithV) {
            return s.build();
        }
        pushAny(s, (float) rrMs, sample, timeMs);
        if (usable) {
            s.setInterrupted(false);
            push(s, (float) rrMs, sample, timeMs, beatClass == BeatClass.S || previousClass == BeatClass.S,
                    beatClass == BeatClass.S && previousClass == BeatClass.N, (float) beat.pWaveSimilarity());
        }
        if (s.getAnyRrMsCount() == WINDOW && pWavesAbsent(s)) {
            // Noise can hide P waves too: between frequent PVCs the conducted rhythm stays
            // regular, where AF's does not, so PVCs in noise do not enter AF; and with too few
            // conducted intervals to tell (trigeminy: one in three), nothing says it is AF.
            Conducted conducted = new Conducted(s);
            if (s.getInAf() || conducted.get() != null && conducted.get().irregularity().value() >= LEAVE) {
                decide(s, deviceId, withVentricular(s), conducted, sample, timeMs, out);
            }
        } else if (usable && s.getFilled() == WINDOW) {
            Conducted conducted = new Conducted(s);
            Intervals judged = s.getInAf() ? conducted.get() : entryIntervals(s, conducted);
            if (judged != null) {
                decide(s, deviceId, judged, conducted, sample, timeMs, out);
            }
        }
        return s.build();
    }

    /**
     * The device's stream stopped for good, or does not go on where it stopped: AF, if the detector
     * is in it, ends at its last beat (at the first regular judgement when it was waiting to end),
     * and the windows start again with the next beat.
     */
    public static AfState interrupt(AfState state, String deviceId, Output out) {
        AfState.Builder s = state.toBuilder().setInterrupted(true);
        endAtLastBeat(s, deviceId, out);
        return s.build();
    }

    private static void endAtLastBeat(AfState.Builder s, String deviceId, Output out) {
        if (s.getInAf() && s.getLeaveCount() > 0) {
            end(s, deviceId, s.getLeaveSample(), s.getLeaveTimeMs(), leaveBeats(s), out);
        } else if (s.getInAf()) {
            BeatRun segment = s.getSegment();
            end(s, deviceId, segment.getLastSample(), segment.getLastTimeMs(), segment.getBeats(), out);
        }
        s.clearRrMs().clearRrSample().clearRrTimeMs().clearRrTouchesS().clearRrCouplesS().setPos(0).setFilled(0);
        s.clearRrPWave().clearRrBeat().clearAnyRrMs().clearAnyRrSample().clearAnyRrTimeMs().clearAnyRrBeat()
                .setAnyPos(0);
    }

    /**
     * Enters or leaves AF on the irregularity of the intervals judged; the change is dated where
     * the irregular stretch among them begins or ends.
     *
     * @param conducted the usable intervals with those touching S beats, which date the stretch's end
     */
    private static void decide(AfState.Builder s, String deviceId, Intervals judged, Conducted conducted,
            long sample, long timeMs, Output out) {
        double irregularity = judged.irregularity().value();
        s.setIrregularity(irregularity);
        if (!s.getInAf() && irregularity >= ENTER) {
            int start = judged.stretchStart();
            long startSample = judged.sample()[start];
            long startTimeMs = judged.timeMs()[start];
            // The two windows date changes differently: AF never starts before the last one ended.
            // Later only when sample and time agree: a restarted detection numbers samples afresh
            // (lower, before sample numbers had a floor), and a device clock set back moves time
            // back while samples go on; either alone would pin every onset to the last end.
            boolean afterEnd = s.getEndedSample() > startSample && s.getEndedTimeMs() > startTimeMs;
            BeatRun.Builder segment = BeatRun.newBuilder()
                    .setOnsetSample(afterEnd ? s.getEndedSample() : startSample)
                    .setOnsetTimeMs(afterEnd ? s.getEndedTimeMs() : startTimeMs)
                    .setLastSample(sample).setLastTimeMs(timeMs);
            afterUsualPWave(s, segment, startSample, sample, timeMs);
            segment.setBeats(beatsAfter(s, segment.getOnsetSample()) + 1);
            s.setInAf(true).setSegment(segment).setLeaveCount(0).setLeavePendingBeats(0)
                    .setConfirmedSample(segment.getOnsetSample()).setConfirmedTimeMs(segment.getOnsetTimeMs())
                    .setIrregularitySum(irregularity).setIrregularJudgements(1);
            confirm(s, judged, conducted);
            out.rhythm(segment(deviceId, s.getSegment(), irregularity, false));
        } else if (s.getInAf() && irregularity < LEAVE) {
            if (s.getLeaveCount() == 0) {
                // The end is the latest beat of the stretch, as far as this window tells; the
                // segment's beats after it, up to this one, were the regular rhythm's.
                confirm(s, judged, conducted);
                int beats = s.getSegment().getBeats() - beatsAfter(s, s.getConfirmedSample());
                s.setLeaveSample(s.getConfirmedSample()).setLeaveTimeMs(s.getConfirmedTimeMs())
                        .setLeaveBeats(Math.max(1, beats));
            }
            s.setLeaveCount(s.getLeaveCount() + 1);
            if (s.getLeaveCount() >= LEAVE_JUDGEMENTS) {
                end(s, deviceId, s.getLeaveSample(), s.getLeaveTimeMs(), leaveBeats(s), out);
            }
        } else if (s.getInAf()) {
            s.setIrregularitySum(s.getIrregularitySum() + irregularity)
                    .setIrregularJudgements(s.getIrregularJudgements() + 1);
            if (s.getLeaveCount() > 0) {
                // AF goes on after all: the beats since the first regular judgement are its own.
                s.setSegment(s.getSegment().toBuilder()
                        .setBeats(s.getSegment().getBeats() + s.getLeavePendingBeats())
                        .setLastSample(sample).setLastTimeMs(timeMs));
                s.setLeaveCount(0).setLeavePendingBeats(0);
            }
            confirm(s, judged, conducted);
        }
    }

    /**
     * Moves the latest beat known to be in AF ({@code confirmed_sample}) up to the end of the
     * irregular stretch that the usable intervals show from the onset on (the intervals judged
     * when too few are usable); never back.
     */
    private static void confirm(AfState.Builder s, Intervals judged, Conducted conducted) {
        Intervals dated = conducted.get() != null ? conducted.get() : judged;
        BeatRun segment = s.getSegment();
        int end = dated.stretchEnd(dated.firstAtOrAfter(segment.getOnsetSample(), segment.getOnsetTimeMs()));
        // Later when sample or time says so: a restarted detection numbers samples afresh (lower)
        // while time goes on, a device clock set back moves time back while samples go on.
        if (end >= 0 && (dated.sample()[end] > s.getConfirmedSample()
                || dated.timeMs()[end] > s.getConfirmedTimeMs())) {
            s.setConfirmedSample(dated.sample()[end])
                    .setConfirmedTimeMs(Math.max(s.getConfirmedTimeMs(), dated.timeMs()[end]));
        }
    }

    /**
     * In AF, or irregular enough to be on the way into it: S-labelled beats here are conducted
     * fibrillation, not a supraventricular tachycardia, which is regular.
     */
    public static boolean irregular(AfState state) {
        return inAf(state) || state.getFilled() > 0 && state.getIrregularity() >= LEAVE;
    }

    /**
     * The irregularity of the AF segment so far: the mean of the judgements that found it
     * irregular. What the detector judged last may be the regular rhythm after AF (the judgement
     * that ends it), which every ended AF alert quoted ("RR irregularity 0.02").
     */
    public static double segmentIrregularity(AfStateOrBuilder state) {
        return state.getIrregularJudgements() > 0 ? state.getIrregularitySum() / state.getIrregularJudgements()
                : state.getIrregularity();
    }

    /**
     * The class a beat is reported with in this rhythm: in AF there are no atrial premature beats
     * (the reference annotations label the beats of AF N), but the beat model calls the short
     * intervals of AF S. Part of the class burden and {@code monitor eval} report
     * ({@code ReportedClass}); the rules themselves already read S beats in an irregular rhythm as AF.
     */
    public static BeatClass inRhythm(AfState state, BeatClass modelClass) {
        return inAf(state) && modelClass == BeatClass.S ? BeatClass.N : modelClass;
    }

    /**
     * Whether the device is in AF now: not once the rhythm has turned regular, while AF waits
     * {@link #LEAVE_JUDGEMENTS} judgements to end (the burden, the reported class and the run rules
     * read it beat by beat, and the end is dated back to that point).
     */
    public static boolean inAf(AfState state) {
        return state.getInAf() && state.getLeaveCount() == 0;
    }

    /**
     * Ends AF there, never before its onset in sample or in time, each clamped alone (a device
     * clock set back during AF puts its end before the onset in time only), as every run's end is
     * ({@code Episodes.ofRun}).
     */
    private static void end(AfState.Builder s, String deviceId, long sample, long timeMs, int beats, Output out) {
        BeatRun segment = s.getSegment();
        long endSample = Math.max(sample, segment.getOnsetSample());
        long endTime = Math.max(timeMs, segment.getOnsetTimeMs());
        BeatRun ended = segment.toBuilder().setLastSample(endSample).setLastTimeMs(endTime).setBeats(beats).build();
        out.rhythm(segment(deviceId, ended, segmentIrregularity(s), true));
        s.clearIrregularitySum().clearIrregularJudgements();
        s.setInAf(false).clearSegment().setEndedSample(endSample).setEndedTimeMs(endTime).setLeaveCount(0)
                .setLeavePendingBeats(0).clearLeaveBeats().clearConfirmedSample().clearConfirmedTimeMs();
    }

    /** The segment's beats up to the end the first regular judgement dated; a store written before leave_beats has the segment's. */
    private static int leaveBeats(AfState.Builder s) {
        return s.getLeaveBeats() > 0 ? s.getLeaveBeats() : s.getSegment().getBeats();
    }

    static RhythmSegment segment(String deviceId, BeatRun run, double irregularity, boolean ended) {
        RhythmSegment.Builder r = RhythmSegment.newBuilder()
                .setDeviceId(deviceId)
                .setRhythm(Rhythm.ATRIAL_FIBRILLATION)
                .setOnsetSample(run.getOnsetSample())
                .setOnsetTimeMs(run.getOnsetTimeMs())
                .setBeatCount(run.getBeats())
                .setIrregularity(Math.round(irregularity * 1000) / 1000.0);
        if (ended) {
            r.setEndSample(run.getLastSample()).setEndTimeMs(run.getLastTimeMs());
        }
        return r.build();
    }

    private static boolean supraventricular(BeatClass c) {
        return c == BeatClass.N || c == BeatClass.S || c == BeatClass.F;
    }

    /** A beat the model placed in a class of its own: not Q (paced or unclassifiable). */
    private static boolean classified(BeatClass c) {
        return supraventricular(c) || c == BeatClass.V;
    }

    /**
     * Whether the beats that closed the window's intervals (N, S and F beats after another of
     * them) show no P wave: the median of their known P-wave similarities under
     * {@link #P_WAVE_ABSENT}, from at least {@link #MIN_P_WAVES} of them.
     */
    static boolean pWavesAbsent(AfState.Builder s) {
        double[] known = new double[s.getRrPWaveCount()];
        int n = 0;
        for (float p : s.getRrPWaveList()) {
            if (!Float.isNaN(p)) {
                known[n++] = p;
            }
        }
        return n >= MIN_P_WAVES && median(Arrays.copyOf(known, n)) < P_WAVE_ABSENT;
    }

    private static void pushAny(AfState.Builder s, float rrMs, long sample, long timeMs) {
        while (s.getAnyRrBeatCount() < s.getAnyRrMsCount()) {
            s.addAnyRrBeat(UNKNOWN_BEAT);
        }
        if (s.getAnyRrMsCount() < WINDOW) {
            s.addAnyRrMs(rrMs).addAnyRrSample(sample).addAnyRrTimeMs(timeMs).addAnyRrBeat(s.getBeatNumber());
            s.setAnyPos(s.getAnyRrMsCount() % WINDOW);
        } else {
            int pos = s.getAnyPos();
            s.setAnyRrMs(pos, rrMs).setAnyRrSample(pos, sample).setAnyRrTimeMs(pos, timeMs)
                    .setAnyRrBeat(pos, s.getBeatNumber());
            s.setAnyPos((pos + 1) % WINDOW);
        }
    }

    /** The full window of intervals between N, S, V and F beats, oldest first. */
    private static Intervals withVentricular(AfState.Builder s) {
        Intervals all = new Intervals(WINDOW);
        for (int k = 0; k < WINDOW; k++) {
            int i = (s.getAnyPos() + k) % WINDOW;
            all.add(s.getAnyRrMs(i), s.getAnyRrSample(i), s.getAnyRrTimeMs(i));
        }
        return all;
    }

    private static void push(AfState.Builder s, float rrMs, long sample, long timeMs, boolean touchesS,
            boolean couplesS, float pWave) {
        // Stores written before the S flags existed hold intervals without flags: pad them.
        while (s.getRrTouchesSCount() < s.getRrMsCount()) {
            s.addRrTouchesS(false);
        }
        while (s.getRrCouplesSCount() < s.getRrMsCount()) {
            s.addRrCouplesS(false);
        }
        while (s.getRrPWaveCount() < s.getRrMsCount()) {
            s.addRrPWave(Float.NaN);
        }
        while (s.getRrBeatCount() < s.getRrMsCount()) {
            s.addRrBeat(UNKNOWN_BEAT);
        }
        if (s.getRrMsCount() < WINDOW) {
            s.addRrMs(rrMs).addRrSample(sample).addRrTimeMs(timeMs).addRrTouchesS(touchesS).addRrCouplesS(couplesS)
                    .addRrPWave(pWave).addRrBeat(s.getBeatNumber());
            s.setPos(s.getRrMsCount() % WINDOW);
        } else {
            int pos = s.getPos();
            s.setRrMs(pos, rrMs).setRrSample(pos, sample).setRrTimeMs(pos, timeMs).setRrTouchesS(pos, touchesS)
                    .setRrCouplesS(pos, couplesS).setRrPWave(pos, pWave).setRrBeat(pos, s.getBeatNumber());
            s.setPos((pos + 1) % WINDOW);
        }
        s.setFilled(Math.min(WINDOW, s.getFilled() + 1));
    }

    /** Ring index of the interval {@code back} places before the latest (0 is the latest). */
    private static int indexBack(AfState.Builder s, int back) {
        return ringIndexBack(s.getPos(), back);
    }

    /** Ring index of the interval with V beats {@code back} places before the latest (0 is the latest). */
    private static int anyIndexBack(AfState.Builder s, int back) {
        return ringIndexBack(s.getAnyPos(), back);
    }

    /** Index {@code back} places before the latest in a ring of {@link #WINDOW} whose next slot is {@code pos}. */
    private static int ringIndexBack(int pos, int back) {
        return ((pos - 1 - back) % WINDOW + WINDOW) % WINDOW;
    }

    /** Time of the latest interval in either window. */
    private static long latestTime(AfState.Builder s) {
        long latest = s.getFilled() > 0 ? s.getRrTimeMs(indexBack(s, 0)) : Long.MIN_VALUE;
        return s.getAnyRrMsCount() > 0 ? Math.max(latest, s.getAnyRrTimeMs(anyIndexBack(s, 0))) : latest;
    }

    /**
     * The intervals that decide entry: without those touching S beats while enough others remain,
     * else with them when the S beats' coupling intervals vary and the rhythm is no more irregular
     * than AF; null when neither applies.
     */
    static Intervals entryIntervals(AfState.Builder s, Conducted conducted) {
        Intervals withoutS = conducted(s, true);
        if (withoutS != null) {
            return withoutS;
        }
        if (!(couplingSpread(s) >= COUPLING_SPREAD)) {
            return null;
        }
        Intervals withS = conducted.get();
        return withS != null && withS.irregularity().successive() <= MAX_COUPLED_IRREGULARITY ? withS : null;
    }

    /**
     * Moves an onset dated where the irregular stretch begins past the last beat since then that
     * closed a usable interval with the patient's usual P wave (similarity at least
     * {@value #USUAL_P_WAVE}): a beat conducted from the sinus node says the atria were not yet
     * fibrillating. The stretch can begin up to 31 usable intervals back, which is long where many
     * beats in between are V (the model called 201's aberrated atrial premature beats V on unseen
     * patients, and an onset dated to the window's middle, 16 intervals back, came 42 s before the
     * reference's). The onset moves to the next such beat, or to the beat that entered when that
     * was the last.
     *
     * @param startSample where the irregular stretch begins, where the onset was dated
     */
    private static void afterUsualPWave(AfState.Builder s, BeatRun.Builder segment, long startSample, long sample,
            long timeMs) {
        int filled = s.getFilled();
        int lastUsual = -1;
        for (int k = 0; k < filled; k++) {
            int i = indexBack(s, filled - 1 - k);
            if (s.getRrSample(i) >= startSample && i < s.getRrPWaveCount()
                    && s.getRrPWave(i) >= USUAL_P_WAVE) {
                lastUsual = k;
            }
        }
        if (lastUsual < 0) {
            return;
        }
        long onsetSample = sample;
        long onsetTimeMs = timeMs;
        if (lastUsual + 1 < filled) {
            int next = indexBack(s, filled - 2 - lastUsual);
            onsetSample = s.getRrSample(next);
            onsetTimeMs = s.getRrTimeMs(next);
        }
        if (onsetSample > segment.getOnsetSample()) {
            // That beat's own time: the later of the two times was an earlier beat's when the
            // device clock had been set back in between, and AF dated an hour ahead of its beats
            // never lasted the 30 s its episode needs.
            segment.setOnsetSample(onsetSample).setOnsetTimeMs(onsetTimeMs);
        }
    }

    /**
     * The beats after the beat at {@code fromSample} up to the latest, V beats included, as the
     * segment counts beats (its rate is the ventricular rate): from the beat numbers when a window
     * holds that beat's, else from the intervals after it in the windows, each of which one of
     * them closed (the window with V beats holds more of them unless it spans less time; 32 beats:
     * a point further back is counted short by the V beats before them).
     */
    private static int beatsAfter(AfState.Builder s, long fromSample) {
        long number = beatNumberAt(s.getRrSampleList(), s.getRrBeatList(), fromSample);
        if (number == UNKNOWN_BEAT) {
            number = beatNumberAt(s.getAnyRrSampleList(), s.getAnyRrBeatList(), fromSample);
        }
        if (number != UNKNOWN_BEAT) {
            return (int) (s.getBeatNumber() - number);
        }
        long conducted = s.getRrSampleList().stream().limit(s.getFilled()).filter(x -> x > fromSample).count();
        long any = s.getAnyRrSampleList().stream().filter(x -> x > fromSample).count();
        return (int) Math.max(conducted, any);
    }

    /** The number of the beat at {@code sample} in a window, {@link #UNKNOWN_BEAT} when it holds none. */
    private static long beatNumberAt(List<Long> samples, List<Long> numbers, long sample) {
        for (int i = 0; i < Math.min(samples.size(), numbers.size()); i++) {
            if (samples.get(i) == sample) {
                return numbers.get(i);
            }
        }
        return UNKNOWN_BEAT;
    }

    /**
     * Median absolute deviation of the window's coupling intervals over their median; NaN when
     * fewer than {@link #MIN_COUPLINGS} are in the window.
     */
    static double couplingSpread(AfState.Builder s) {
        double[] coupling = new double[WINDOW];
        int n = 0;
        for (int i = 0; i < Math.min(WINDOW, s.getRrCouplesSCount()); i++) {
            if (s.getRrCouplesS(i)) {
                coupling[n++] = s.getRrMs(i);
            }
        }
        if (n < MIN_COUPLINGS) {
            return Double.NaN;
        }
        double median = median(Arrays.copyOf(coupling, n));
        double[] deviations = new double[n];
        for (int k = 0; k < n; k++) {
            deviations[k] = Math.abs(coupling[k] - median);
        }
        return median(deviations) / median;
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return 0.5 * (values[(n - 1) / 2] + values[n / 2]);
    }

    /**
     * The usable intervals the window holds, oldest first; {@code withoutS} leaves out those
     * touching an S beat (the differences are then between the remaining intervals). Null when
     * fewer than {@link #MIN_ENTRY} remain.
     */
    static Intervals conducted(AfState.Builder s, boolean withoutS) {
        int filled = s.getFilled();
        Intervals judged = new Intervals(filled);
        for (int k = 0; k < filled; k++) {
            int i = indexBack(s, filled - 1 - k);
            if (withoutS && i < s.getRrTouchesSCount() && s.getRrTouchesS(i)) {
                continue;
            }
            judged.add(s.getRrMs(i), s.getRrSample(i), s.getRrTimeMs(i));
        }
        return judged.n() < MIN_ENTRY ? null : judged;
    }

    /**
     * The usable intervals with those touching S beats ({@link #conducted}) of one beat's window,
     * built when first asked for, once: several steps of a judgement read them, and null (too few)
     * is an answer too.
     */
    static final class Conducted {
        private final AfState.Builder s;
        private boolean built;
        private Intervals intervals;

        Conducted(AfState.Builder s) {
            this.s = s;
        }

        Intervals get() {
            if (!built) {
                intervals = conducted(s, false);
                built = true;
            }
            return intervals;
        }
    }

    /**
     * The intervals one judgement reads, oldest first, each with the sample and time of the beat
     * that closed it.
     */
    static final class Intervals {
        private final double[] rrMs;
        private final long[] sample;
        private final long[] timeMs;
        private int n;
        /** Computed when first read; an interval added after clears them. */
        private double mean = Double.NaN;
        private Irregularity irregularity;

        Intervals(int capacity) {
            rrMs = new double[capacity];
            sample = new long[capacity];
            timeMs = new long[capacity];
        }

        void add(double rr, long closedAtSample, long closedAtMs) {
            rrMs[n] = rr;
            sample[n] = closedAtSample;
            timeMs[n] = closedAtMs;
            n++;
            mean = Double.NaN;
            irregularity = null;
        }

        int n() {
            return n;
        }

        long[] sample() {
            return sample;
        }

        long[] timeMs() {
            return timeMs;
        }

        Irregularity irregularity() {
            if (irregularity == null) {
                irregularity = Irregularity.of(rrMs, n, mean());
            }
            return irregularity;
        }

        /**
         * Where the irregular stretch that reaches the latest interval begins: the beat (its
         * position) that opens the run of intervals with the largest excess of differences of at
         * least {@link #LEAVE} of the mean over smaller ones, the change point at which the median
         * of the differences after it crosses the threshold that keeps AF going. The middle when no
         * run has an excess.
         */
        int stretchStart() {
            int first = mostChanges(n - 1, -1);
            return first < 0 ? n / 2 : first - 1;
        }

        /**
         * Where the irregular stretch that begins at position {@code from} ends: the beat (its
         * position) that closes the run of intervals from there with the largest excess of large
         * differences over small ones; -1 when no run has an excess.
         */
        int stretchEnd(int from) {
            return mostChanges(Math.max(1, from + 1), 1);
        }

        /**
         * Scanning the intervals from position {@code first} by {@code step} (1 or -1), the one
         * at which the excess of differences of at least {@link #LEAVE} of the mean over smaller
         * ones is largest, the first such when several tie; -1 when the excess never rises above 0.
         */
        private int mostChanges(int first, int step) {
            if (n < 2) {
                return -1;
            }
            double minChange = LEAVE * mean();
            double excess = 0;
            double best = 0;
            int most = -1;
            for (int k = first; k >= 1 && k < n; k += step) {
                excess += Math.abs(rrMs[k] - rrMs[k - 1]) >= minChange ? 1 : -1;
                if (excess > best) {
                    best = excess;
                    most = k;
                }
            }
            return most;
        }

        private double mean() {
            if (Double.isNaN(mean)) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += rrMs[k];
                }
                mean = sum / n;
            }
            return mean;
        }

        /**
         * The first position whose beat is at or after {@code fromSample} or {@code fromMs} (either
         * clock alone may have gone back); {@code n} when none is.
         */
        int firstAtOrAfter(long fromSample, long fromMs) {
            for (int k = 0; k < n; k++) {
                if (sample[k] >= fromSample || timeMs[k] >= fromMs) {
                    return k;
                }
            }
            return n;
        }

    }

    /**
     * How irregular the first {@code n} of a run of intervals are, each measure over their mean.
     *
     * @param successive the median absolute difference between successive intervals
     * @param everyOther the larger of the same medians of the two interleaved series of every
     *        other interval: a rhythm that repeats every two intervals has both series steady; AF
     *        has neither, and AF with ventricular bigeminy keeps its irregular pauses in one of them
     */
    record Irregularity(double successive, double everyOther) {
        /** @param mean the first {@code n} intervals' mean, which the measures are divided by */
        static Irregularity of(double[] rr, int n, double mean) {
            double[] diffs = new double[n - 1];
            for (int k = 1; k < n; k++) {
                diffs[k - 1] = Math.abs(rr[k] - rr[k - 1]);
            }
            double[] even = new double[(n - 1) / 2];
            double[] odd = new double[(n - 2) / 2];
            for (int k = 2; k < n; k++) {
                double d = Math.abs(rr[k] - rr[k - 2]);
                if (k % 2 == 0) {
                    even[k / 2 - 1] = d;
                } else {
                    odd[k / 2 - 1] = d;
                }
            }
            return new Irregularity(median(diffs) / mean, Math.max(median(even), median(odd)) / mean);
        }

        /** The irregularity the thresholds judge: a rhythm regular by either measure is regular. */
        double value() {
            return Math.min(successive, everyOther);
        }
    }
}
