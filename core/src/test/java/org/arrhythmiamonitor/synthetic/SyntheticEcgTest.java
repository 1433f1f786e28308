package org.arrhythmiamonitor.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticEcgTest {
    @ParameterizedTest
    @ValueSource(doubles = {100, 250, 360, 1000})
    void beatsFollowTheRequestedRateAtAnySamplingRate(double fs) {
        var recording = SyntheticEcg.standard(fs, 1).render(List.of(new Segment(60, 75)));

        assertThat(recording.samples()).hasSize((int) Math.round(60 * fs));
        assertThat(recording.rPeaks().length).isBetween(72, 77);
    }

    @Test
    void rPeaksMarkTheTallestPointOfEachBeatWithinOneSample() {
        var recording = new SyntheticEcg(250, 1000, 0.0, 0.0, 0.0, 3).render(List.of(new Segment(10, 60)));
        int[] s = recording.samples();
        for (int peak : recording.rPeaks()) {
            int tallest = peak - 50;
            for (int i = peak - 50; i < Math.min(s.length, peak + 50); i++) {
                if (i >= 0 && s[i] > s[Math.max(0, tallest)]) {
                    tallest = i;
                }
            }
            assertThat(tallest).isBetween(peak - 1, peak + 1);
            // about 1.2 mV, in microvolts
            assertThat(s[tallest]).isBetween(1000, 1400);
        }
    }

    @Test
    void segmentsChangeTheRate() {
        var recording = SyntheticEcg.standard(250, 2).render(List.of(new Segment(30, 60), new Segment(30, 150)));
        long slow = Arrays.stream(recording.rPeaks()).filter(p -> p < 30 * 250).count();
        long fast = recording.rPeaks().length - slow;
        assertThat(slow).isBetween(28L, 31L);
        assertThat(fast).isBetween(72L, 77L);
    }

    @Test
    void theSameSeedGivesTheSameSignal() {
        var a = SyntheticEcg.standard(250, 42).render(List.of(new Segment(5, 80)));
        var b = SyntheticEcg.standard(250, 42).render(List.of(new Segment(5, 80)));
        assertThat(a.samples()).isEqualTo(b.samples());
        assertThat(a.rPeaks()).isEqualTo(b.rPeaks());
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertThatThrownBy(() -> new Segment(10, 400)).hasMessageContaining("bpm");
        assertThatThrownBy(() -> new SyntheticEcg(0, 1000, 0, 0, 0, 1)).hasMessageContaining("fs");
    }
}
