package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.state.v1.BeatRun;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class EpisodesTest {
    @Test
    void aRunWhoseDeviceClockWentBackEndsAtItsOnsetNotBeforeIt() {
        // Five V beats, then the device clock set back 8 s under the last of them.
        BeatRun run = BeatRun.newBuilder().setBeats(6).setOnsetSample(2500).setOnsetTimeMs(10_000)
                .setLastSample(3000).setLastTimeMs(4_000).setRrSumMs(2000).setIntervals(5).build();

        Episode ended = Episodes.ofRun("d", EpisodeType.VENTRICULAR_TACHYCARDIA, run, true, "");

        assertThat(ended.getEndTimeMs()).isEqualTo(10_000);
        assertThat(ended.getEndSample()).isEqualTo(3000);
    }
}
