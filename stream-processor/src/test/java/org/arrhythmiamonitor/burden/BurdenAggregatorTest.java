package org.arrhythmiamonitor.burden;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.arrhythmiamonitor.state.v1.BurdenHour;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class BurdenAggregatorTest {
    private static final long HOUR = BurdenAggregator.HOUR_MS;
    private final BurdenState oneHour = BurdenState.newBuilder()
            .addHours(BurdenHour.newBuilder().setStartMs(10 * HOUR).addAllBeats(List.of(0L, 0L, 0L, 0L, 0L))).build();

    @Test
    void anAsystoleCountsOnceWhetherPublishedBegunThenEndedOrOnlyEnded() {
        Episode begun = episode("ASYSTOLE", 10 * HOUR + 1000, 0);
        BurdenState s = BurdenAggregator.onEpisode(oneHour, begun);
        s = BurdenAggregator.onEpisode(s, begun.toBuilder().setEndTimeMs(10 * HOUR + 6000).build());
        // Another, found whole between two beats of one chunk: published once, already ended.
        s = BurdenAggregator.onEpisode(s, episode("ASYSTOLE", 10 * HOUR + 60_000, 10 * HOUR + 65_000));

        assertThat(s.getHours(0).getEpisodesMap()).containsEntry("ASYSTOLE", 2);
    }

    @Test
    void aVentricularTachycardiaCountsWhenItBeginsNotAgainAtItsEnd() {
        Episode begun = episode("VENTRICULAR_TACHYCARDIA", 10 * HOUR + 1000, 0);
        BurdenState s = BurdenAggregator.onEpisode(oneHour, begun);
        s = BurdenAggregator.onEpisode(s, begun.toBuilder().setEndTimeMs(10 * HOUR + 9000).build());

        assertThat(s.getHours(0).getEpisodesMap()).containsEntry("VENTRICULAR_TACHYCARDIA", 1);
    }

    @Test
    void anEpisodeBeforeTheFirstBeatOfItsHourDoesNotCloseTheHourBefore() {
        BurdenState s = BurdenAggregator.onEpisode(oneHour, episode("DEVICE_SILENT", 11 * HOUR + 500, 0));
        assertThat(s).as("the last beats of 10:00-11:00 may still come").isEqualTo(oneHour);
    }

    @Test
    void anEpisodeOfAnHourAlreadyGoneIsNotCounted() {
        BurdenState s = BurdenAggregator.onEpisode(oneHour, episode("PAUSE", 9 * HOUR, 9 * HOUR + 4000));
        assertThat(s).isEqualTo(oneHour);
    }

    private static Episode episode(String type, long onsetMs, long endMs) {
        return Episode.newBuilder().setDeviceId("d").setType(type).setOnsetTimeMs(onsetMs).setEndTimeMs(endMs).build();
    }
}
