package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpisodeSpanScoreTest {
    @Test
    void spansMeasureTheirOverlapWithTheEndExclusive() {
        SampleSpan span = new SampleSpan(100, 200);

        assertThat(span.length()).isEqualTo(100);
        assertThat(span.overlap(new SampleSpan(150, 400))).isEqualTo(50);
        assertThat(span.overlap(new SampleSpan(120, 130))).isEqualTo(10);
        assertThat(span.overlaps(new SampleSpan(199, 300))).isTrue();
        assertThat(span.overlaps(new SampleSpan(200, 300))).isFalse();
        assertThat(span.overlap(new SampleSpan(0, 50))).isZero();
        assertThatThrownBy(() -> new SampleSpan(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEpisodeIsDetectedByAPartialOverlapWhileTheDurationsCountOnlyTheOverlap() {
        EpisodeSpanScore score = EpisodeSpanScore.of(List.of(new SampleSpan(1000, 2000)),
                List.of(new SampleSpan(1800, 2500)), 0);

        assertThat(score).isEqualTo(new EpisodeSpanScore(1, 1, 1, 1, 1000, 700, 200));
        assertThat(score.episodeSe()).isEqualTo(100);
        assertThat(score.episodePpv()).isEqualTo(100);
        assertThat(score.durationSe()).isEqualTo(20);
        assertThat(score.durationPpv()).isCloseTo(100.0 * 200 / 700, within(1e-9));
    }

    @Test
    void missedAndFalseEpisodesLowerTheEpisodeStatistics() {
        EpisodeSpanScore score = EpisodeSpanScore.of(
                List.of(new SampleSpan(5000, 6000), new SampleSpan(1000, 2000)),
                List.of(new SampleSpan(8000, 9000), new SampleSpan(5500, 5600), new SampleSpan(5700, 5800)), 0);

        assertThat(score).isEqualTo(new EpisodeSpanScore(2, 3, 1, 2, 2000, 1200, 200));
        assertThat(score.episodeSe()).isEqualTo(50);
        assertThat(score.episodePpv()).isCloseTo(200.0 / 3, within(1e-9));
        assertThat(score.durationSe()).isEqualTo(10);
    }

    @Test
    void onlyThePartAfterTheLearningPeriodIsScored() {
        EpisodeSpanScore score = EpisodeSpanScore.of(
                List.of(new SampleSpan(1000, 2000), new SampleSpan(2500, 4000)),
                List.of(new SampleSpan(1500, 2900), new SampleSpan(3500, 3600)), 3000);

        // Reference [1000, 2000) and detection [1500, 2900) lie in the learning period; [2500, 4000) is cut to 1000 samples.
        assertThat(score).isEqualTo(new EpisodeSpanScore(1, 1, 1, 1, 1000, 100, 100));
    }

    @Test
    void spansThatTouchOrOverlapAreOneEpisode() {
        EpisodeSpanScore score = EpisodeSpanScore.of(List.of(new SampleSpan(0, 1000)),
                List.of(new SampleSpan(100, 200), new SampleSpan(200, 300), new SampleSpan(250, 400)), 0);

        assertThat(score).isEqualTo(new EpisodeSpanScore(1, 1, 1, 1, 1000, 300, 300));
    }

    @Test
    void statisticsWithoutADenominatorAreUndefinedAndNullInJson() {
        EpisodeSpanScore noAf = EpisodeSpanScore.of(List.of(), List.of(), 0);

        assertThat(noAf).isEqualTo(EpisodeSpanScore.ZERO);
        assertThat(noAf.episodeSe()).isNaN();
        assertThat(noAf.durationPpv()).isNaN();
        JsonObject json = EpisodeSpanScore.of(List.of(new SampleSpan(0, 360)), List.of(), 0).toJson(360);
        assertThat(json.getDouble("episode_se")).isZero();
        assertThat(json.getDouble("duration_se")).isZero();
        assertThat(json.containsKey("episode_ppv")).isTrue();
        assertThat(json.getValue("episode_ppv")).isNull();
        assertThat(json.getValue("duration_ppv")).isNull();
    }

    @Test
    void plusGivesGrossTotalsAndJsonReportsPercentsAndSeconds() {
        EpisodeSpanScore a = EpisodeSpanScore.of(List.of(new SampleSpan(0, 3600)), List.of(new SampleSpan(0, 1800)), 0);
        EpisodeSpanScore b = EpisodeSpanScore.of(List.of(new SampleSpan(0, 3600), new SampleSpan(7200, 7560)),
                List.of(new SampleSpan(3600, 3960)), 0);

        EpisodeSpanScore gross = EpisodeSpanScore.ZERO.plus(a).plus(b);

        assertThat(gross).isEqualTo(new EpisodeSpanScore(3, 2, 1, 1, 7560, 2160, 1800));
        assertThat(gross.toJson(360)).isEqualTo(new JsonObject()
                .put("episode_se", 33.333)
                .put("episode_ppv", 50.0)
                .put("duration_se", 23.81)
                .put("duration_ppv", 83.333)
                .put("reference_episodes", 3L)
                .put("detected_episodes", 2L)
                .put("reference_episodes_detected", 1L)
                .put("detected_episodes_true", 1L)
                .put("reference_s", 21.0)
                .put("detected_s", 6.0)
                .put("overlap_s", 5.0));
    }
}
