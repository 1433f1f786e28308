package org.arrhythmiamonitor.eval;

/**
 * A stretch of a record, {@code [startSample, endSample)} in samples: the unit that episode
 * scoring measures durations and overlaps in, so that no rounding to seconds enters the counts.
 */
public record SampleSpan(long startSample, long endSample) {
    public SampleSpan {
        if (startSample > endSample) {
            throw new IllegalArgumentException("span ends (" + endSample + ") before it starts (" + startSample + ")");
        }
    }

    /** The span from an episode's onset to its end, empty where the end is not after the onset. */
    public static SampleSpan ofOnset(long onsetSample, long endSample) {
        return new SampleSpan(onsetSample, Math.max(onsetSample, endSample));
    }

    public long length() {
        return endSample - startSample;
    }

    /** Samples that lie in both spans; 0 when they only touch or are apart. */
    public long overlap(SampleSpan other) {
        return Math.max(0, Math.min(endSample, other.endSample) - Math.max(startSample, other.startSample));
    }

    /** True when the spans share at least one sample (touching ends share none, the end being exclusive). */
    public boolean overlaps(SampleSpan other) {
        return overlap(other) > 0;
    }
}
