package org.arrhythmiamonitor.alert;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoublePredicate;
import org.arrhythmiamonitor.state.v1.RateRun;
import org.arrhythmiamonitor.state.v1.RateRuleState;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Priority;

/**
 * Extreme tachycardia and bradycardia: a run of consecutive RR intervals beyond a rate limit.
 * A run raises one alert when it reaches its beat count and publishes the same alert again, with
 * its end time, when a beat breaks the run; beats in between raise nothing, so an ongoing
 * episode never floods the clinician.
 */
public final class HeartRateRule {
    public static final String EXTREME_TACHYCARDIA = "EXTREME_TACHYCARDIA";
    public static final String EXTREME_BRADYCARDIA = "EXTREME_BRADYCARDIA";
    /** ECG strip shown before the onset, so the clinician sees the rhythm that led into the episode. */
    private static final long EVIDENCE_LEAD_IN_MS = 5_000;

    private final RateThresholds thresholds;

    public HeartRateRule(RateThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** Applies one beat to a device's state, emits the alerts it raises or ends, and returns the new state. */
    public RateRuleState onBeat(RateRuleState state, Beat beat, Consumer<Alert> emit) {
        RateRuleState.Builder next = state.toBuilder()
                .setHasPreviousBeat(true)
                .setPreviousSampleIndex(beat.getSampleIndex())
                .setPreviousTimeMs(beat.getTimeMs());
        if (!state.getHasPreviousBeat() || beat.getRrMs() <= 0) {
            return next.build();
        }
        double bpm = 60_000.0 / beat.getRrMs();
        next.setTachycardia(advance(state, state.getTachycardia(), beat, bpm, EXTREME_TACHYCARDIA,
                rate -> rate > thresholds.tachycardiaBpm(), thresholds.tachycardiaBeats(), emit));
        next.setBradycardia(advance(state, state.getBradycardia(), beat, bpm, EXTREME_BRADYCARDIA,
                rate -> rate < thresholds.bradycardiaBpm(), thresholds.bradycardiaBeats(), emit));
        return next.build();
    }

    private RateRun advance(RateRuleState state, RateRun run, Beat beat, double bpm, String type,
            DoublePredicate qualifies, int beatsNeeded, Consumer<Alert> emit) {
        if (!qualifies.test(bpm)) {
            if (run.getAlerted()) {
                emit.accept(alert(beat.getDeviceId(), type, run, state.getPreviousTimeMs()));
            }
            return RateRun.getDefaultInstance();
        }
        RateRun.Builder grown = run.toBuilder();
        if (run.getBeats() == 0) {
            // The run starts at the beat that opens its first short (or long) interval.
            grown.setOnsetSample(state.getPreviousSampleIndex()).setOnsetTimeMs(state.getPreviousTimeMs());
        }
        grown.setBeats(run.getBeats() + 1).setRrSumMs(run.getRrSumMs() + beat.getRrMs());
        if (!run.getAlerted() && grown.getBeats() >= beatsNeeded) {
            grown.setAlerted(true);
            emit.accept(alert(beat.getDeviceId(), type, grown.build(), 0).toBuilder()
                    .setEvidence(evidence(grown.getOnsetTimeMs(), beat.getTimeMs()))
                    .build());
        }
        return grown.build();
    }

    private static Alert alert(String deviceId, String type, RateRun run, long endTimeMs) {
        double meanBpm = 60_000.0 * run.getBeats() / run.getRrSumMs();
        boolean fast = EXTREME_TACHYCARDIA.equals(type);
        String message = String.format(Locale.ROOT, "Extreme %s: mean %.0f bpm over %d beats%s",
                fast ? "tachycardia" : "bradycardia", meanBpm, run.getBeats(), endTimeMs > 0 ? " (ended)" : "");
        return Alert.newBuilder()
                .setAlertId(alertId(deviceId, type, run.getOnsetSample()))
                .setDeviceId(deviceId)
                .setType(type)
                .setPriority(Priority.HIGH)
                .setOnsetSample(run.getOnsetSample())
                .setOnsetTimeMs(run.getOnsetTimeMs())
                .setEndTimeMs(endTimeMs)
                .setMessage(message)
                .setHeartRateBpm(Math.round(meanBpm * 10) / 10.0)
                .setBeatCount(run.getBeats())
                .setEvidence(evidence(run.getOnsetTimeMs(), endTimeMs > 0 ? endTimeMs : run.getOnsetTimeMs()))
                .build();
    }

    private static Evidence evidence(long onsetTimeMs, long lastTimeMs) {
        return Evidence.newBuilder()
                .setStartTimeMs(onsetTimeMs - EVIDENCE_LEAD_IN_MS)
                .setEndTimeMs(lastTimeMs)
                .build();
    }

    /** Deterministic alert id: the same episode always gets the same id, however often it is replayed. */
    public static String alertId(String deviceId, String type, long onsetSample) {
        return deviceId + ":" + type + ":" + onsetSample;
    }
}
