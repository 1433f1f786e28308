package org.arrhythmiamonitor.qrs;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.beat.BeatWindow;

/**
 * Detected beats held until the samples after their R peak that {@link BeatWindow} needs have
 * arrived, so every beat leaves the signal path with its morphology. The hold is at most
 * {@link BeatWindow#AFTER} samples past the R peak, and the detector's own look-ahead covers most
 * of it; the windows are cut from the detector's signal history ({@link QrsDetector#signal()}).
 */
final class WaitingBeats {
    /** Beats are at least a refractory period apart, so a handful can wait at once. */
    static final int MAX_WAITING = 8;

    private final long[] peak = new long[MAX_WAITING];
    private final double[] amplitude = new double[MAX_WAITING];
    private int waiting;

    /** Holds a beat; false when too many wait already. */
    boolean hold(long rPeak, double amplitudeMv) {
        if (waiting == MAX_WAITING) {
            return false;
        }
        peak[waiting] = rPeak;
        amplitude[waiting] = amplitudeMv;
        waiting++;
        return true;
    }

    /** Whether the oldest beat's window is complete once {@code sampleCount} samples were band-passed. */
    boolean firstReady(long sampleCount) {
        return waiting > 0 && sampleCount >= peak[0] + BeatWindow.AFTER;
    }

    boolean anyWaiting() {
        return waiting > 0;
    }

    long firstPeak() {
        return peak[0];
    }

    double firstAmplitude() {
        return amplitude[0];
    }

    void release() {
        waiting--;
        System.arraycopy(peak, 1, peak, 0, waiting);
        System.arraycopy(amplitude, 1, amplitude, 0, waiting);
    }

    long[] peaks() {
        return Arrays.copyOf(peak, waiting);
    }

    double[] amplitudes() {
        return Arrays.copyOf(amplitude, waiting);
    }

    void restore(List<Long> peaks, List<Double> amplitudes) {
        if (peaks.size() != amplitudes.size() || peaks.size() > MAX_WAITING) {
            throw new IllegalArgumentException("saved waiting beats do not fit: " + peaks.size() + " peaks, "
                    + amplitudes.size() + " amplitudes, at most " + MAX_WAITING);
        }
        waiting = peaks.size();
        for (int k = 0; k < waiting; k++) {
            peak[k] = peaks.get(k);
            amplitude[k] = amplitudes.get(k);
        }
    }
}
