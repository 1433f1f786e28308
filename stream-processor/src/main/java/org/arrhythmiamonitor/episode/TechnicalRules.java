package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.state.v1.TechnicalState;
import org.arrhythmiamonitor.wire.v1.Episode;

/**
 * Which technical events raise alerts, and when:
 * <ul>
 *   <li>lead off and data gaps at once (the signal path has published their episodes);</li>
 *   <li>noise only once it has lasted {@code noiseMinS} of the device's stream time: short bursts
 *       of muscle noise are part of every ambulatory recording;</li>
 *   <li>saturation never on its own (brief clipping; when it lasts the signal reads as lead off);</li>
 *   <li>a device silent for {@code silentAfterS} of wall-clock time (no chunk arrives, so there is
 *       no device time to go by): an episode of its own, ended by the next chunk.</li>
 * </ul>
 */
final class TechnicalRules {
    private TechnicalRules() {
    }

    static void onTechnical(EpisodeState.Builder state, Episode event, EpisodeOutput out) {
        EpisodeType type = EpisodeType.fromWire(event.getType());
        if (type == null) {
            return;
        }
        TechnicalState.Builder t = state.getTechnicalBuilder();
        switch (type) {
            case LEAD_OFF, DATA_GAP -> out.alertOnly(event);
            case NOISE -> {
                if (event.getEndTimeMs() == 0) {
                    t.setNoiseOpen(true).setNoiseOnsetSample(event.getOnsetSample())
                            .setNoiseOnsetTimeMs(event.getOnsetTimeMs()).setNoiseAlerted(false);
                } else {
                    if (t.getNoiseAlerted() && t.getNoiseOnsetSample() == event.getOnsetSample()) {
                        out.alertOnly(event);
                    }
                    t.setNoiseOpen(false).setNoiseAlerted(false);
                }
            }
            default -> {
                // Saturation and types of later versions raise no alert.
            }
        }
    }

    static void onProgress(EpisodeState.Builder state, String device, SignalProgress p, long wallMs,
            EpisodeRules rules, EpisodeOutput out) {
        TechnicalState.Builder t = state.getTechnicalBuilder();
        if (t.getSilent()) {
            // Silence is wall-clock time: in device time the stream goes on where it stopped (a device
            // that stored its samples sends them on; one that was off also gets a data gap), so
            // the episode ends where it began, and its detail says how long nothing came.
            out.episode(silence(device, t).setEndSample(t.getSampleCount()).setEndTimeMs(t.getStreamTimeMs())
                    .setDetail("data resumed after " + (wallMs - t.getSilentSinceWallMs()) / 1000 + " s")
                    .build());
            t.setSilent(false);
        }
        t.setLastChunkWallMs(wallMs).setSampleCount(p.getSampleCount()).setStreamTimeMs(p.getTimeMs());
        if (t.getNoiseOpen() && !t.getNoiseAlerted()
                && p.getTimeMs() - t.getNoiseOnsetTimeMs() >= rules.noiseMinS() * 1000) {
            t.setNoiseAlerted(true);
            out.alertOnly(Episodes.start(device, EpisodeType.NOISE, t.getNoiseOnsetSample(), t.getNoiseOnsetTimeMs())
                    .setDetail("noise for more than " + Math.round(rules.noiseMinS()) + " s")
                    .build());
        }
    }

    /**
     * Checks a device against the wall clock; returns whether it just went silent. Silence counts
     * from the device's last chunk, or from {@code watchingSinceMs} when that is later: a restarted
     * instance reads the stored arrival times of chunks before the restart, and the backlog that
     * followed them may not have been read yet.
     */
    static boolean onWallClock(EpisodeState.Builder state, String device, long wallMs, long watchingSinceMs,
            EpisodeRules rules, EpisodeOutput out) {
        TechnicalState.Builder t = state.getTechnicalBuilder();
        if (t.getSilent() || t.getLastChunkWallMs() == 0
                || wallMs - Math.max(t.getLastChunkWallMs(), watchingSinceMs) < rules.silentAfterS() * 1000) {
            return false;
        }
        t.setSilent(true).setSilentSinceWallMs(t.getLastChunkWallMs());
        out.episode(silence(device, t).setDetail("no data for " + Math.round(rules.silentAfterS()) + " s").build());
        return true;
    }

    /** Silence begins where the device's stream stopped: its onset is the next sample it owes us. */
    private static Episode.Builder silence(String device, TechnicalState.Builder t) {
        return Episodes.start(device, EpisodeType.DEVICE_SILENT, t.getSampleCount(), t.getStreamTimeMs());
    }
}
