package org.arrhythmiamonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.state.v1.RateRuleState;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Beat;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.Test;

class HeartRateRuleTest {
    private final HeartRateRule rule = new HeartRateRule(RateThresholds.DEFAULTS);
    private final List<Alert> alerts = new ArrayList<>();
    private RateRuleState state = RateRuleState.getDefaultInstance();
    private long timeMs = 1_000_000;
    private long sample;

    /** Adds a beat {@code rrMs} after the previous one (sampled at 250 Hz). */
    private void beat(double rrMs) {
        timeMs += (long) rrMs;
        sample += Math.round(rrMs / 4);
        Beat beat = Beat.newBuilder().setDeviceId("dev").setSampleIndex(sample).setTimeMs(timeMs).setRrMs(rrMs).build();
        state = rule.onBeat(state, beat, alerts::add);
    }

    private void beats(int count, double bpm) {
        for (int i = 0; i < count; i++) {
            beat(60_000 / bpm);
        }
    }

    @Test
    void tachycardiaAlertsOnceAtTheSeventeenthFastBeatAndUpdatesWhenItEnds() {
        beats(10, 70);
        long onsetTime = timeMs;
        long onsetSample = sample;
        beats(16, 160);
        assertThat(alerts).isEmpty();

        beat(60_000 / 160.0);
        assertThat(alerts).hasSize(1);
        Alert open = alerts.get(0);
        assertThat(open.getType()).isEqualTo(HeartRateRule.EXTREME_TACHYCARDIA);
        assertThat(open.getPriority()).isEqualTo(Priority.HIGH);
        assertThat(open.getOnsetTimeMs()).isEqualTo(onsetTime);
        assertThat(open.getAlertId()).isEqualTo("dev:EXTREME_TACHYCARDIA:" + onsetSample);
        assertThat(open.getEndTimeMs()).isZero();
        assertThat(open.getBeatCount()).isEqualTo(17);
        assertThat(open.getHeartRateBpm()).isBetween(159.0, 161.0);
        assertThat(open.getEvidence().getStartTimeMs()).isLessThan(onsetTime);

        beats(40, 160);
        assertThat(alerts).as("an ongoing episode raises nothing more").hasSize(1);

        long lastFastBeat = timeMs;
        beat(60_000 / 80.0);
        assertThat(alerts).hasSize(2);
        Alert ended = alerts.get(1);
        assertThat(ended.getAlertId()).isEqualTo(open.getAlertId());
        assertThat(ended.getEndTimeMs()).isEqualTo(lastFastBeat);
        assertThat(ended.getBeatCount()).isEqualTo(57);
        assertThat(ended.getMessage()).contains("ended");
    }

    @Test
    void aShortRunRaisesNothing() {
        beats(16, 170);
        beats(30, 70);
        beats(16, 170);
        beats(5, 70);
        assertThat(alerts).isEmpty();
    }

    @Test
    void bradycardiaNeedsFiveSlowBeats() {
        beats(5, 70);
        beats(4, 35);
        assertThat(alerts).isEmpty();
        beat(60_000 / 35.0);
        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.getType()).isEqualTo(HeartRateRule.EXTREME_BRADYCARDIA);
            assertThat(alert.getHeartRateBpm()).isBetween(34.0, 36.0);
        });
    }

    @Test
    void theSameEpisodeReplayedGetsTheSameIdSoConsumersCanDeduplicate() {
        beats(3, 70);
        beats(20, 150);
        String first = alerts.get(0).getAlertId();

        alerts.clear();
        state = RateRuleState.getDefaultInstance();
        timeMs = 1_000_000;
        sample = 0;
        beats(3, 70);
        beats(20, 150);
        assertThat(alerts.get(0).getAlertId()).isEqualTo(first);
    }

    @Test
    void customThresholdsApplyAndNonsenseIsRefused() {
        HeartRateRule strict = new HeartRateRule(new RateThresholds(120, 3, 50, 3));
        List<Alert> raised = new ArrayList<>();
        RateRuleState s = RateRuleState.getDefaultInstance();
        long t = 0;
        for (int i = 0; i < 5; i++) {
            t += 450;
            s = strict.onBeat(s, Beat.newBuilder().setDeviceId("d").setSampleIndex(t).setTimeMs(t).setRrMs(450).build(),
                    raised::add);
        }
        assertThat(raised).hasSize(1);

        assertThatThrownBy(() -> new RateThresholds(40, 17, 140, 5)).hasMessageContaining("bradycardia");
        assertThatThrownBy(() -> new RateThresholds(140, 0, 40, 5)).hasMessageContaining("at least 1 beat");
    }
}
