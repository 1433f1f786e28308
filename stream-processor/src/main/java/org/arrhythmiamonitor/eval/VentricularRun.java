package org.arrhythmiamonitor.eval;

/**
 * Two or more consecutive ventricular beats, the unit EC57 scores ventricular ectopy in beside
 * single beats: a run's clinical weight grows with its length, so runs are scored per length class.
 *
 * @param firstSample sample of the run's first beat
 * @param lastSample sample of the run's last beat
 * @param beats number of beats in the run, at least 2
 */
public record VentricularRun(long firstSample, long lastSample, int beats) {
    /** The length classes bxb reports run statistics for. */
    public enum RunLength {
        /** Two beats. */
        COUPLET("couplet"),
        /** Three to five beats. */
        SHORT_RUN("short_run"),
        /** Six beats or more. */
        LONG_RUN("long_run");

        private final String key;

        RunLength(String key) {
            this.key = key;
        }

        /** The name reports use for the class. */
        public String key() {
            return key;
        }

        public static RunLength of(int beats) {
            if (beats < 2) {
                throw new IllegalArgumentException("a run has at least 2 beats, not " + beats);
            }
            return beats == 2 ? COUPLET : beats <= 5 ? SHORT_RUN : LONG_RUN;
        }
    }

    public VentricularRun {
        if (beats < 2) {
            throw new IllegalArgumentException("a run has at least 2 beats, not " + beats);
        }
        if (firstSample > lastSample) {
            throw new IllegalArgumentException("run ends (" + lastSample + ") before it starts (" + firstSample + ")");
        }
    }

    public RunLength lengthClass() {
        return RunLength.of(beats);
    }
}
