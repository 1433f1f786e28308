package org.arrhythmiamonitor.episode;

import java.util.Locale;
import org.arrhythmiamonitor.rhythm.AfDetector;
import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.state.v1.ClockSetBack;
import org.arrhythmiamonitor.state.v1.AfState;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.state.v1.TechnicalState;
import org.arrhythmiamonitor.wire.v1.BeatClass;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/**
 * Every episode rule of one device, over its classified beats, the progress of its signal path
 * and the technical events the signal path reports. The stream processor keeps the
 * {@link EpisodeState} in a store; {@code monitor eval} runs the same methods over a record.
 */
public final class EpisodeDetector {
    /** How long a silent device's open runs and AF wait for its samples before they end at their last beat. */
    static final long SILENCE_ENDS_EPISODES_MS = 5 * 60_000;
    /** How much earlier than its interval says a beat's time may come before it is a clock set back. */
    private static final long CLOCK_SLACK_MS = 1_000;
    /** Clock set backs kept: an AF segment's 30 s span a few at most. */
    private static final int MAX_CLOCK_SET_BACKS = 4;

    private EpisodeDetector() {
    }

    public static EpisodeState onBeat(EpisodeState state, ClassifiedBeat classified, EpisodeRules rules,
            EpisodeOutput out) {
        BeatEvent beat = BeatEvent.of(classified);
        EpisodeState.Builder s = state.toBuilder();
        // The beats of a chunk may come before its progress (onProgress), which also checks this.
        endIfNotContinued(s, state.getTechnical(), beat.timeMs(),
                state.getHasPrevious() ? state.getPreviousTimeMs() : Long.MIN_VALUE, beat.deviceId(), rules, out);
        rhythm(s, beat, rules, out);
        ReportedClass.Reported reported = ReportedClass.of(s.getAf(), beat, new ReportedClass.Reported(
                BeatClass.forNumber(state.getReportedClass()), state.getReportedSRunLocalRrMs(),
                state.getReportedSRunOnsetMs()), new ReportedClass.PreviousCall(previousClass(s), s.getPreviousRrMs()));
        EctopicRuns.onBeat(s, beat, reported.beatClass(), rules, out);
        // After the ectopic runs: extreme tachycardia leaves out the beats of an open VT, the beat
        // that opens it included (run before it, that beat could raise both alarms at once).
        RateRuns.onBeat(s, beat, rules, out);
        return s.setHasPrevious(true)
                .setReportedClass(reported.beatClass().getNumber())
                .setReportedSRunLocalRrMs(reported.sRunLocalRrMs())
                .setReportedSRunOnsetMs(reported.sRunOnsetMs())
                .setPreviousSample(beat.sample())
                .setPreviousTimeMs(beat.timeMs())
                .setPreviousClass(beat.beatClass().getNumber())
                .setPreviousRrMs(beat.rrMs())
                .setPreviousReadable(beat.readable())
                .build();
    }

    /** After a chunk: the time-driven rules on the device's own stream time. */
    public static EpisodeState onProgress(EpisodeState state, String deviceId, SignalProgress progress, long wallMs,
            EpisodeRules rules, EpisodeOutput out) {
        EpisodeState.Builder s = state.toBuilder();
        TechnicalState before = state.getTechnical();
        TechnicalRules.onProgress(s, deviceId, progress, wallMs, rules, out);
        endIfNotContinued(s, before, progress.getTimeMs(), before.getStreamTimeMs(), deviceId, rules, out);
        s.getTechnicalBuilder().setEpisodesEnded(false);
        GapRules.onProgress(s, deviceId, progress, rules, out);
        return s.build();
    }

    /** A technical event from the signal path. */
    public static EpisodeState onTechnical(EpisodeState state, Episode event, EpisodeOutput out) {
        EpisodeState.Builder s = state.toBuilder();
        TechnicalRules.onTechnical(s, event, out);
        return s.build();
    }

    /**
     * Checks the device against the wall clock; returns the new state, or null when nothing changed.
     * A device that falls silent gets its {@code DEVICE_SILENT} episode. Open runs and AF, and the
     * SVT runs held back to see the rhythm after them, stay as they are for
     * {@link #SILENCE_ENDS_EPISODES_MS}: silence is wall-clock time, and a device that stores its
     * samples sends them on where it stopped, so a VT that goes on in them is one episode,
     * sustained once it lasts, not two alarms split at an upload pause. Samples that do not go on
     * where the stream stopped (a data gap, a clock set back) end them at their last beat; so does
     * a silence longer than that, after which an episode left open would keep its alert ongoing
     * for as long as the device is gone, and the held SVT runs are then reported.
     *
     * @param watchingSinceMs wall-clock time the caller began watching: no device is silent for
     *        longer than that, whatever arrival time the state holds
     */
    public static EpisodeState onWallClock(EpisodeState state, String deviceId, long wallMs, long watchingSinceMs,
            EpisodeRules rules, EpisodeOutput out) {
        EpisodeState.Builder s = state.toBuilder();
        if (TechnicalRules.onWallClock(s, deviceId, wallMs, watchingSinceMs, rules, out)) {
            return s.build();
        }
        TechnicalState t = s.getTechnical();
        return endedAfterSilence(s, t, wallMs - t.getSilentSinceWallMs() >= SILENCE_ENDS_EPISODES_MS, deviceId,
                rules, out) ? s.build() : null;
    }

    /**
     * Back after a silence with data dated before where the stream stopped ({@code lastMs}: a clock
     * set back, as after a restart): the samples do not go on where it stopped, so what was open
     * then ends at its last beat, once.
     */
    private static void endIfNotContinued(EpisodeState.Builder s, TechnicalState before, long timeMs, long lastMs,
            String deviceId, EpisodeRules rules, EpisodeOutput out) {
        endedAfterSilence(s, before, timeMs < lastMs, deviceId, rules, out);
    }

    /**
     * Ends what a silent device left open, once, when {@code due}; whether it did.
     *
     * @param before the device's technical state as the silence left it
     */
    private static boolean endedAfterSilence(EpisodeState.Builder s, TechnicalState before, boolean due,
            String deviceId, EpisodeRules rules, EpisodeOutput out) {
        if (!before.getSilent() || before.getEpisodesEnded() || !due) {
            return false;
        }
        endEpisodes(s, deviceId, rules, out);
        s.getTechnicalBuilder().setEpisodesEnded(true);
        return true;
    }

    /** Ends every open run and AF at its last beat. */
    private static void endEpisodes(EpisodeState.Builder s, String deviceId, EpisodeRules rules, EpisodeOutput out) {
        EctopicRuns.endAll(s, deviceId, rules, out);
        RateRuns.endAll(s, deviceId, out);
        Segments segments = new Segments(out);
        AfState before = s.getAf();
        s.setAf(withEpisodeEnded(before, AfDetector.interrupt(before, deviceId, segments), segments, deviceId, out));
    }

    /**
     * At the end of a recording ({@code monitor eval}), which the stream never reaches: reports
     * what the rules still hold back to see the rhythm after it (SVT runs, {@code EctopicRuns}).
     */
    public static void onRecordEnd(EpisodeState state, String deviceId, EpisodeOutput out) {
        EctopicRuns.reportHeld(state.toBuilder(), deviceId, out);
    }

    public static boolean inAf(EpisodeState state) {
        return AfDetector.inAf(state.getAf());
    }

    /**
     * The AF detector's rhythm segments go to {@code ecg.rhythm}; one that lasts
     * {@code afMinDurationS} up to the latest beat known to be AF's becomes an atrial fibrillation
     * episode, ended with the segment.
     */
    private static void rhythm(EpisodeState.Builder s, BeatEvent beat, EpisodeRules rules, EpisodeOutput out) {
        AfState before = s.getAf();
        Segments segments = new Segments(out);
        AfDetector.Beat afBeat = new AfDetector.Beat(beat.sample(), beat.timeMs(), beat.rrMs(), beat.beatClass(),
                beat.classified(), beat.pWaveSimilarity());
        AfState after = withEpisodeEnded(before, AfDetector.onBeat(before, beat.deviceId(), afBeat, previousClass(s),
                s.getPreviousReadable(), segments), segments, beat.deviceId(), out);
        after = withClockSetBack(after, s, beat);
        BeatRun run = after.getSegment();
        // Up to the latest beat the judgements place in the irregular stretch, dated as the end
        // will be, not up to this beat: the window that keeps AF going reaches past its end.
        if (after.getInAf() && !after.getEpisodeOpen() && afLastedMs(after) >= rules.afMinDurationS() * 1000) {
            out.episode(afEpisode(beat.deviceId(), run.getOnsetSample(), run.getOnsetTimeMs(), run.getLastTimeMs(),
                    run.getBeats(), AfDetector.segmentIrregularity(after))
                    .setEvidence(Episodes.evidence(run.getOnsetTimeMs(), run.getLastTimeMs())).build());
            after = after.toBuilder().setEpisodeOpen(true).build();
        }
        s.setAf(after);
    }

    /**
     * Notes a device clock set back at this beat: its time came more than {@link #CLOCK_SLACK_MS}
     * earlier than the beat before's plus its interval (which the signal path measures in
     * samples). A gap (no interval) says nothing, and time running ahead of the interval is chunks
     * lost in between, which take real time.
     *
     * @param s the device's state, still holding the previous beat
     */
    private static AfState withClockSetBack(AfState af, EpisodeState.Builder s, BeatEvent beat) {
        long backMs = Math.round(s.getPreviousTimeMs() + beat.rrMs()) - beat.timeMs();
        if (!s.getHasPrevious() || beat.rrMs() <= 0 || backMs <= CLOCK_SLACK_MS) {
            return af;
        }
        AfState.Builder b = af.toBuilder();
        if (b.getClockSetBacksCount() >= MAX_CLOCK_SET_BACKS) {
            b.removeClockSetBacks(0);
        }
        return b.addClockSetBacks(ClockSetBack.newBuilder().setSample(beat.sample()).setBackMs(backMs)).build();
    }

    /**
     * How long the AF segment has lasted, from its onset to the latest beat known to be AF's: in
     * device time, with the times the clock went back in between added back. Without them an hour
     * back 10 s into AF, and 50 s more of it, raised no AF episode. (Counted in samples instead, a
     * detection restart, which numbers samples afresh, made 26 s of AF an episode, and lost chunks,
     * which leave no hole in the sample count, kept 42 s of AF from being one.)
     */
    private static long afLastedMs(AfState af) {
        long lastedMs = af.getConfirmedTimeMs() - af.getSegment().getOnsetTimeMs();
        for (ClockSetBack back : af.getClockSetBacksList()) {
            if (back.getSample() > af.getSegment().getOnsetSample() && back.getSample() <= af.getConfirmedSample()) {
                lastedMs += back.getBackMs();
            }
        }
        return lastedMs;
    }

    /** Passes the AF detector's segments on to {@code ecg.rhythm}, keeping the one that ended, if any. */
    private static final class Segments implements AfDetector.Output {
        private final EpisodeOutput out;
        private RhythmSegment ended;

        Segments(EpisodeOutput out) {
            this.out = out;
        }

        @Override
        public void rhythm(RhythmSegment segment) {
            out.rhythm(segment);
            if (segment.getEndTimeMs() != 0) {
                ended = segment;
            }
        }
    }

    /** Ends the AF episode with the segment that ended, if the episode was open. */
    private static AfState withEpisodeEnded(AfState before, AfState after, Segments segments, String deviceId,
            EpisodeOutput out) {
        RhythmSegment seg = segments.ended;
        if (seg == null || !before.getEpisodeOpen()) {
            return after;
        }
        out.episode(afEpisode(deviceId, seg.getOnsetSample(), seg.getOnsetTimeMs(), seg.getEndTimeMs(),
                seg.getBeatCount(), seg.getIrregularity())
                .setEndSample(seg.getEndSample()).setEndTimeMs(seg.getEndTimeMs())
                .setEvidence(Episodes.evidence(seg.getOnsetTimeMs(), seg.getEndTimeMs())).build());
        return after.toBuilder().setEpisodeOpen(false).build();
    }

    private static Episode.Builder afEpisode(String deviceId, long onsetSample, long onsetTimeMs, long lastTimeMs,
            int beats, double irregularity) {
        long durationMs = lastTimeMs - onsetTimeMs;
        double rate = durationMs > 0 ? 60_000.0 * Math.max(0, beats - 1) / durationMs : 0;
        return Episodes.start(deviceId, EpisodeType.ATRIAL_FIBRILLATION, onsetSample, onsetTimeMs)
                .setBeatCount(beats)
                .setRateBpm(Math.round(rate * 10) / 10.0)
                .setDetail(String.format(Locale.ROOT, "RR irregularity %.2f", irregularity));
    }

    private static BeatClass previousClass(EpisodeState.Builder s) {
        BeatClass c = BeatClass.forNumber(s.getPreviousClass());
        return c == null ? BeatClass.BEAT_CLASS_UNSPECIFIED : c;
    }
}
