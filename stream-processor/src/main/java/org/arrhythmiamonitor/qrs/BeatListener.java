package org.arrhythmiamonitor.qrs;

/** Receives the beats a {@link QrsDetector} confirms. */
@FunctionalInterface
public interface BeatListener {
    /**
     * @param rPeakIndex sample index of the R peak in the device's stream
     * @param rrSamples samples since the previous R peak, 0 for the first beat
     */
    void onBeat(long rPeakIndex, long rrSamples);
}
