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
 *   <li>Asystole: no QRS for {@code asystoleS} while the signal is readable. It is reported as
 *       soon as beat detection is final that far past the last beat, and ends at the next beat.</li>
 *   <li>Pause: an interval longer than {@code pauseS} (and shorter than asystole), reported when
 *       the beat that ends it is found.</li>
 * </ul>
 * Where any of the signal since the last beat was unreadable (lead off, noise, a data gap), a
 * gap is a technical problem, already reported as such, and neither rule fires.
 */
final class GapRules {
    private GapRules() {
    }

    static void onProgress(EpisodeState.Builder state, String device, SignalProgress p, EpisodeRules rules,
            EpisodeOutput out) {
        GapState gap = state.getGap();
        GapState.Builder next = gap.toBuilder();
        long asystoleMs = Math.round(rules.asystoleS() * 1000);
        if (p.getHasBeat()) {
            if (gap.getHasBeat()) {
                long silentMs = p.getFirstBeatTimeMs() - gap.getLastBeatTimeMs();
                // A chunk that brought the first beat and trouble together: the trouble may precede the beat.
                boolean readable = !gap.getUnreadableSinceBeat() && !p.getUnreadable();
                if (gap.getAsystoleOpen()) {
                    out.episode(asystole(device, gap).setEndSample(p.getFirstBeatSample())
                            .setEndTimeMs(p.getFirstBeatTimeMs())
                            .setEvidence(Episodes.evidence(gap.getAsystoleOnsetTimeMs(), p.getFirstBeatTimeMs()))
                            .build());
                } else if (readable && silentMs >= asystoleMs) {
                    out.episode(asystole(device, gap.toBuilder().setAsystoleOnsetSample(gap.getLastBeatSample())
                                    .setAsystoleOnsetTimeMs(gap.getLastBeatTimeMs()).build())
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
                    .setUnreadableSinceBeat(p.getUnreadable()).setAsystoleOpen(false);
        } else {
            next.setUnreadableSinceBeat(gap.getUnreadableSinceBeat() || p.getUnreadable());
            if (gap.getHasBeat() && !gap.getAsystoleOpen() && !next.getUnreadableSinceBeat()
                    && p.getDecidedTimeMs() - gap.getLastBeatTimeMs() >= asystoleMs) {
                next.setAsystoleOpen(true).setAsystoleOnsetSample(gap.getLastBeatSample())
                        .setAsystoleOnsetTimeMs(gap.getLastBeatTimeMs());
                out.episode(asystole(device, next.build()).build());
            }
        }
        state.setGap(next);
    }

    private static Episode.Builder asystole(String device, GapState gap) {
        return Episodes.start(device, EpisodeType.ASYSTOLE, gap.getAsystoleOnsetSample(),
                gap.getAsystoleOnsetTimeMs());
    }
}
