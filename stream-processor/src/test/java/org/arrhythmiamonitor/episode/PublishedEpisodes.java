package org.arrhythmiamonitor.episode;

import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/** An {@link EpisodeOutput} for rule tests: keeps the published episodes, drops alert-only ones and rhythm. */
public final class PublishedEpisodes implements EpisodeOutput {
    public final List<Episode> episodes = new ArrayList<>();

    @Override
    public void episode(Episode episode) {
        episodes.add(episode);
    }

    @Override
    public void alertOnly(Episode episode) {
    }

    @Override
    public void rhythm(RhythmSegment segment) {
    }
}
