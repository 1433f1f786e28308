package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.GapState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.Episode;

/**
 * Pause and asystole, from the device's own stream time ({@link SignalProgress} after each
 * chunk), not from classified beats, which wait for their next beat, and not from the task's
 * stream time, which other devices' clocks drive.
 * <ul>
 *   <li>Asystole: no QRS for {@code asystoleS} of readable signal. It is reported as soon as
 *       beat detection is final that far past the last beat, or past the end of the last
 *       unreadable stretch since it, and ends at the next beat.</li>
 *   <li>Pause: an interval longer than {@code pauseS} (and shorter than asystole), reported when
 *       the beat that ends it is found, if all of it was readable.</li>
 * </ul>
 * Unreadable signal (lead off, noise, a data gap) is a technical problem, already reported as
 * such: no QRS there is not asystole. But the silence that follows it is counted: a patient who
 * collapses shakes the electrodes before the line goes quiet, and that asystole must still alarm.
 */
final class GapRules {
    private GapRules() {
    }

    static void onProgress(EpisodeState.Builder state, String device, SignalProgress p, EpisodeRules rules,
            EpisodeOutput out) {
        GapState gap = withKnownTroubleEnd(state.getGap(), p);
        GapState.Builder next = gap.toBuilder();
        long asystoleMs = Math.round(rules.asystoleS() * 1000);
        if (p.getHasBeat()) {
            if (gap.getHasBeat()) {
                long silentMs = p.getFirstBeatTimeMs() - gap.getLastBeatTimeMs();
                // A chunk that brought the first beat and trouble together: the trouble may precede the beat.
                boolean readable = !gap.getUnreadableSinceBeat() && !p.getUnreadable();
                Silence silence = Silence.of(gap);
                if (gap.getAsystoleOpen()) {
                    out.episode(asystole(device, gap.getAsystoleOnsetSample(), gap.getAsystoleOnsetTimeMs())
                            .setEndSample(p.getFirstBeatSample())
                            .setEndTimeMs(p.getFirstBeatTimeMs())
                            .setEvidence(Episodes.evidence(gap.getAsystoleOnsetTimeMs(), p.getFirstBeatTimeMs()))
                            .build());
                } else if (!p.getUnreadable() && p.getFirstBeatTimeMs() - silence.timeMs() >= asystoleMs) {
                    out.episode(asystole(device, silence.sample(), silence.timeMs())
                            .setEndSample(p.getFirstBeatSample()).setEndTimeMs(p.getFirstBeatTimeMs())
                            .setEvidence(Episodes.evidence(gap.getLastBeatTimeMs(), p.getFirstBeatTimeMs()))
                            .build());
                } else if (readable && silentMs > rules.pauseS() * 1000) {
                    out.episode(Episodes.start(device, EpisodeType.PAUSE, gap.getLastBeatSample(),
                                    gap.getLastBeatTimeMs())
                            .setEndSample(p.getFirstBeatSample())
                            .setEndTimeMs(p.getFirstBeatTimeMs())
                            .setBeatCount(2)
                            .setDetail(String.format(java.util.Locale.ROOT, "RR %.1f s", silentMs / 1000.0))
                            .setEvidence(Episodes.evidence(gap.getLastBeatTimeMs(), p.getFirstBeatTimeMs()))
                            .build());
                }
            }
            next.setHasBeat(true).setLastBeatSample(p.getLastBeatSample()).setLastBeatTimeMs(p.getLastBeatTimeMs())
                    .setUnreadableSinceBeat(p.getUnreadable()).setAsystoleOpen(false)
                    .setReadableSinceSample(0).setReadableSinceTimeMs(0);
            if (p.getUnreadable()) {
                // The trouble may have followed the last beat (or a data gap its dating, a beat
                // from before the gap decided in this chunk).
                next.setReadableSinceSample(p.getSampleCount()).setReadableSinceTimeMs(p.getTimeMs());
            }
        } else {
            next.setUnreadableSinceBeat(gap.getUnreadableSinceBeat() || p.getUnreadable());
            if (p.getUnreadable()) {
                next.setReadableSinceSample(p.getSampleCount()).setReadableSinceTimeMs(p.getTimeMs());
            }
            Silence silence = Silence.of(next.build());
            if (gap.getHasBeat() && !gap.getAsystoleOpen() && !p.getUnreadable()
                    && p.getDecidedTimeMs() - silence.timeMs() >= asystoleMs) {
                next.setAsystoleOpen(true).setAsystoleOnsetSample(silence.sample())
                        .setAsystoleOnsetTimeMs(silence.timeMs());
                out.episode(asystole(device, silence.sample(), silence.timeMs()).build());
            }
        }
        state.setGap(next);
    }

    /** Where readable silence began: at the last beat, or at the end of trouble after it. */
    private record Silence(long sample, long timeMs) {
        static Silence of(GapState gap) {
            return gap.getReadableSinceTimeMs() > gap.getLastBeatTimeMs()
                    ? new Silence(gap.getReadableSinceSample(), gap.getReadableSinceTimeMs())
                    : new Silence(gap.getLastBeatSample(), gap.getLastBeatTimeMs());
        }
    }

    /**
     * State saved before readable_since existed says there was trouble since the last beat but not
     * where it ended: take it to end with this chunk, so no silence before it counts.
     */
    private static GapState withKnownTroubleEnd(GapState gap, SignalProgress p) {
        return gap.getUnreadableSinceBeat() && gap.getReadableSinceTimeMs() == 0
                ? gap.toBuilder().setReadableSinceSample(p.getSampleCount()).setReadableSinceTimeMs(p.getTimeMs())
                        .build()
                : gap;
    }

    private static Episode.Builder asystole(String device, long onsetSample, long onsetTimeMs) {
        return Episodes.start(device, EpisodeType.ASYSTOLE, onsetSample, onsetTimeMs);
    }
}
