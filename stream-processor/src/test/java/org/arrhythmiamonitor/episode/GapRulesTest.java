package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.arrhythmiamonitor.qrs.SignalMarks;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.GapState;
import org.arrhythmiamonitor.state.v1.SignalMark;
import org.arrhythmiamonitor.state.v1.SignalProgress;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class GapRulesTest {
    private final PublishedEpisodes out = new PublishedEpisodes();
    private final List<Episode> found = out.episodes;

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

    @Test
    void aPauseBetweenTwoBeatsOfOneChunkIsAPause() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        // One 10 s chunk: beats every 0.8 s, then 3.5 s without a beat, then on again.
        chunk(state, 10_000, List.of(500L, 1300L, 2100L, 5600L, 6400L, 7200L, 8000L), List.of());

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("PAUSE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(2100);
            assertThat(e.getEndTimeMs()).isEqualTo(5600);
            assertThat(e.getDetail()).isEqualTo("RR 3.5 s");
        });
    }

    @Test
    void anAsystoleBetweenTwoBeatsOfOneChunkIsReportedBegunAndEnded() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        chunk(state, 10_000, List.of(500L, 1300L, 6500L, 7300L), List.of());

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(1300);
            assertThat(e.getEndTimeMs()).isEqualTo(6500);
        });
    }

    @Test
    void anAsystoleIsReportedWithTheChunkThatBringsItsFourSecondsNotWithTheNext() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        chunk(state, 10_000, List.of(500L, 1300L), List.of());

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(1300);
            assertThat(e.getEndTimeMs()).as("ongoing").isZero();
        });
    }

    @Test
    void silenceEndedByABeatIsAsystoleThoughNoiseFollowsTheBeatInTheSameChunk() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        chunk(state, 4000, List.of(500L, 1300L, 2100L), List.of());
        chunk(state, 6000, List.of(), List.of());
        // The beat 4.3 s after the last, then noise from 0.3 s after it to the chunk's end.
        chunk(state, 7000, List.of(6400L), List.of(new long[] {6700, 7000}));

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(2100);
            assertThat(e.getEndTimeMs()).isEqualTo(6400);
        });
    }

    @Test
    void fourSecondsOfSilenceBeforeTheLeadsComeOffIsAsystole() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        chunk(state, 10_000, List.of(500L, 1300L), List.of(new long[] {5800, 10_000}));

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(1300);
        });
    }

    @Test
    void anAsystoleThatRunsIntoLeadOffEndsWhereTheLeadOffBeginsWhateverTheChunks() {
        EpisodeState.Builder one = EpisodeState.newBuilder();
        chunk(one, 14_000, List.of(500L, 1300L, 12_000L), List.of(new long[] {5800, 11_000}));
        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getOnsetTimeMs()).isEqualTo(1300);
            assertThat(e.getEndTimeMs()).isEqualTo(5800);
        });
        found.clear();

        // The same signal in two chunks: the 4 s pass before the leads come off.
        EpisodeState.Builder two = EpisodeState.newBuilder();
        chunk(two, 6000, List.of(500L, 1300L), List.of());
        assertThat(found).singleElement().satisfies(e -> assertThat(e.getEndTimeMs()).as("ongoing").isZero());
        chunk(two, 14_000, List.of(12_000L), List.of(new long[] {5800, 11_000}));
        assertThat(found).hasSize(2).last().satisfies(e -> {
            assertThat(e.getEpisodeId()).isEqualTo(found.get(0).getEpisodeId());
            assertThat(e.getEndTimeMs()).isEqualTo(5800);
        });
    }

    @Test
    void noiseAfterABeatThatIsDecidedOnlyInTheNextChunkStillCounts() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        // The beat at 9.7 s is decided with the next chunk; the noise after it, 9.75-9.95 s, ended in this one.
        chunk(state, 10_000, List.of(7300L, 8100L, 8900L), List.of(new long[] {9750, 9950}));
        chunk(state, 14_400, List.of(9700L, 13_800L), List.of());

        assertThat(found).as("3.85 s of readable silence, and an interval with noise in it").isEmpty();
    }

    @Test
    void noiseInsideAnIntervalMakesItNeitherPauseNorAsystole() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        // 5 s between two beats of one chunk, 2 s of it unreadable: the readable stretches are 1.5 s.
        chunk(state, 10_000, List.of(500L, 1300L, 6300L, 7100L), List.of(new long[] {2800, 4800}));

        assertThat(found).isEmpty();
    }

    @Test
    void silenceCountsFromTheEndOfTroubleInAnEarlierChunk() {
        EpisodeState.Builder state = EpisodeState.newBuilder();
        chunk(state, 2000, List.of(500L, 1300L), List.of(new long[] {1500, 2000}));
        chunk(state, 3000, List.of(), List.of(new long[] {2000, 2600}));
        chunk(state, 6000, List.of(), List.of());
        assertThat(found).as("3.4 s of readable silence").isEmpty();
        chunk(state, 8000, List.of(7200L), List.of());

        assertThat(found).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("ASYSTOLE");
            assertThat(e.getOnsetTimeMs()).isEqualTo(2600);
            assertThat(e.getEndTimeMs()).isEqualTo(7200);
        });
    }

    /** A chunk ending at {@code endMs} with these beats and unreadable stretches, at 250 Hz. */
    private void chunk(EpisodeState.Builder state, long endMs, List<Long> beatsMs, List<long[]> troubleMs) {
        SignalProgress.Builder p = SignalProgress.newBuilder().setTimeMs(endMs).setSampleCount(endMs / 4)
                .setDecidedTimeMs(endMs - 500).setUnreadable(!troubleMs.isEmpty());
        for (long t : beatsMs) {
            if (!p.getHasBeat()) {
                p.setHasBeat(true).setFirstBeatSample(t / 4).setFirstBeatTimeMs(t);
            }
            p.setLastBeatSample(t / 4).setLastBeatTimeMs(t).addBeats(mark(t));
        }
        for (long[] span : troubleMs) {
            p.addUnreadableSpans(SignalMarks.span(span[0] / 4, span[0], span[1] / 4, span[1]));
        }
        GapRules.onProgress(state, "d", p.build(), EpisodeRules.DEFAULTS, out);
    }

    private static SignalMark mark(long timeMs) {
        return SignalMarks.mark(timeMs / 4, timeMs);
    }

    private void progress(EpisodeState.Builder state, long timeMs) {
        GapRules.onProgress(state, "d", SignalProgress.newBuilder().setTimeMs(timeMs).setSampleCount(timeMs / 4)
                .setDecidedTimeMs(timeMs - 500).build(), EpisodeRules.DEFAULTS, out);
    }
}
