package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.GapState;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;
import org.junit.jupiter.api.Test;

class GapRulesTest {
    private final List<Episode> found = new ArrayList<>();
    private final EpisodeOutput out = new EpisodeOutput() {
        @Override
        public void episode(Episode episode) {
            found.add(episode);
        }

        @Override
        public void alertOnly(Episode episode) {
        }

        @Override
        public void rhythm(RhythmSegment segment) {
        }
    };

    @Test
    void stateSavedBeforeTheEndOfTroubleWasKeptCountsTheSilenceFromItsFirstReadableChunk() {
        // An older version saved: trouble since the last beat, 20 s ago, without where it ended.
        EpisodeState.Builder state = EpisodeState.newBuilder().setGap(GapState.newBuilder().setHasBeat(true)
                .setLastBeatSample(0).setLastBeatTimeMs(0).setUnreadableSinceBeat(true));
        progress(state, 21_000);
        assertThat(found).as("the unreadable time before is not asystole").isEmpty();
        for (long t = 22_000; t <= 25_000; t += 1000) {
            progress(state, t);
        }
        assertThat(found).isEmpty();
        progress(state, 26_000);
        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(21_000);
        });
    }

    @Test
    void aBeatAfterSuchStateIsNoAsystoleWhateverTheGap() {
        EpisodeState.Builder state = EpisodeState.newBuilder().setGap(GapState.newBuilder().setHasBeat(true)
                .setLastBeatSample(0).setLastBeatTimeMs(0).setUnreadableSinceBeat(true));
        GapRules.onProgress(state, "d", SignalProgress.newBuilder().setTimeMs(21_000).setSampleCount(5250)
                .setDecidedTimeMs(20_500).setHasBeat(true).setFirstBeatSample(5000).setFirstBeatTimeMs(20_000)
                .setLastBeatSample(5000).setLastBeatTimeMs(20_000).build(), EpisodeRules.DEFAULTS, out);
        assertThat(found).isEmpty();
    }

    private void progress(EpisodeState.Builder state, long timeMs) {
        GapRules.onProgress(state, "d", SignalProgress.newBuilder().setTimeMs(timeMs).setSampleCount(timeMs / 4)
                .setDecidedTimeMs(timeMs - 500).build(), EpisodeRules.DEFAULTS, out);
    }
}
