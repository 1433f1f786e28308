package org.arrhythmiamonitor.beat;

/**
 * The stretch of band-passed ECG around an R peak that beat classification looks at, at the
 * canonical rate. The stream processor cuts it and the model's card declares it; the two are
 * checked against each other when a model loads.
 */
public final class BeatWindow {
    public static final int RATE_HZ = 250;
    /** 256 ms before the R peak: the P wave of any PR interval up to about 200 ms. */
    public static final int BEFORE = 64;
    /** 384 ms from the R peak on: the QRS complex and most of the T wave. */
    public static final int AFTER = 96;
    public static final int LENGTH = BEFORE + AFTER;
    /**
     * Where the P wave lies, 248 to 80 ms before the R peak (window indexes, end exclusive): the
     * P wave of PR intervals of about 120-200 ms, clear of the QRS complex's onset.
     */
    public static final int P_WAVE_START = BEFORE - 62;
    public static final int P_WAVE_END = BEFORE - 20;
    /**
     * Where the QRS complex lies, 100 ms before to 152 ms after the R peak (window indexes, end
     * exclusive): room for the wide QRS of a ventricular beat, whose R peak may sit late in it, and for
     * the detector's R peak landing a few samples off.
     */
    public static final int QRS_START = BEFORE - 25;
    public static final int QRS_END = BEFORE + 38;

    private BeatWindow() {
    }

    /**
     * Cuts the window centred on {@code centre} from a signal held in {@code source}; positions
     * that the source does not hold take the value of the nearest one it does, so a window at the
     * start or end of a recording is padded with its edge instead of a step to zero.
     */
    public static float[] cut(Source source, long centre) {
        float[] window = new float[LENGTH];
        long first = source.first();
        long last = source.last();
        if (last < first) {
            return window;
        }
        for (int k = 0; k < LENGTH; k++) {
            long at = Math.min(last, Math.max(first, centre - BEFORE + k));
            window[k] = source.at(at);
        }
        return window;
    }

    /** Random access to a stretch of the band-passed signal, by 250 Hz sample index. */
    public interface Source {
        /** Oldest index held. */
        long first();

        /** Newest index held; below {@link #first()} when nothing is. */
        long last();

        float at(long index);
    }
}
