package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.state.v1.BeatRunOrBuilder;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Evidence;

/** Builds {@link Episode} messages the same way for every rule. */
public final class Episodes {
    /** ECG strip shown before the onset, so the clinician sees the rhythm that led into the episode. */
    static final long EVIDENCE_LEAD_IN_MS = 5_000;
    /** ECG strip shown after the last beat of the episode. */
    static final long EVIDENCE_TAIL_MS = 2_000;

    private Episodes() {
    }

    /** Deterministic id: the same episode always gets the same id, however often it is replayed. */
    public static String id(String deviceId, String type, long onsetSample) {
        return deviceId + ":" + type + ":" + onsetSample;
    }

    /**
     * An episode over a run of beats.
     *
     * @param ended whether the run is over (its last beat is the end) or still going on
     */
    static Episode ofRun(String deviceId, EpisodeType type, BeatRun run, boolean ended, String detail) {
        double rate = run.getIntervals() > 0 && run.getRrSumMs() > 0
                ? 60_000.0 * run.getIntervals() / run.getRrSumMs() : 0;
        Episode.Builder e = start(deviceId, type, run.getOnsetSample(), run.getOnsetTimeMs())
                .setBeatCount(run.getBeats())
                .setRateBpm(Math.round(rate * 10) / 10.0)
                .setDetail(detail)
                .setEvidence(evidence(run.getOnsetTimeMs(), run.getLastTimeMs()));
        if (ended) {
            // A device clock set back mid-run (accepted, see the gateway) must not end it before it began.
            e.setEndSample(Math.max(run.getLastSample(), run.getOnsetSample()))
                    .setEndTimeMs(Math.max(run.getLastTimeMs(), run.getOnsetTimeMs()));
        }
        return e.build();
    }

    static Episode.Builder start(String deviceId, EpisodeType type, long onsetSample, long onsetTimeMs) {
        return Episode.newBuilder()
                .setEpisodeId(id(deviceId, type.name(), onsetSample))
                .setDeviceId(deviceId)
                .setType(type.name())
                .setTechnical(type.technical())
                .setPriority(type.priority())
                .setOnsetSample(onsetSample)
                .setOnsetTimeMs(onsetTimeMs)
                .setEvidence(evidence(onsetTimeMs, onsetTimeMs));
    }

    static Evidence evidence(long onsetTimeMs, long lastTimeMs) {
        return Evidence.newBuilder()
                .setStartTimeMs(onsetTimeMs - EVIDENCE_LEAD_IN_MS)
                .setEndTimeMs(Math.max(lastTimeMs, onsetTimeMs) + EVIDENCE_TAIL_MS)
                .build();
    }

    /** A run that starts with one beat. */
    static BeatRun.Builder runFrom(long sample, long timeMs) {
        return BeatRun.newBuilder().setBeats(1).setOnsetSample(sample).setOnsetTimeMs(timeMs).setLastSample(sample)
                .setLastTimeMs(timeMs);
    }

    /** The run grown by one beat, {@code rrMs} after the previous one. */
    static BeatRun.Builder grow(BeatRun run, long sample, long timeMs, double rrMs) {
        float rr = (float) rrMs;
        boolean first = run.getIntervals() == 0;
        return run.toBuilder().setBeats(run.getBeats() + 1).setLastSample(sample).setLastTimeMs(timeMs)
                .setRrSumMs(run.getRrSumMs() + rrMs).setIntervals(run.getIntervals() + 1)
                .setMinRrMs(first ? rr : Math.min(run.getMinRrMs(), rr))
                .setMaxRrMs(first ? rr : Math.max(run.getMaxRrMs(), rr));
    }

    /**
     * The run taken on by a beat after unreadable signal: one beat more, but no interval, since the
     * one before it ran from a beat in noise, which may have been the noise itself.
     */
    static BeatRun.Builder resume(BeatRun run, long sample, long timeMs) {
        return run.toBuilder().setBeats(run.getBeats() + 1).setLastSample(sample).setLastTimeMs(timeMs);
    }

    /** Longest over shortest interval of the run; 1 for a run of fewer than two intervals. */
    static double rrSpread(BeatRunOrBuilder run) {
        return run.getIntervals() < 2 || run.getMinRrMs() <= 0 ? 1 : run.getMaxRrMs() / run.getMinRrMs();
    }

    static double rateBpm(BeatRunOrBuilder run) {
        return run.getIntervals() > 0 && run.getRrSumMs() > 0 ? 60_000.0 * run.getIntervals() / run.getRrSumMs() : 0;
    }
}
