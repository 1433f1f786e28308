package org.arrhythmiamonitor.qrs;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.signal.Biquad;
import org.arrhythmiamonitor.signal.BiquadCascade;
import org.arrhythmiamonitor.state.v1.SignalQualityState;
import org.arrhythmiamonitor.wire.v1.SignalIssue;

/**
 * Decides, sample by sample on the canonical 250 Hz stream, whether the ECG can be read, and
 * opens and closes technical events when it cannot:
 * <ul>
 *   <li>{@code LEAD_OFF}: a flat line, the raw signal not changing at all for a second: no
 *       amplifier noise, no breathing, nothing. A line that moves, however little, is left to the
 *       QRS detector, so that a quiet asystole on a clean, finely digitised device raises the
 *       asystole alarm rather than a technical alert: no signal alone tells a very quiet lead from
 *       a very quiet heart, and only the first of those mistakes is safe. Resampling keeps a
 *       constant input exactly constant, so this holds at any input rate.</li>
 *   <li>{@code SATURATION}: the raw signal stuck at exactly one value for 40 ms to 1 s, then moving
 *       again, at the far end of its recent swing and at least {@value #CLIP_MIN_MV} mV from its
 *       baseline: the amplifier or converter clipped the waves (a longer plateau is a flat line).
 *       A plateau anywhere else is the converter's step on a quiet stretch of a clean signal (an
 *       isoelectric segment at 5 µV per unit can hold one value for a tenth of a second), not
 *       clipping. Resampling keeps a clipped plateau exactly flat inside, so this survives the
 *       resampler.</li>
 *   <li>{@code NOISE}: high-frequency activity (second difference of the band-passed ECG, a
 *       robust running mean over about half a second) above a fixed fraction of the recent
 *       QRS amplitude: muscle or motion noise that would hide or imitate beats.</li>
 *   <li>{@code NOISE} as well: a baseline jump, the raw signal's level (a 0.2 s moving average)
 *       leaving its level of the last seconds (a 4 s one) by more than {@value #JUMP_MV} mV,
 *       until the two are within {@value #SETTLED_MV} mV again (the level has settled), or for
 *       at most {@value #MAX_JUMP_S} s, after which the new level is the baseline. Electrode movement and amplifier overload do this: the
 *       level leaps and creeps back over seconds while the QRS complexes are lost in it (MIT-BIH
 *       116 and 208 have such stretches of 4-7 s, which read as asystole otherwise). Breathing
 *       moves the level by a few tenths of a millivolt, too slowly to count.</li>
 *   <li>{@code NOISE} as well: interference above the ECG's band, the raw signal high-passed at
 *       {@value #HUM_CORNER_HZ} Hz with a running mean of its magnitude over about half a second
 *       above {@value #HUM_MV} mV. An electrode off the skin picks up mains hum; the notch and
 *       the band-pass take it out of the analysed ECG, which would then read as a quiet line
 *       without QRS complexes, that is as asystole. On the 26 MIT-BIH records it never reaches the
 *       threshold (about 0.2 mV at most in their first 10 minutes, QRS complexes included).</li>
 * </ul>
 * An issue stays in force for {@value #HOLD} samples after its condition clears, so one event
 * covers one episode of trouble instead of flickering.
 */
public final class SignalQuality {
    private static final int FLAT_RUN = QrsDetector.FS_HZ;
    private static final double EXACT_MV = 1e-6;
    private static final int SATURATION_RUN = 10;
    /** A clipped plateau lies at least this far from the baseline... */
    static final double CLIP_MIN_MV = 0.1;
    /** ...and at least this fraction of the largest recent excursion to its side of it. */
    private static final double CLIP_SWING_FRACTION = 0.7;
    /** The recent swings fade by half each second, so one large wave does not decide for long. */
    private static final double SWING_DECAY = Math.pow(0.5, 1.0 / QrsDetector.FS_HZ);
    private static final double HF_RATE = 1.0 / 125;
    private static final double HF_CLIP = 4;
    /** Noise when the high-frequency level exceeds this fraction of the QRS amplitude. */
    static final double NOISE_RATIO = 0.05;
    private static final double QRS_RATE = 0.125;
    static final double JUMP_MV = 2.0;
    static final double SETTLED_MV = 0.5;
    static final int MAX_JUMP_S = 10;
    static final double HUM_CORNER_HZ = 45;
    static final double HUM_MV = 0.4;
    private static final double FAST_BASELINE_RATE = 1 - Math.exp(-1.0 / (0.2 * QrsDetector.FS_HZ));
    private static final double SLOW_BASELINE_RATE = 1 - Math.exp(-1.0 / (4.0 * QrsDetector.FS_HZ));
    static final int HOLD = QrsDetector.FS_HZ;
    private static final SignalIssue[] ISSUES = {SignalIssue.LEAD_OFF, SignalIssue.SATURATION, SignalIssue.NOISE};
    private static final long NEVER = Long.MIN_VALUE / 2;

    private long n;
    private double previousRaw;
    private double previousSignal;
    private double beforePreviousSignal;
    private int exactRun;
    /** The largest recent excursion of the raw signal above and below its slow baseline, mV. */
    private double swingUp;
    private double swingDown;
    private double hfLevel;
    private double qrsAmplitude;
    private boolean baselineSet;
    private double fastBaseline;
    private double slowBaseline;
    private long jumpSince = NEVER;
    /** The raw signal above the ECG's band, and the running mean of its magnitude. */
    private final BiquadCascade humFilter = new BiquadCascade(
            List.of(Biquad.highPass(QrsDetector.FS_HZ, HUM_CORNER_HZ, Math.sqrt(0.5))));
    private double humLevel;
    private final long[] lastSeen = {NEVER, NEVER, NEVER};
    private final long[] openSince = {NEVER, NEVER, NEVER};
    /** Start of each issue's latest event, open or closed. */
    private final long[] lastStart = {NEVER, NEVER, NEVER};

    /** Receives technical events as issues begin and end. */
    public interface Listener {
        void onIssueStart(SignalIssue issue, long startIndex);

        void onIssueEnd(SignalIssue issue, long startIndex, long endIndex);
    }

    /**
     * Feeds one sample of raw (resampled, unfiltered) and band-passed ECG, both in mV.
     */
    public void accept(double raw, double signal, Listener listener) {
        long i = n++;
        boolean jump = baselineJump(raw, i);
        double excursion = raw - slowBaseline;
        swingUp = Math.max(excursion, swingUp * SWING_DECAY);
        swingDown = Math.max(-excursion, swingDown * SWING_DECAY);
        long saturationStart = -1;
        if (Math.abs(raw - previousRaw) < EXACT_MV) {
            exactRun++;
        } else {
            // A plateau that ended before it became a flat line, at the edge of the swing, was clipping.
            if (exactRun >= SATURATION_RUN && exactRun < FLAT_RUN && clipped(previousRaw - slowBaseline)) {
                saturationStart = i - exactRun - 1;
            }
            exactRun = 0;
        }
        previousRaw = raw;
        double hf = Math.abs(signal - 2 * previousSignal + beforePreviousSignal);
        beforePreviousSignal = previousSignal;
        previousSignal = signal;
        hfLevel += HF_RATE * (Math.min(hf, HF_CLIP * hfLevel + 1e-4) - hfLevel);

        boolean humming = interference(raw);
        boolean flat = exactRun >= FLAT_RUN;
        boolean seen = flat || saturationStart >= 0;
        if (flat) {
            lastSeen[0] = i;
        } else if (saturationStart >= 0) {
            lastSeen[1] = i;
        }
        if (!flat && (jump || humming || qrsAmplitude > 0 && hfLevel > NOISE_RATIO * qrsAmplitude)) {
            lastSeen[2] = i;
            seen = true;
        }
        // An issue starts only on a sample where it is seen and ends only while open: on clean
        // signal, the common case, there is nothing to update.
        if (seen || openSince[0] != NEVER || openSince[1] != NEVER || openSince[2] != NEVER) {
            updateEvents(i, saturationStart, listener);
        }
    }

    /** Whether a plateau this far from the baseline (mV, signed) is where the waves were cut off. */
    private boolean clipped(double level) {
        double swing = level >= 0 ? swingUp : swingDown;
        return Math.abs(level) >= CLIP_MIN_MV && Math.abs(level) >= CLIP_SWING_FRACTION * swing;
    }

    /** Tracks the raw signal's content above the ECG's band; true while it is too strong. */
    private boolean interference(double raw) {
        humLevel += HF_RATE * (Math.abs(humFilter.filter(raw)) - humLevel);
        return humLevel > HUM_MV;
    }

    /** Tracks the raw signal's level; true while a baseline jump is in force. */
    private boolean baselineJump(double raw, long i) {
        if (!baselineSet) {
            fastBaseline = raw;
            slowBaseline = raw;
            baselineSet = true;
        }
        fastBaseline += FAST_BASELINE_RATE * (raw - fastBaseline);
        slowBaseline += SLOW_BASELINE_RATE * (raw - slowBaseline);
        double shift = Math.abs(fastBaseline - slowBaseline);
        if (jumpSince == NEVER) {
            if (shift <= JUMP_MV) {
                return false;
            }
            jumpSince = i;
        } else if (shift <= SETTLED_MV) {
            jumpSince = NEVER;
            return false;
        } else if (i - jumpSince >= (long) MAX_JUMP_S * QrsDetector.FS_HZ) {
            // A level that has not settled in this time is the new baseline (a DC-coupled front end
            // may keep an offset): take it as the level of the last seconds, or the jump would
            // start again at once and never end.
            slowBaseline = fastBaseline;
            jumpSince = NEVER;
            return false;
        }
        return true;
    }

    private void updateEvents(long i, long saturationStart, Listener listener) {
        for (int k = 0; k < ISSUES.length; k++) {
            boolean active = i - lastSeen[k] <= HOLD;
            if (active && openSince[k] == NEVER) {
                long start = k == 0 ? i - exactRun : k == 1 ? saturationStart : i;
                openSince[k] = Math.max(0, start);
                lastStart[k] = openSince[k];
                listener.onIssueStart(ISSUES[k], openSince[k]);
            } else if (!active && openSince[k] != NEVER) {
                listener.onIssueEnd(ISSUES[k], openSince[k], i - 1);
                openSince[k] = NEVER;
            }
        }
    }

    /** Tells the quality of a beat the detector accepted, to track the QRS amplitude noise is measured against. */
    public void onBeat(double amplitudeMv) {
        double amplitude = Math.abs(amplitudeMv);
        if (qrsAmplitude == 0) {
            qrsAmplitude = amplitude;
        } else {
            // Growth is clipped so that an artefact taken for a beat cannot hide the noise around it.
            qrsAmplitude += QRS_RATE * (Math.min(amplitude, 2 * qrsAmplitude) - qrsAmplitude);
        }
    }

    /** Whether an issue is in force now (its event is open). */
    public boolean anyOpen() {
        return openSince[0] != NEVER || openSince[1] != NEVER || openSince[2] != NEVER;
    }

    /** The issues in force now, each with the index its event began at. */
    public Map<SignalIssue, Long> open() {
        Map<SignalIssue, Long> open = new EnumMap<>(SignalIssue.class);
        for (int k = 0; k < ISSUES.length; k++) {
            if (openSince[k] != NEVER) {
                open.put(ISSUES[k], openSince[k]);
            }
        }
        return open;
    }

    /** The issues in force at a recent index: it lies in an issue's latest event, hold time included. */
    public Set<SignalIssue> issuesAt(long index) {
        EnumSet<SignalIssue> issues = EnumSet.noneOf(SignalIssue.class);
        for (int k = 0; k < ISSUES.length; k++) {
            if (lastStart[k] != NEVER && index >= lastStart[k] && index <= lastSeen[k] + HOLD) {
                issues.add(ISSUES[k]);
            }
        }
        return issues;
    }

    public SignalQualityState snapshot() {
        SignalQualityState.Builder s = SignalQualityState.newBuilder().setSampleCount(n).setPreviousRaw(previousRaw)
                .setPreviousSignal(previousSignal).setBeforePreviousSignal(beforePreviousSignal)
                .setExactRun(exactRun).setSwingUp(swingUp).setSwingDown(swingDown).setHfLevel(hfLevel)
                .setQrsAmplitude(qrsAmplitude);
        if (baselineSet) {
            s.setFastBaseline(fastBaseline).setSlowBaseline(slowBaseline);
        }
        if (jumpSince != NEVER) {
            s.setJumpSince(jumpSince);
        }
        for (double v : humFilter.state()) {
            s.addHumFilter(v);
        }
        s.setHumLevel(humLevel);
        for (int k = 0; k < ISSUES.length; k++) {
            s.addLastSeen(lastSeen[k]).addOpenSince(openSince[k]).addLastStart(lastStart[k]);
        }
        return s.build();
    }

    public static SignalQuality restore(SignalQualityState s) {
        SignalQuality q = new SignalQuality();
        if (s.getLastSeenCount() != ISSUES.length || s.getOpenSinceCount() != ISSUES.length
                || s.getLastStartCount() != ISSUES.length) {
            throw new IllegalArgumentException("saved signal quality state does not fit this version");
        }
        q.n = s.getSampleCount();
        q.previousRaw = s.getPreviousRaw();
        q.previousSignal = s.getPreviousSignal();
        q.beforePreviousSignal = s.getBeforePreviousSignal();
        q.exactRun = s.getExactRun();
        // State saved before the swings were kept starts them from nothing: for a second or so a
        // plateau need only be far enough from the baseline to count as clipping.
        q.swingUp = s.getSwingUp();
        q.swingDown = s.getSwingDown();
        q.hfLevel = s.getHfLevel();
        q.qrsAmplitude = s.getQrsAmplitude();
        // State saved before the baselines existed starts them afresh from the next sample.
        q.baselineSet = s.hasFastBaseline() && s.hasSlowBaseline();
        q.fastBaseline = s.getFastBaseline();
        q.slowBaseline = s.getSlowBaseline();
        q.jumpSince = s.hasJumpSince() ? s.getJumpSince() : NEVER;
        // State saved before the interference check starts its filter from rest.
        if (s.getHumFilterCount() > 0) {
            q.humFilter.restore(s.getHumFilterList());
        }
        q.humLevel = s.getHumLevel();
        for (int k = 0; k < ISSUES.length; k++) {
            q.lastSeen[k] = s.getLastSeen(k);
            q.openSince[k] = s.getOpenSince(k);
            q.lastStart[k] = s.getLastStart(k);
        }
        return q;
    }
}
