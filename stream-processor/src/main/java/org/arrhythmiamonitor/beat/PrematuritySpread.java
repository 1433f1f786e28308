package org.arrhythmiamonitor.beat;

import java.util.Arrays;
import java.util.List;

/**
 * How early a beat must come to be early for this patient. A fixed limit (the prematurity index
 * under {@value BeatFeatures#CLEARLY_PREMATURE}) misses the atrial premature beats of a patient with
 * a steady rhythm that come only a little early (records 118, 209, 220, 223), and would take a
 * patient with sinus arrhythmia's early sinus beats. This keeps the prematurity indices of the
 * device's latest {@value #BEATS} readable beats the classifier left N, and says a beat is
 * <em>unusually early</em> when
 * <ul>
 *   <li>its prematurity index is under {@value #SOMEWHAT_PREMATURE}, and more than
 *       {@value #SPREADS} times the median absolute deviation of those indices (their spread) under 1
 *       (the index is already relative to the local mean interval);</li>
 *   <li>and its interval is under {@value #ABRUPT} of the interval before it: an ectopic beat
 *       shortens the interval at once, where sinus arrhythmia speeds up over several beats. Not
 *       when that interval was itself long (over the local mean interval over {@value #ABRUPT}):
 *       after a pause, a missed beat or a compensatory pause, a beat on time is shorter than the
 *       interval before it, and the local mean the pause raised makes its index low too.</li>
 * </ul>
 * Not before {@value #MIN_BEATS} such beats are known, nor without two measured intervals (a
 * restarted detector, a state saved before it was kept). {@code ReportedClass} reports an N call
 * that is unusually early with a P wave unlike the usual one (similarity under 0.8) as S.
 *
 * <p>On unseen patients (patient-wise cross-validation on DS1, validation report) both tests matter,
 * as measured before the guard after a long interval: without the spread (any index under 0.95) S
 * +P fell by 4.4 points for 0.5 more S Se; without the abrupt interval, fed the reference labels as
 * the model's classes, 837 N beats were reported S instead of 83.
 *
 * <p>One instance per device (inside its {@link TemplateMatch}), in beat order: ask
 * {@link #unusuallyEarly}, then {@link #learn}.
 */
final class PrematuritySpread {
    /** Beats the spread is measured over: about a minute. */
    static final int BEATS = 64;
    /** Beats needed before any beat is unusually early. */
    static final int MIN_BEATS = 16;
    /** An unusually early beat's prematurity index is more than this many spreads under 1. */
    static final double SPREADS = 3.0;
    /** The prematurity index an unusually early beat is under, however steady the rhythm. */
    static final double SOMEWHAT_PREMATURE = 0.95;
    /** The interval of an unusually early beat is under this share of the one before it. */
    static final double ABRUPT = 0.9;
    private static final int N = BeatClasses.NAMES.indexOf("N");

    /** The latest prematurity indices, a ring: {@code recent[(next - 1) mod BEATS]} is the newest. */
    private final float[] recent = new float[BEATS];
    private int count;
    private int next;
    /** The latest beat's interval from the one before it, seconds; 0 when none was measured. */
    private double lastRrS;

    /**
     * Whether the next beat is unusually early, from the beats before it.
     *
     * @param prematurityIndex {@link BeatFeatures#prematurityIndex}, NaN when unknown
     * @param rrS its measured interval from the beat before, seconds; 0 when none was measured
     */
    boolean unusuallyEarly(double prematurityIndex, double rrS) {
        // The local mean interval the index was measured against.
        double localRrS = rrS / prematurityIndex;
        // NaN (unknown) fails every comparison: not early. rrS > 0 and under a share of lastRrS
        // also says that the interval before was measured.
        return count >= MIN_BEATS && rrS > 0 && rrS < ABRUPT * lastRrS && !(lastRrS * ABRUPT > localRrS)
                && prematurityIndex < SOMEWHAT_PREMATURE && 1 - prematurityIndex > SPREADS * spread();
    }

    /**
     * Learns from a beat: every beat's interval is the one the next is compared with; the
     * prematurity index of a readable beat the classifier left N joins the spread.
     *
     * @param beatClass the class after the template match, an index into {@link BeatClasses#NAMES}
     */
    void learn(double prematurityIndex, double rrS, boolean readable, int beatClass) {
        lastRrS = measured(rrS);
        if (readable && beatClass == N && Double.isFinite(prematurityIndex)) {
            add((float) prematurityIndex);
        }
    }

    private void add(float prematurityIndex) {
        recent[next] = prematurityIndex;
        next = (next + 1) % BEATS;
        count = Math.min(count + 1, BEATS);
    }

    /** The interval if it is one, else 0 (none measured). */
    private static double measured(double rrS) {
        return rrS > 0 && Double.isFinite(rrS) ? rrS : 0;
    }

    /** The median absolute deviation of the latest prematurity indices from their median; NaN with none. */
    double spread() {
        if (count == 0) {
            return Double.NaN;
        }
        double[] values = new double[count];
        for (int k = 0; k < count; k++) {
            values[k] = recent[k];
        }
        double median = median(values);
        for (int k = 0; k < count; k++) {
            values[k] = Math.abs(values[k] - median);
        }
        return median(values);
    }

    /** The middle value, or the mean of the middle two; sorts {@code values}. */
    private static double median(double[] values) {
        Arrays.sort(values);
        int half = values.length / 2;
        return values.length % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2;
    }

    /** The latest prematurity indices, oldest first. */
    List<Float> recent() {
        Float[] out = new Float[count];
        for (int k = 0; k < count; k++) {
            out[k] = recent[Math.floorMod(next - count + k, BEATS)];
        }
        return Arrays.asList(out);
    }

    double lastRrS() {
        return lastRrS;
    }

    /**
     * From a saved state: its latest {@value #BEATS} finite indices, oldest first, and the last
     * interval (a negative or non-finite one counts as none measured).
     */
    static PrematuritySpread restore(List<Float> recent, double lastRrS) {
        PrematuritySpread s = new PrematuritySpread();
        for (float v : recent.subList(Math.max(0, recent.size() - BEATS), recent.size())) {
            if (Float.isFinite(v)) {
                s.add(v);
            }
        }
        s.lastRrS = measured(lastRrS);
        return s;
    }
}
