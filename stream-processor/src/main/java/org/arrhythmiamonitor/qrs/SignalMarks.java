package org.arrhythmiamonitor.qrs;

import org.arrhythmiamonitor.state.v1.SignalMark;
import org.arrhythmiamonitor.state.v1.SignalSpan;

/** Points and stretches of a device's signal, as {@code SignalProgress} tells the episode rules of them. */
public final class SignalMarks {
    private SignalMarks() {
    }

    /** A point of the signal: its sample number and device time. */
    public static SignalMark mark(long sample, long timeMs) {
        return SignalMark.newBuilder().setSample(sample).setTimeMs(timeMs).build();
    }

    /** A stretch of the signal from one point to another. */
    public static SignalSpan span(long startSample, long startMs, long endSample, long endMs) {
        return SignalSpan.newBuilder().setStart(mark(startSample, startMs)).setEnd(mark(endSample, endMs)).build();
    }
}
