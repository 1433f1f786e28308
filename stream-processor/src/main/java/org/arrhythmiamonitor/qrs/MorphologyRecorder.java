package org.arrhythmiamonitor.qrs;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.beat.BeatWindow;

/**
 * Keeps the last second of band-passed ECG and holds each detected beat until the samples after
 * its R peak that {@link BeatWindow} needs have arrived, so every beat leaves the signal path with
 * its morphology. The hold is at most {@link BeatWindow#AFTER} samples past the R peak, and the
 * detector's own look-ahead covers most of it.
 */
final class MorphologyRecorder implements BeatWindow.Source {
    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;
    /** Beats are at least a refractory period apart, so a handful can wait at once. */
    static final int MAX_WAITING = 8;

    private final float[] ring = new float[CAPACITY];
    private long count;
    private final long[] waitingPeak = new long[MAX_WAITING];
    private final double[] waitingAmplitude = new double[MAX_WAITING];
    private int waiting;

    void accept(double sample) {
        ring[(int) (count & MASK)] = (float) sample;
        count++;
    }

    /** Holds a beat until its window is complete; when too many wait, the oldest goes out early. */
    boolean hold(long rPeak, double amplitudeMv) {
        if (waiting == MAX_WAITING) {
            return false;
        }
        waitingPeak[waiting] = rPeak;
        waitingAmplitude[waiting] = amplitudeMv;
        waiting++;
        return true;
    }

    boolean firstReady() {
        return waiting > 0 && count >= waitingPeak[0] + BeatWindow.AFTER;
    }

    boolean anyWaiting() {
        return waiting > 0;
    }

    long firstPeak() {
        return waitingPeak[0];
    }

    double firstAmplitude() {
        return waitingAmplitude[0];
    }

    void release() {
        waiting--;
        System.arraycopy(waitingPeak, 1, waitingPeak, 0, waiting);
        System.arraycopy(waitingAmplitude, 1, waitingAmplitude, 0, waiting);
    }

    @Override
    public long first() {
        return Math.max(0, count - CAPACITY);
    }

    @Override
    public long last() {
        return count - 1;
    }

    @Override
    public float at(long index) {
        return ring[(int) (index & MASK)];
    }

    long count() {
        return count;
    }

    float[] ring() {
        return ring.clone();
    }

    void restore(long count, List<Float> ring, List<Long> peaks, List<Double> amplitudes) {
        if (ring.isEmpty() && peaks.isEmpty()) {
            // State saved before beats carried their morphology: windows start filling from here.
            return;
        }
        if (ring.size() != CAPACITY || peaks.size() != amplitudes.size() || peaks.size() > MAX_WAITING) {
            throw new IllegalArgumentException("saved morphology state does not fit: " + ring.size()
                    + " samples for " + CAPACITY + ", " + peaks.size() + " waiting beats");
        }
        this.count = count;
        for (int k = 0; k < CAPACITY; k++) {
            this.ring[k] = ring.get(k);
        }
        this.waiting = peaks.size();
        for (int k = 0; k < waiting; k++) {
            waitingPeak[k] = peaks.get(k);
            waitingAmplitude[k] = amplitudes.get(k);
        }
    }

    long[] waitingPeaks() {
        return Arrays.copyOf(waitingPeak, waiting);
    }

    double[] waitingAmplitudes() {
        return Arrays.copyOf(waitingAmplitude, waiting);
    }
}
