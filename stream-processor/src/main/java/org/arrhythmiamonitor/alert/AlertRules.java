package org.arrhythmiamonitor.alert;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.episode.EpisodeType;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * Turns episodes into alerts. The alert id is the episode id (device, type, onset sample), so an
 * ongoing episode has one alert, its end re-publishes that alert with the end time, and replays
 * never duplicate it. Types a patient's settings mute raise none; a low-priority type raises at
 * most one alert per {@code lowAlertHoldoffS} of device time, so a patient with frequent couplets
 * does not page anybody every minute (every episode is still on {@code ecg.episodes}). So do data
 * gaps: a device on a flaky network loses a chunk every minute or so, and one technical alert
 * says so.
 */
public final class AlertRules {
    /** Most open episodes whose raised alert is remembered; more means ends that never came. */
    private static final int MAX_RAISED = 64;

    private AlertRules() {
    }

    /**
     * @param holdoff the device's state, which remembers the last low-priority alert of each type;
     *     null where nothing is held off (the burden rules keep their own state)
     * @param raised ids of the device's episodes whose alert was raised and has not ended, which
     *     this updates: a patient's muted types raise nothing new, but an alert already raised
     *     still gets its updates and its end (muting a type mid-episode must not leave its alert
     *     open for good)
     */
    public static Optional<Alert> alertFor(Episode episode, EpisodeRules rules, EpisodeState.Builder holdoff,
            Set<String> raised) {
        EpisodeType type = EpisodeType.fromWire(episode.getType());
        if (type == null) {
            return Optional.empty();
        }
        String id = episode.getEpisodeId();
        boolean ended = episode.getEndTimeMs() != 0;
        if (rules.mutedAlertTypes().contains(type.name()) && !raised.contains(id)) {
            return Optional.empty();
        }
        boolean heldOff = type.priority() == Priority.LOW || type == EpisodeType.DATA_GAP;
        if (heldOff && holdoff != null && !raised.contains(id) && !passesHoldoff(episode, rules, holdoff)) {
            return Optional.empty();
        }
        if (ended) {
            raised.remove(id);
        } else if (!raised.contains(id)) {
            if (raised.size() >= MAX_RAISED) {
                raised.clear();
            }
            raised.add(id);
        }
        return Optional.of(Alert.newBuilder()
                .setAlertId(episode.getEpisodeId())
                .setDeviceId(episode.getDeviceId())
                .setType(type.name())
                .setPriority(type.priority())
                .setOnsetSample(episode.getOnsetSample())
                .setOnsetTimeMs(episode.getOnsetTimeMs())
                .setEndTimeMs(episode.getEndTimeMs())
                .setMessage(message(type, episode))
                .setHeartRateBpm(episode.getRateBpm())
                .setBeatCount(episode.getBeatCount())
                .setEvidence(episode.getEvidence())
                .build());
    }

    /** The first publication of an episode starts the hold-off; later ones of the same episode pass. */
    private static boolean passesHoldoff(Episode episode, EpisodeRules rules, EpisodeState.Builder state) {
        String type = episode.getType();
        Long lastSample = state.getLastLowAlertSampleMap().get(type);
        if (lastSample != null && lastSample == episode.getOnsetSample()) {
            return true;
        }
        Long lastMs = state.getLastLowAlertMsMap().get(type);
        // A device clock set back would otherwise hold the type off until it caught up again.
        long sinceMs = lastMs == null ? Long.MAX_VALUE : episode.getOnsetTimeMs() - lastMs;
        if (sinceMs >= 0 && sinceMs < rules.lowAlertHoldoffS() * 1000) {
            return false;
        }
        if (sinceMs < 0 && lastSample != null && episode.getOnsetSample() < lastSample
                && -sinceMs < rules.lowAlertHoldoffS() * 1000) {
            // Published late (a held SVT run) with an onset before the last alert's: within it.
            return false;
        }
        state.putLastLowAlertMs(type, episode.getOnsetTimeMs());
        state.putLastLowAlertSample(type, episode.getOnsetSample());
        return true;
    }

    static String message(EpisodeType type, Episode e) {
        StringBuilder m = new StringBuilder(type.label());
        if (e.getBeatCount() > 0 && e.getRateBpm() > 0) {
            m.append(String.format(Locale.ROOT, ": %d beats at %.0f bpm", e.getBeatCount(), e.getRateBpm()));
        } else if (e.getBeatCount() > 0 && type != EpisodeType.PAUSE) {
            m.append(": ").append(e.getBeatCount()).append(" beats");
        }
        if (!e.getDetail().isEmpty()) {
            m.append(" (").append(e.getDetail()).append(')');
        }
        // A silent device's episode is wall-clock time, which its detail gives; in device time it has none.
        if (e.getEndTimeMs() > 0 && type != EpisodeType.DEVICE_SILENT) {
            m.append(String.format(Locale.ROOT, ", ended after %.1f s", (e.getEndTimeMs() - e.getOnsetTimeMs()) / 1000.0));
        }
        return m.toString();
    }
}
