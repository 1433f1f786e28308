package org.arrhythmiamonitor.burden;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.state.v1.BurdenBeat;
import org.arrhythmiamonitor.state.v1.BurdenHour;
import org.arrhythmiamonitor.state.v1.BurdenState;
import org.arrhythmiamonitor.wire.v1.Burden;
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

    @Test
    void afterTheDeviceClockWasSetBackAcrossAnHourEveryBeatStillCountsInTheBurden() {
        long t0 = 100 * HOUR;
        // 2 h 10 min with a PVC every fifth beat opens the PVC burden alarm.
        BurdenState s = beats(BurdenState.getDefaultInstance(), t0, t0 + 2 * HOUR + 600_000, 5);
        assertThat(s.getPvc().getOpen()).isTrue();
        long counted = total(BurdenAggregator.rolling("d", s));
        int published = burdens.size();
        // The clock goes back an hour, then an hour of sinus rhythm.
        long back = t0 + HOUR + 600_000;
        s = beats(s, back, back + HOUR, 0);

        assertThat(total(BurdenAggregator.rolling("d", s)) - counted).isEqualTo(3600);
        assertThat(burdens.size()).as("the rolling view goes on").isGreaterThan(published);
        assertThat(burdens.get(burdens.size() - 1).getPvcBurdenPct()).as("diluted by the sinus hour")
                .isLessThan(burdens.get(published - 1).getPvcBurdenPct());
    }

    @Test
    void aBurdenAlarmThatEndsAfterTheClockWentBackBeforeItsOnsetDoesNotEndBeforeItBegan() {
        long t0 = 100 * HOUR;
        BurdenState s = beats(BurdenState.getDefaultInstance(), t0, t0 + 2 * HOUR + 600_000, 5);
        assertThat(s.getPvc().getOpen()).isTrue();
        long back = t0 - 5 * HOUR;
        beats(s, back, back + 4 * HOUR, 0);
        // Its alert read "ended after -9000.0 s".
        assertThat(episodes).filteredOn(e -> e.getType().equals("PVC_BURDEN") && e.getEndTimeMs() != 0)
                .singleElement().satisfies(e -> {
                    assertThat(e.getEndTimeMs()).isGreaterThanOrEqualTo(e.getOnsetTimeMs());
                    assertThat(e.getEndSample()).isGreaterThanOrEqualTo(e.getOnsetSample());
                });
    }

    @Test
    void afterTheDeviceClockWasSetBackWithinAnHourTheRollingViewGoesOn() {
        long t0 = 100 * HOUR;
        BurdenState s = beats(BurdenState.getDefaultInstance(), t0, t0 + 3_000_000, 0);
        int published = burdens.size();
        beats(s, t0 + 600_000, t0 + 2_940_000, 0);
        assertThat(burdens.size()).as("39 min of device time after going back 40 min").isGreaterThan(published);
    }

    @Test
    void beatsInNoiseDoNotCountInTheBurden() {
        BurdenState s = beats(BurdenState.getDefaultInstance(), 10 * HOUR, 10 * HOUR + 60_000, 0);
        // 20 s of noise whose detections the classifier called S and V.
        long t = 10 * HOUR + 60_000;
        for (int k = 0; k < 20; k++, t += 1000) {
            s = BurdenAggregator.onBeat(s, "d", BurdenBeat.newBuilder().setSample(sample += 250).setTimeMs(t)
                    .setBeatClass(k % 2 == 0 ? 2 : 3).setRrMs(400).setReadable(false).build(), EpisodeRules.DEFAULTS,
                    NO_OUTPUT);
        }
        Burden rolling = BurdenAggregator.rolling("d", s);
        assertThat(rolling.getBeatsList()).containsExactly(60L, 0L, 0L, 0L, 0L);
        assertThat(rolling.getSveBurdenPct()).isZero();
        assertThat(rolling.getPvcBurdenPct()).isZero();
    }

    private static final BurdenAggregator.Output NO_OUTPUT = new BurdenAggregator.Output() {
        @Override
        public void burden(Burden burden) {
        }

        @Override
        public void episode(Episode episode) {
        }
    };

    private final List<Burden> burdens = new ArrayList<>();
    private final List<Episode> episodes = new ArrayList<>();
    private long sample;

    /** A beat a second from {@code fromMs} to {@code toMs}, every {@code everyNthV}-th a PVC (0: none). */
    private BurdenState beats(BurdenState state, long fromMs, long toMs, int everyNthV) {
        BurdenAggregator.Output out = new BurdenAggregator.Output() {
            @Override
            public void burden(Burden burden) {
                burdens.add(burden);
            }

            @Override
            public void episode(Episode episode) {
                episodes.add(episode);
            }
        };
        BurdenState s = state;
        int k = 0;
        for (long t = fromMs; t < toMs; t += 1000) {
            int beatClass = everyNthV > 0 && k++ % everyNthV == 0 ? 3 : 1;
            s = BurdenAggregator.onBeat(s, "d", BurdenBeat.newBuilder().setSample(sample += 250).setTimeMs(t)
                    .setBeatClass(beatClass).setRrMs(1000).setReadable(true).build(), EpisodeRules.DEFAULTS, out);
        }
        return s;
    }

    private static long total(Burden burden) {
        return burden.getBeatsList().stream().mapToLong(Long::longValue).sum();
    }

    private static Episode episode(String type, long onsetMs, long endMs) {
        return Episode.newBuilder().setDeviceId("d").setType(type).setOnsetTimeMs(onsetMs).setEndTimeMs(endMs).build();
    }
}
