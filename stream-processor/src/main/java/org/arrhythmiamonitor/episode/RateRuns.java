package org.arrhythmiamonitor.episode;

import java.util.function.DoublePredicate;
import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.state.v1.EpisodeState;

/**
 * Extreme tachycardia and bradycardia: a run of consecutive intervals beyond a rate limit
 * ({@code tachycardiaBeats} intervals above {@code tachycardiaBpm}, {@code bradycardiaBeats}
 * below {@code bradycardiaBpm}). The run is reported when it reaches its count and again when the
 * rate brings it back. It begins at the beat that opens its first interval, which must be beyond
 * the limit, and only intervals beyond the limit count towards reporting it. After that the run's
 * recent rate decides: a running mean of its intervals ({@link #RECENT_WEIGHT}), each counted as
 * at most {@link #MAX_STEP} times the mean or at least its share, so no one interval moves it far.
 * The run ends once that rate has been within the limit for {@link #END_AFTER} intervals in a row,
 * at its last beat whose own interval was beyond the limit. The rate is the heart's, not every interval's: a PVC's
 * compensatory pause, or the long intervals of fast atrial fibrillation, ended the run before, so
 * a tachycardia at 160 a minute with a PVC every eighth beat, or AF at 168 a minute, raised no
 * alarm, and one PVC split one tachycardia or bradycardia into two. Intervals that touch
 * a beat in unreadable signal are not measured (noise imitates a fast rate): they break a run not
 * yet reported, and a reported one goes on through noise shorter than {@code noiseMinS} when the
 * next measured interval still qualifies, so one noisy beat does not raise a second alarm. An
 * open ventricular tachycardia ends extreme tachycardia, and its beats start none: the same beats
 * raise no second alarm.
 */
final class RateRuns {
    /** Weight of each new interval in a run's recent interval: about its last four count. */
    static final double RECENT_WEIGHT = 0.25;
    /** An interval counts in the recent one as at most this many times it, or at least its share. */
    static final double MAX_STEP = 1.5;
    /** The run ends once its recent rate has been within the limit for this many intervals in a row. */
    static final int END_AFTER = 2;

    private RateRuns() {
    }

    static void onBeat(EpisodeState.Builder state, BeatEvent beat, EpisodeRules rules, EpisodeOutput out) {
        boolean usable = state.getHasPrevious() && state.getPreviousReadable() && beat.readable() && beat.rrMs() > 0;
        double bpm = usable ? 60_000.0 / beat.rrMs() : Double.NaN;
        long noiseMs = Math.round(rules.noiseMinS() * 1000);
        if (state.getVentricular().getOpen()) {
            // Fast ventricular beats are already ventricular tachycardia: the same beats raise no second alarm.
            state.setTachycardia(end(state.getTachycardia(), beat.deviceId(), EpisodeType.EXTREME_TACHYCARDIA, out));
        } else {
            state.setTachycardia(advance(state, state.getTachycardia(), beat, bpm, EpisodeType.EXTREME_TACHYCARDIA,
                    rate -> rate > rules.tachycardiaBpm(), rules.tachycardiaBeats(), noiseMs, out));
        }
        state.setBradycardia(advance(state, state.getBradycardia(), beat, bpm, EpisodeType.EXTREME_BRADYCARDIA,
                rate -> rate < rules.bradycardiaBpm(), rules.bradycardiaBeats(), noiseMs, out));
    }

    /**
     * Intervals of the run beyond the limit. A run saved before they were counted (no recent
     * interval) was made of such intervals only.
     */
    private static int beyondLimitSoFar(BeatRun run) {
        return run.getRecentRrMs() <= 0 ? run.getIntervals() : run.getBeyondLimit();
    }

    /** Ends both runs at their last beat: the signal can no longer tell whether they go on. */
    static void endAll(EpisodeState.Builder state, String device, EpisodeOutput out) {
        state.setTachycardia(end(state.getTachycardia(), device, EpisodeType.EXTREME_TACHYCARDIA, out));
        state.setBradycardia(end(state.getBradycardia(), device, EpisodeType.EXTREME_BRADYCARDIA, out));
    }

    /** Ends the run, reported ended at its last beat beyond the limit when it was reported; no run after. */
    private static BeatRun end(BeatRun run, String device, EpisodeType type, EpisodeOutput out) {
        if (run.getOpen()) {
            out.episode(Episodes.ofRun(device, type, atLastBeyond(run), true, ""));
        }
        return BeatRun.getDefaultInstance();
    }

    private static BeatRun advance(EpisodeState.Builder state, BeatRun run, BeatEvent beat, double bpm,
            EpisodeType type, DoublePredicate qualifies, int intervalsNeeded, long noiseMs, EpisodeOutput out) {
        if (Double.isNaN(bpm) && run.getOpen() && beat.timeMs() - run.getLastTimeMs() <= noiseMs) {
            // Noise inside a reported run: it goes on if the next measured interval still qualifies.
            return run;
        }
        boolean starts = run.getBeats() == 0;
        boolean intervalBeyond = !Double.isNaN(bpm) && qualifies.test(bpm);
        if (starts && !intervalBeyond) {
            return run;
        }
        // One interval moves the recent one by at most half of it again or a third of it down:
        // the longest intervals of fast AF, or a PVC's coupling interval in a bradycardia, must
        // not end the run alone.
        double recentRrMs = starts || run.getRecentRrMs() <= 0 ? beat.rrMs()
                : run.getRecentRrMs() + RECENT_WEIGHT * (Math.max(run.getRecentRrMs() / MAX_STEP,
                        Math.min(run.getRecentRrMs() * MAX_STEP, beat.rrMs())) - run.getRecentRrMs());
        boolean beyond = intervalBeyond || !Double.isNaN(bpm) && qualifies.test(60_000.0 / recentRrMs);
        int within = beyond ? 0 : run.getWithinLimit() + 1;
        if (Double.isNaN(bpm) || within >= END_AFTER) {
            return end(run, beat.deviceId(), type, out);
        }
        BeatRun.Builder grown = starts
                ? Episodes.runFrom(state.getPreviousSample(), state.getPreviousTimeMs())
                : run.toBuilder();
        grown = Episodes.grow(grown.build(), beat.sample(), beat.timeMs(), beat.rrMs())
                .setRecentRrMs((float) recentRrMs)
                .setBeyondLimit(beyondLimitSoFar(run) + (intervalBeyond ? 1 : 0))
                .setWithinLimit(within);
        if (intervalBeyond) {
            grown.setLastBeyondSample(beat.sample()).setLastBeyondTimeMs(beat.timeMs()).setBeatsAfterBeyond(0)
                    .setRrSumAfterBeyondMs(0).setIntervalsAfterBeyond(0);
        } else {
            grown.setBeatsAfterBeyond(run.getBeatsAfterBeyond() + 1)
                    .setRrSumAfterBeyondMs(run.getRrSumAfterBeyondMs() + beat.rrMs())
                    .setIntervalsAfterBeyond(run.getIntervalsAfterBeyond() + 1);
        }
        if (!grown.getOpen() && grown.getBeyondLimit() >= intervalsNeeded) {
            grown.setOpen(true);
            out.episode(Episodes.ofRun(beat.deviceId(), type, atLastBeyond(grown.build()), false, ""));
        }
        return grown.build();
    }

    /**
     * The run as it is reported: up to its last beat whose interval was beyond the limit, without
     * the beats after it nor their intervals, which would put its rate on the other side of the
     * limit it reports. A run saved before that beat was kept ends at its last.
     */
    private static BeatRun atLastBeyond(BeatRun run) {
        if (run.getLastBeyondTimeMs() == 0 || run.getBeatsAfterBeyond() == 0) {
            return run;
        }
        return run.toBuilder().setLastSample(run.getLastBeyondSample()).setLastTimeMs(run.getLastBeyondTimeMs())
                .setBeats(run.getBeats() - run.getBeatsAfterBeyond())
                .setRrSumMs(run.getRrSumMs() - run.getRrSumAfterBeyondMs())
                .setIntervals(run.getIntervals() - run.getIntervalsAfterBeyond()).build();
    }
}
