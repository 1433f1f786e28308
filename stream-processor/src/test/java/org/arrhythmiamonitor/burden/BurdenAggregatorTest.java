package org.arrhythmiamonitor.burden;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.state.v1.BurdenHour;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.v1.Burden;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class BurdenAggregatorTest {
    private static final long HOUR = BurdenAggregator.HOUR_MS;
    private final List<Burden> published = new ArrayList<>();
    private final BurdenAggregator.Output out = new BurdenAggregator.Output() {
        @Override
        public void burden(Burden burden) {
            published.add(burden);
        }

        @Override
        public void episode(Episode episode) {
        }
    };

    private final BurdenState oneHour = BurdenState.newBuilder()
            .addHours(BurdenHour.newBuilder().setStartMs(10 * HOUR).addAllBeats(List.of(0L, 0L, 0L, 0L, 0L))).build();

    @Test
    void anAsystoleCountsOnceWhetherPublishedBegunThenEndedOrOnlyEnded() {
        Episode begun = episode("ASYSTOLE", 10 * HOUR + 1000, 0);
        BurdenState s = BurdenAggregator.onEpisode(oneHour, "d", begun, out);
        s = BurdenAggregator.onEpisode(s, "d", begun.toBuilder().setEndTimeMs(10 * HOUR + 6000).build(), out);
        // Another, found whole between two beats of one chunk: published once, already ended.
        s = BurdenAggregator.onEpisode(s, "d", episode("ASYSTOLE", 10 * HOUR + 60_000, 10 * HOUR + 65_000), out);

        assertThat(s.getHours(0).getEpisodesMap()).containsEntry("ASYSTOLE", 2);
    }

    @Test
    void aVentricularTachycardiaCountsWhenItBeginsNotAgainAtItsEnd() {
        Episode begun = episode("VENTRICULAR_TACHYCARDIA", 10 * HOUR + 1000, 0);
        BurdenState s = BurdenAggregator.onEpisode(oneHour, "d", begun, out);
        s = BurdenAggregator.onEpisode(s, "d", begun.toBuilder().setEndTimeMs(10 * HOUR + 9000).build(), out);

        assertThat(s.getHours(0).getEpisodesMap()).containsEntry("VENTRICULAR_TACHYCARDIA", 1);
    }

    @Test
    void anEpisodeBeforeTheFirstBeatOfItsHourOpensTheHour() {
        BurdenState s = BurdenAggregator.onEpisode(oneHour, "d", episode("DEVICE_SILENT", 11 * HOUR + 500, 0), out);

        assertThat(s.getHoursList()).extracting(BurdenHour::getStartMs).containsExactly(10 * HOUR, 11 * HOUR);
        assertThat(s.getHours(1).getEpisodesMap()).containsEntry("DEVICE_SILENT", 1);
        assertThat(published).as("the hour it closed").singleElement()
                .satisfies(b -> assertThat(b.getStartTimeMs()).isEqualTo(10 * HOUR));
    }

    @Test
    void anEpisodeOfAnHourAlreadyGoneIsNotCounted() {
        BurdenState s = BurdenAggregator.onEpisode(oneHour, "d", episode("PAUSE", 9 * HOUR, 9 * HOUR + 4000), out);
        assertThat(s).isEqualTo(oneHour);
    }

    private static Episode episode(String type, long onsetMs, long endMs) {
        return Episode.newBuilder().setDeviceId("d").setType(type).setOnsetTimeMs(onsetMs).setEndTimeMs(endMs).build();
    }
}
