package org.arrhythmiamonitor.episode;

import org.arrhythmiamonitor.wire.v1.Episode;
import org.arrhythmiamonitor.wire.v1.RhythmSegment;

/** Where the episode rules send what they find. */
public interface EpisodeOutput {
    /** An episode began, changed or ended: publish it on {@code ecg.episodes} and raise or update its alert. */
    void episode(Episode episode);

    /**
     * Raise or update the alert of a technical episode that the signal path has already published
     * (noise that has lasted, lead off, a data gap).
     */
    void alertOnly(Episode episode);

    /** A rhythm segment began or ended: publish it on {@code ecg.rhythm}. */
    void rhythm(RhythmSegment segment);
}
