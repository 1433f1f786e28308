package org.arrhythmiamonitor.episode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.state.v1.TechnicalState;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class TechnicalRulesTest {
    private final PublishedEpisodes out = new PublishedEpisodes();
    private final List<Episode> found = out.episodes;

    @Test
    void aRestartedInstanceGivesEveryDeviceTheSilenceDelayBeforeCallingItSilent() {
        // Stored before the restart: the device's last chunk arrived an hour before this instance began.
        EpisodeState stored = EpisodeState.newBuilder().setTechnical(TechnicalState.newBuilder()
                .setLastChunkWallMs(1_000).setSampleCount(2500).setStreamTimeMs(10_000)).build();
        long watchingSince = 3_601_000;

        assertThat(EpisodeDetector.onWallClock(stored, "d", watchingSince + 29_000, watchingSince,
                EpisodeRules.DEFAULTS, out)).as("its backlog may not have been read yet").isNull();
        assertThat(found).isEmpty();

        EpisodeState silent = EpisodeDetector.onWallClock(stored, "d", watchingSince + 30_000, watchingSince,
                EpisodeRules.DEFAULTS, out);
        assertThat(silent.getTechnical().getSilent()).isTrue();
        assertThat(found).singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("DEVICE_SILENT"));
    }
}
