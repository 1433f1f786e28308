package org.arrhythmiamonitor.qrs;

import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.signal.Biquad;
import org.arrhythmiamonitor.signal.BiquadCascade;
import org.arrhythmiamonitor.state.v1.QrsDetectorState;

/**
 * Streaming QRS detector on the canonical 250 Hz, band-passed ECG, in the manner of Pan and
 * Tompkins (1985) with a bounded look-ahead instead of their unbounded search-back.
 *
 * <p>Feature: the ECG is narrowed to the QRS band (5-15 Hz), differentiated, squared and
 * integrated over 150 ms. Every local maximum of that energy is a candidate. A candidate is
 * decided {@link #LOOKAHEAD} after it, when the energy that follows is known:
 * <ul>
 *   <li>it loses to a larger candidate within {@link #REFRACTORY} either side (a P wave before a
 *       QRS, the second hump of a wide QRS) or to a beat already accepted within that distance;</li>
 *   <li>above the adaptive threshold (a quarter of the way from the noise level to the QRS level)
 *       it is a beat, unless it is early and its steepest slope is under half that of the last
 *       QRS, which is what a T wave looks like;</li>
 *   <li>above half the threshold it is still a beat when it comes late enough after the last beat,
 *       which finds the small beats that Pan-Tompkins found by searching back, without their
 *       unbounded wait;</li>
 *   <li>either way, a QRS complex under {@link #MIN_QRS_MV} peak to peak is noise.</li>
 * </ul>
 * A beat is therefore reported about 0.35 s after its R peak. The R peak itself is the largest
 * excursion of the band-passed ECG near the energy's maximum.
 *
 * <p>All memory lives in fields that round-trip through {@link QrsDetectorState}, so the beats
 * do not depend on how the samples were split into chunks, and a device's detector can move
 * between processor instances.
 */
public final class QrsDetector {
    public static final int FS_HZ = 250;
    /** Energy integration window, 150 ms: about one QRS. */
    static final int INTEGRATION = 38;
    /** No two beats within 200 ms of each other (energy peak to energy peak). */
    static final int REFRACTORY = 50;
    /** A candidate is decided 300 ms after its energy peak, about 0.45 s after its R peak. */
    static final int LOOKAHEAD = 75;
    /** A candidate followed within 250 ms by one {@value #DOMINANCE_RATIO} times larger is a P wave or the start of the QRS. */
    private static final int DOMINANCE = 62;
    private static final double DOMINANCE_RATIO = 1.8;
    /** Band-passed samples kept to locate R peaks and slopes: covers look-ahead plus a QRS. */
    private static final int HISTORY = 128;
    private static final int HISTORY_MASK = HISTORY - 1;
    /**
     * Band-passed samples kept: more than {@link #HISTORY}, because beat windows
     * ({@link BeatWindow}) are cut from them once the samples after a decided beat have arrived.
     */
    static final int SIGNAL_HISTORY = 256;
    private static final int SIGNAL_MASK = SIGNAL_HISTORY - 1;
    private static final int MAX_CANDIDATES = 16;
    /** Seconds the detector learns the signal's levels before it finds beats. */
    static final int LEARNING_S = 2;
    private static final int LEARNING = LEARNING_S * FS_HZ;
    /** Energy peak to R peak, roughly: integration half-window plus QRS-band filter and derivative delay. */
    private static final int PEAK_TO_R = 24;
    private static final int R_SEARCH = 20;
    /** Threshold: this fraction of the way from the noise level to the QRS level. */
    private static final double THRESHOLD_FRACTION = 0.25;
    /** The QRS level is the second smallest of the last 8 beats' energy peaks: small beats keep being found after large PVCs. */
    private static final int PEAK_COUNT = 8;
    private static final int LEVEL_RANK = 1;
    /** A candidate this early (360 ms, or 30 % of the usual RR) with under half the last QRS's slope is a T wave. */
    private static final int T_WAVE_WINDOW = 90;
    private static final double T_WAVE_RR_FRACTION = 0.3;
    private static final double T_WAVE_SLOPE = 0.5;
    /** Late candidates (60 % of the usual RR since the last beat) need only 40 % of the threshold. */
    private static final double LATE_RR_FRACTION = 0.6;
    private static final double LATE_THRESHOLD = 0.4;
    private static final int RR_COUNT = 8;
    /**
     * The smallest QRS complex taken for a beat: its peak-to-peak excursion in the band-passed ECG,
     * mV. The threshold alone follows the signal down without end once beats stop (it must, to
     * find the beats again after the amplitude drops), and in an asystole it reached the noise in
     * 4-7 s, after which 40-80 µV of noise read as beats in most seeds and ended the asystole. At
     * this limit no beat was found in the noise of 40 s asystoles up to 50 µV (20 seeds each; at
     * 0.2 mV, 2 of 20 found one at 40-50 µV), and MIT-BIH misses one more beat and makes one false
     * detection fewer. A QRS complex smaller than this cannot be told from such noise; a lead that
     * shows one reads as asystole, the safe side (monitors commonly stop at 0.15-0.2 mV of QRS
     * amplitude).
     */
    static final double MIN_QRS_MV = 0.25;
    /**
     * A clear QRS complex (peak to peak, mV) that the levels let pass, regularly: after seconds
     * of ECG five or ten times larger (a gain set wrong, an electrode pressed on), the QRS level
     * is 25-100 times the energy of the beats that follow, and it took 2.5-5 s of decay to come
     * down to them, a false pause. A candidate this large, found neither a T wave nor a beat,
     * that comes one usual interval (within {@value #REGULAR_RR_TOLERANCE} of it) after another
     * such, itself about an interval after the last beat, and of a size within a factor of two of
     * it, is a beat the levels were set too high for: it is taken, and sets the QRS level to its
     * own (one beat missed, not five). Two in rhythm are asked for, where one would do, so that an
     * artefact in the silence of a pause or an asystole is not taken for a beat, and each must be
     * as steep as a QRS complex ({@link #CLEAR_QRS_STEEPNESS}).
     */
    static final double CLEAR_QRS_MV = 0.5;
    /**
     * The QRS band's energy of a clear QRS per square millivolt of its size: about 4e-3 for a
     * narrow QRS complex (1e-2 at 1.6 mV), 1e-3 and under for slow waves of 0.04 s and wider, which
     * a review found taken for beats at the right size and rate (two in a pause, one interval
     * apart, ended the pause).
     */
    static final double CLEAR_QRS_STEEPNESS = 2e-3;
    private static final double REGULAR_RR_TOLERANCE = 0.2;
    private static final double DECAY_AFTER_RR = 1.5;
    /** Decay this long (samples) and the beat that ends it sets the QRS level again. */
    private static final int LEVEL_RESET_AFTER = FS_HZ;
    private static final double DECAY_PER_SAMPLE = Math.pow(0.5, 1.0 / FS_HZ);
    /**
     * Levels lost: no candidate at all for this long (samples), no energy peak as large as a tenth
     * of the noise level, while clear, steep QRS complexes ({@link #clearQrs}) came with under
     * {@value #LOST_RATIO} of it. The levels were taught by a signal some 15 times the size of a
     * usual ECG or more, as no heart makes (the noise level of a 1.6 mV ECG is about 8e-4, growing
     * with the square of its size, and a clear QRS's energy is at least 5e-4): samples sent at
     * 1000 times their gain (at 100 times the levels are not found lost, and no beat is found
     * after them). The noise level and the QRS level then both decay fast, by half each
     * {@value #LOST_HALVING} samples, until a beat is found. Only candidates teach the noise level, and candidates under a tenth
     * of it are not kept, so it did not come down at all: after 10 s of such samples no beat was
     * found again, and the clean ECG read as asystole. Two versions that asked less (two seconds
     * without a candidate; then QRS-sized peaks under the floor) were taken by a quiet asystole, or
     * by the last beat of an ECG three or four times the usual size, after which the levels decayed
     * and CPR compressions or one slow wave in a pause read as beats (a review's probes).
     */
    private static final int LOST_AFTER = 2 * FS_HZ;
    private static final int LOST_HALVING = 25;
    private static final double LOST_RATIO = 0.003;
    private static final double LOST_DECAY_PER_SAMPLE = Math.pow(0.5, 1.0 / LOST_HALVING);

    private long n;
    private final BiquadCascade band = new BiquadCascade(List.of(
            Biquad.highPass(FS_HZ, 5, Math.sqrt(0.5)), Biquad.lowPass(FS_HZ, 15, Math.sqrt(0.5))));
    private final double[] deriv = new double[4];
    private final double[] energy = new double[INTEGRATION];
    private double energySum;
    /** Next slot of the integration window: sample count modulo its length, kept to spare a division a sample. */
    private int energySlot;
    /** Median RR, recomputed when an interval is added rather than every sample. */
    private double usualRr = FS_HZ;
    private double m1;
    private double m2;
    private final double[] x = new double[SIGNAL_HISTORY];
    private final double[] slope = new double[HISTORY];
    private final BeatWindow.Source signal = new BeatWindow.Source() {
        @Override
        public long first() {
            return Math.max(0, n - SIGNAL_HISTORY);
        }

        @Override
        public long last() {
            return n - 1;
        }

        @Override
        public float at(long index) {
            return (float) x[(int) (index & SIGNAL_MASK)];
        }
    };
    private double learnMax;
    private double learnSum;
    /** Energy peaks of the last beats; the QRS level is a low quantile of them, robust to PVCs and artefacts. */
    private final double[] beatPeaks = new double[PEAK_COUNT];
    private int beatPeakPos;
    private double npk;
    private double lastSlope;
    private long lastBeat = Long.MIN_VALUE;
    /** Energy peak of the last beat: timing rules compare energy peaks with energy peaks. */
    private long lastPeak = Long.MIN_VALUE;
    /** Energy peak last taken as a candidate. */
    private long lastCandidate;
    /** The levels are lost ({@link #LOST_AFTER}) and decay fast until a beat is found. */
    private boolean lost;
    /** Energy peak of the last QRS-like peak under the candidates' floor; 0: none. */
    private long lastHidden;
    /** Energy peak and value of a clear QRS the levels let pass since the last beat ({@link #CLEAR_QRS_MV}); 0: none. */
    private long missedIndex;
    private double missedValue;
    private final double[] rr = new double[RR_COUNT];
    private int rrCount;
    private int rrPos;
    private int candidates;
    private final long[] candIndex = new long[MAX_CANDIDATES];
    private final double[] candValue = new double[MAX_CANDIDATES];

    /** Receives each beat as the detector accepts it. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param rPeak 250 Hz sample index of the R peak in the band-passed ECG
         * @param amplitudeMv the band-passed ECG at the R peak
         */
        void onBeat(long rPeak, double amplitudeMv);
    }

    /** Feeds one band-passed sample (mV). */
    public void accept(double sample, Listener listener) {
        long i = n++;
        x[(int) (i & SIGNAL_MASK)] = sample;
        double y = band.filter(sample);
        // Five-point derivative of Pan and Tompkins, on the QRS band.
        double d = (2 * y + deriv[0] - deriv[2] - 2 * deriv[3]) / 8;
        deriv[3] = deriv[2];
        deriv[2] = deriv[1];
        deriv[1] = deriv[0];
        deriv[0] = y;
        slope[(int) (i & HISTORY_MASK)] = Math.abs(d);
        int slot = energySlot;
        energySlot = slot + 1 == INTEGRATION ? 0 : slot + 1;
        double e = d * d;
        energySum += e - energy[slot];
        energy[slot] = e;
        if (slot == 0) {
            // Recompute now and then so rounding in the running sum cannot drift over days.
            energySum = 0;
            for (double v : energy) {
                energySum += v;
            }
        }
        double m = energySum / INTEGRATION;
        if (i < LEARNING) {
            learnMax = Math.max(learnMax, m);
            learnSum += m;
            if (i == LEARNING - 1) {
                Arrays.fill(beatPeaks, 0.5 * learnMax);
                npk = 0.5 * learnSum / LEARNING;
                lastCandidate = i;
            }
        } else {
            if (m1 > m2 && m1 >= m) {
                addCandidate(i - 1, m1);
            }
            lost |= i - lastCandidate > LOST_AFTER && lastHidden > lastCandidate;
            if (lost) {
                npk *= LOST_DECAY_PER_SAMPLE;
                for (int k = 0; k < PEAK_COUNT; k++) {
                    beatPeaks[k] *= LOST_DECAY_PER_SAMPLE;
                }
            } else if (lastPeak != Long.MIN_VALUE && i - lastPeak > DECAY_AFTER_RR * usualRr) {
                for (int k = 0; k < PEAK_COUNT; k++) {
                    beatPeaks[k] *= DECAY_PER_SAMPLE;
                }
            }
            while (candidates > 0 && i - candIndex[0] >= LOOKAHEAD) {
                decide(listener);
            }
        }
        m2 = m1;
        m1 = m;
    }

    /**
     * Decides every candidate still waiting for its look-ahead: for the end of a recording, where
     * no more samples will come. A live stream never ends, so the processor never calls this.
     */
    public void finish(Listener listener) {
        while (candidates > 0) {
            decide(listener);
        }
    }

    private void addCandidate(long index, double value) {
        if (value < 0.1 * npk) {
            if (value < LOST_RATIO * npk && clearQrs(index, value)) {
                lastHidden = index;
            }
            return;
        }
        lastCandidate = index;
        if (candidates == MAX_CANDIDATES) {
            // Under heavy noise keep the list bounded: drop the smallest, it cannot win.
            int smallest = 0;
            for (int k = 1; k < candidates; k++) {
                if (candValue[k] < candValue[smallest]) {
                    smallest = k;
                }
            }
            if (candValue[smallest] >= value) {
                return;
            }
            remove(smallest);
        }
        candIndex[candidates] = index;
        candValue[candidates] = value;
        candidates++;
    }

    private void decide(Listener listener) {
        long index = candIndex[0];
        double value = candValue[0];
        remove(0);
        boolean largestAhead = true;
        for (int k = 0; k < candidates; k++) {
            if (candValue[k] > value) {
                if (candIndex[k] - index <= REFRACTORY
                        || candIndex[k] - index <= DOMINANCE && candValue[k] > DOMINANCE_RATIO * value) {
                    return;
                }
                largestAhead = false;
            }
        }
        long sinceLast = lastPeak == Long.MIN_VALUE ? Long.MAX_VALUE : index - lastPeak;
        if (sinceLast <= REFRACTORY) {
            return;
        }
        double threshold = npk + THRESHOLD_FRACTION * (qrsLevel() - npk);
        double peakSlope = maxSlope(index);
        boolean early = sinceLast < T_WAVE_WINDOW || sinceLast < T_WAVE_RR_FRACTION * usualRr;
        boolean tWave = early && peakSlope < T_WAVE_SLOPE * lastSlope;
        boolean late = value > LATE_THRESHOLD * threshold && sinceLast > LATE_RR_FRACTION * usualRr && largestAhead;
        // The QRS size is measured only for a candidate that would otherwise be a beat.
        if (!tWave && (value > threshold || late) && qrsPeakToPeak(index) >= MIN_QRS_MV) {
            // Above half the threshold only, a weak beat: found, but it teaches neither the QRS
            // level nor the usual RR, so a run of false weak beats cannot lower the bar for more.
            accept(index, value, peakSlope, value > threshold, listener);
            return;
        }
        boolean clear = !tWave && largestAhead && value > npk && lastPeak != Long.MIN_VALUE
                && sinceLast > (1 - REGULAR_RR_TOLERANCE) * usualRr && clearQrs(index, value);
        if (clear && missedIndex != 0 && sinceLast > DECAY_AFTER_RR * usualRr
                && Math.abs(index - missedIndex - usualRr) <= REGULAR_RR_TOLERANCE * usualRr
                && value <= 2 * missedValue && missedValue <= 2 * value) {
            Arrays.fill(beatPeaks, value);
            accept(index, value, peakSlope, true, listener);
            return;
        }
        if (clear && missedIndex == 0 && Math.abs(sinceLast - usualRr) <= REGULAR_RR_TOLERANCE * usualRr) {
            missedIndex = index;
            missedValue = value;
        }
        npk = 0.125 * value + 0.875 * npk;
    }

    /** Whether the complex of this energy peak is large and steep enough to be a clear QRS ({@link #CLEAR_QRS_MV}). */
    private boolean clearQrs(long energyPeak, double value) {
        // The energy alone first: the size is measured over the R search window, and the floor
        // asks this of every small energy peak under it.
        if (value < CLEAR_QRS_STEEPNESS * CLEAR_QRS_MV * CLEAR_QRS_MV) {
            return false;
        }
        double size = qrsPeakToPeak(energyPeak);
        return size >= CLEAR_QRS_MV && value >= CLEAR_QRS_STEEPNESS * size * size;
    }

    /** First sample of where the R peak of this energy peak can lie (within the stored history). */
    private long rSearchFrom(long energyPeak) {
        return Math.max(0, Math.max(n - HISTORY, energyPeak - PEAK_TO_R - R_SEARCH));
    }

    /** Last sample of where the R peak of this energy peak can lie. */
    private long rSearchTo(long energyPeak) {
        return Math.min(n - 1, energyPeak - PEAK_TO_R + R_SEARCH);
    }

    private void accept(long energyPeak, double value, double peakSlope, boolean confident, Listener listener) {
        long from = rSearchFrom(energyPeak);
        long to = rSearchTo(energyPeak);
        long r = from;
        double best = -1;
        for (long k = from; k <= to; k++) {
            double v = Math.abs(x[(int) (k & SIGNAL_MASK)]);
            if (v > best) {
                best = v;
                r = k;
            }
        }
        // The QRS level decayed for a second or more through the silence before this beat: every
        // peak has shrunk, and the level (the second smallest) would take seven more beats to
        // come back, while T waves passed the lowered threshold as beats (after a 40 s asystole,
        // the T waves of the next beats, which read as an SVT run). The beat that ends the silence
        // sets the level again; it can only raise it, so a weak beat may do so too. After shorter
        // decays (a compensatory pause, a dropped beat) the level stays as it is: raised by a
        // large PVC after a pause, it cost 11 MIT-BIH beats. Measured before the interval that
        // ends it joins the usual RR, which set the decay.
        boolean afterDecay = lastPeak != Long.MIN_VALUE
                && energyPeak - lastPeak > DECAY_AFTER_RR * usualRr + LEVEL_RESET_AFTER;
        if (lastBeat != Long.MIN_VALUE && confident) {
            rr[rrPos] = r - lastBeat;
            rrPos = (rrPos + 1) % RR_COUNT;
            rrCount = Math.min(RR_COUNT, rrCount + 1);
            usualRr = rrMedian();
        }
        lastBeat = r;
        lastPeak = energyPeak;
        lost = false;
        missedIndex = 0;
        if (afterDecay) {
            for (int k = 0; k < PEAK_COUNT; k++) {
                beatPeaks[k] = Math.max(beatPeaks[k], value);
            }
        }
        if (confident) {
            beatPeaks[beatPeakPos] = value;
            beatPeakPos = (beatPeakPos + 1) % PEAK_COUNT;
        }
        lastSlope = peakSlope;
        listener.onBeat(r, x[(int) (r & SIGNAL_MASK)]);
    }

    /** The band-passed ECG's peak-to-peak excursion where the R peak of this energy peak would be, mV. */
    private double qrsPeakToPeak(long energyPeak) {
        long to = rSearchTo(energyPeak);
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (long k = rSearchFrom(energyPeak); k <= to; k++) {
            double v = x[(int) (k & SIGNAL_MASK)];
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return max - min;
    }

    private double maxSlope(long energyPeak) {
        double max = 0;
        for (long k = Math.max(n - HISTORY, energyPeak - INTEGRATION); k <= energyPeak; k++) {
            max = Math.max(max, slope[(int) (k & HISTORY_MASK)]);
        }
        return max;
    }

    private double qrsLevel() {
        double[] sorted = beatPeaks.clone();
        Arrays.sort(sorted);
        return sorted[LEVEL_RANK];
    }

    /** Median of the last RR intervals between confident beats, in samples; one second before there are any. */
    private double rrMedian() {
        if (rrCount == 0) {
            return FS_HZ;
        }
        double[] sorted = Arrays.copyOf(rr, rrCount);
        Arrays.sort(sorted);
        return rrCount % 2 == 1 ? sorted[rrCount / 2] : (sorted[rrCount / 2 - 1] + sorted[rrCount / 2]) / 2;
    }

    private void remove(int k) {
        System.arraycopy(candIndex, k + 1, candIndex, k, candidates - k - 1);
        System.arraycopy(candValue, k + 1, candValue, k, candidates - k - 1);
        candidates--;
    }

    /** Band-passed samples fed so far: the index the next one gets. */
    public long sampleCount() {
        return n;
    }

    /** The last {@value #SIGNAL_HISTORY} band-passed samples, by 250 Hz index. */
    public BeatWindow.Source signal() {
        return signal;
    }

    public QrsDetectorState snapshot() {
        QrsDetectorState.Builder s = QrsDetectorState.newBuilder()
                .setSampleCount(n).setEnergySum(energySum).setM1(m1).setM2(m2)
                .setLearnMax(learnMax).setLearnSum(learnSum)
                .addAllBeatPeaks(Arrays.stream(beatPeaks).boxed().toList()).setBeatPeakPos(beatPeakPos)
                .setNpk(npk).setLastSlope(lastSlope)
                .setLastBeat(lastBeat).setLastPeak(lastPeak).setLastCandidate(lastCandidate).setLevelsLost(lost)
                .setMissedIndex(missedIndex).setMissedValue(missedValue).setLastHidden(lastHidden)
                .setRrFilled(rrCount).setRrPos(rrPos);
        for (double v : band.state()) {
            s.addBand(v);
        }
        for (double v : deriv) {
            s.addDeriv(v);
        }
        for (double v : energy) {
            s.addEnergy(v);
        }
        for (double v : x) {
            s.addSignal(v);
        }
        for (double v : slope) {
            s.addSlope(v);
        }
        for (int k = 0; k < rrCount; k++) {
            s.addRr(rr[k]);
        }
        for (int k = 0; k < candidates; k++) {
            s.addCandidateIndex(candIndex[k]).addCandidateValue(candValue[k]);
        }
        return s.build();
    }

    public static QrsDetector restore(QrsDetectorState s) {
        QrsDetector d = new QrsDetector();
        if (s.getDerivCount() != 4 || s.getEnergyCount() != INTEGRATION
                || s.getSignalCount() != SIGNAL_HISTORY || s.getSlopeCount() != HISTORY
                || s.getCandidateIndexCount() != s.getCandidateValueCount()
                || s.getCandidateIndexCount() > MAX_CANDIDATES || s.getRrCount() > RR_COUNT
                || s.getRrFilled() != s.getRrCount()) {
            throw new IllegalArgumentException("saved QRS detector state does not fit this detector version");
        }
        d.n = s.getSampleCount();
        d.band.restore(s.getBandList());
        copy(s.getDerivList(), d.deriv);
        copy(s.getEnergyList(), d.energy);
        copy(s.getSignalList(), d.x);
        copy(s.getSlopeList(), d.slope);
        copy(s.getRrList(), d.rr);
        d.energySum = s.getEnergySum();
        d.m1 = s.getM1();
        d.m2 = s.getM2();
        d.learnMax = s.getLearnMax();
        d.learnSum = s.getLearnSum();
        copy(s.getBeatPeaksList(), d.beatPeaks);
        d.beatPeakPos = s.getBeatPeakPos();
        d.npk = s.getNpk();
        d.lastSlope = s.getLastSlope();
        d.lastBeat = s.getLastBeat();
        d.lastPeak = s.getLastPeak();
        // A state saved before these were kept: as if a candidate had just come.
        d.lastCandidate = s.getLastCandidate() == 0 ? d.n : s.getLastCandidate();
        d.lost = s.getLevelsLost();
        d.missedIndex = s.getMissedIndex();
        d.missedValue = s.getMissedValue();
        d.lastHidden = s.getLastHidden();
        d.rrCount = s.getRrFilled();
        d.rrPos = s.getRrPos();
        d.usualRr = d.rrMedian();
        d.energySlot = (int) (d.n % INTEGRATION);
        d.candidates = s.getCandidateIndexCount();
        for (int k = 0; k < d.candidates; k++) {
            d.candIndex[k] = s.getCandidateIndex(k);
            d.candValue[k] = s.getCandidateValue(k);
        }
        return d;
    }

    private static void copy(List<Double> from, double[] to) {
        for (int k = 0; k < from.size(); k++) {
            to[k] = from.get(k);
        }
    }
}
