package org.arrhythmiamonitor.qrs;

import org.arrhythmiamonitor.state.v1.QrsDetectorState;

/**
 * Streaming QRS detector in the manner of Pan and Tompkins (1985): slope over a short lag,
 * squaring, moving-window integration, and an adaptive threshold between running estimates of
 * signal and noise peaks. It is causal and keeps all of its memory in fields that round-trip
 * through {@link QrsDetectorState}, so the beats it finds do not depend on how the samples were
 * split into chunks, and a device's detector can move between processor instances.
 *
 * <p>The detector works at the device's own sampling rate. A beat is reported once the integrated
 * energy has stayed below its peak for a confirmation window, about 0.3 s after the R peak.
 */
public final class QrsDetector {
    public static final double MIN_FS_HZ = 50;
    public static final double MAX_FS_HZ = 10_000;
    private static final double SLOPE_LAG_S = 0.008;
    private static final double INTEGRATION_S = 0.120;
    private static final double REFRACTORY_S = 0.200;
    private static final double CONFIRMATION_S = 0.150;
    private static final double LEARNING_S = 2.0;
    /** After this long without a beat the signal-peak estimate decays, so a smaller QRS is found again. */
    private static final double DECAY_AFTER_S = 1.5;
    private static final double DECAY_HALF_LIFE_S = 1.0;

    private final double fsHz;
    private final int slopeLag;
    private final int integrationLength;
    private final int refractory;
    private final int confirmation;
    private final int learning;
    private final int decayAfter;
    private final double decayPerSample;
    /** Samples between the integrated-energy peak and the R peak it comes from. */
    private final int peakDelay;

    private long nextIndex;
    private final double[] recentMv;
    private int recentPos;
    private final double[] energy;
    private int energyPos;
    private double energySum;
    private double previousIntegrated;
    private double beforePreviousIntegrated;
    private double signalPeak;
    private double noisePeak;
    private double learningMax;
    private double learningSum;
    private long lastBeatIndex;
    private boolean hasLastBeat;
    private boolean hasPending;
    private long pendingIndex;
    private double pendingValue;

    public QrsDetector(double fsHz) {
        if (!(fsHz >= MIN_FS_HZ && fsHz <= MAX_FS_HZ)) {
            throw new IllegalArgumentException("sampling rate must be " + MIN_FS_HZ + "-" + MAX_FS_HZ + " Hz, got "
                    + fsHz);
        }
        this.fsHz = fsHz;
        this.slopeLag = Math.max(1, (int) Math.round(SLOPE_LAG_S * fsHz));
        this.integrationLength = Math.max(2, (int) Math.round(INTEGRATION_S * fsHz));
        this.refractory = (int) Math.round(REFRACTORY_S * fsHz);
        this.confirmation = (int) Math.round(CONFIRMATION_S * fsHz);
        this.learning = (int) Math.round(LEARNING_S * fsHz);
        this.decayAfter = (int) Math.round(DECAY_AFTER_S * fsHz);
        this.decayPerSample = Math.pow(0.5, 1.0 / (DECAY_HALF_LIFE_S * fsHz));
        this.peakDelay = (integrationLength - 1) / 2 + slopeLag / 2;
        this.recentMv = new double[slopeLag + 1];
        this.energy = new double[integrationLength];
    }

    /** Restores a detector from the state another instance saved. */
    public static QrsDetector restore(QrsDetectorState state) {
        QrsDetector detector = new QrsDetector(state.getFsHz());
        if (state.getRecentMvCount() != detector.recentMv.length || state.getEnergyCount() != detector.energy.length) {
            throw new IllegalArgumentException("saved QRS detector state does not fit its sampling rate "
                    + state.getFsHz() + " Hz");
        }
        detector.nextIndex = state.getNextSampleIndex();
        for (int i = 0; i < detector.recentMv.length; i++) {
            detector.recentMv[i] = state.getRecentMv(i);
        }
        detector.recentPos = state.getRecentPos();
        for (int i = 0; i < detector.energy.length; i++) {
            detector.energy[i] = state.getEnergy(i);
        }
        detector.energyPos = state.getEnergyPos();
        detector.energySum = state.getEnergySum();
        detector.previousIntegrated = state.getPreviousIntegrated();
        detector.beforePreviousIntegrated = state.getBeforePreviousIntegrated();
        detector.signalPeak = state.getSignalPeak();
        detector.noisePeak = state.getNoisePeak();
        detector.learningMax = state.getLearningMax();
        detector.learningSum = state.getLearningSum();
        detector.lastBeatIndex = state.getLastBeatIndex();
        detector.hasLastBeat = state.getHasLastBeat();
        detector.hasPending = state.getHasPending();
        detector.pendingIndex = state.getPendingIndex();
        detector.pendingValue = state.getPendingValue();
        return detector;
    }

    public QrsDetectorState snapshot() {
        QrsDetectorState.Builder state = QrsDetectorState.newBuilder()
                .setFsHz(fsHz)
                .setNextSampleIndex(nextIndex)
                .setRecentPos(recentPos)
                .setEnergyPos(energyPos)
                .setEnergySum(energySum)
                .setPreviousIntegrated(previousIntegrated)
                .setBeforePreviousIntegrated(beforePreviousIntegrated)
                .setSignalPeak(signalPeak)
                .setNoisePeak(noisePeak)
                .setLearningMax(learningMax)
                .setLearningSum(learningSum)
                .setLastBeatIndex(lastBeatIndex)
                .setHasLastBeat(hasLastBeat)
                .setHasPending(hasPending)
                .setPendingIndex(pendingIndex)
                .setPendingValue(pendingValue);
        for (double v : recentMv) {
            state.addRecentMv(v);
        }
        for (double v : energy) {
            state.addEnergy(v);
        }
        return state.build();
    }

    public double fsHz() {
        return fsHz;
    }

    /** Index the next sample will get: the number of samples seen so far. */
    public long nextSampleIndex() {
        return nextIndex;
    }

    /**
     * Feeds samples in millivolts; tells {@code onBeat} of each R peak as soon as it is confirmed.
     */
    public void accept(double[] samplesMv, BeatListener onBeat) {
        for (double x : samplesMv) {
            step(x, onBeat);
        }
    }

    private void step(double x, BeatListener onBeat) {
        long index = nextIndex++;
        double lagged = recentMv[(recentPos + 1) % recentMv.length];
        recentMv[recentPos] = x;
        recentPos = (recentPos + 1) % recentMv.length;
        double slope = index >= slopeLag ? x - lagged : 0;

        energySum += slope * slope - energy[energyPos];
        energy[energyPos] = slope * slope;
        energyPos = (energyPos + 1) % energy.length;
        if (energyPos == 0) {
            // Recompute now and then so rounding in the running sum cannot drift over days.
            energySum = 0;
            for (double e : energy) {
                energySum += e;
            }
        }
        double integrated = energySum / energy.length;

        if (index < learning) {
            learningMax = Math.max(learningMax, integrated);
            learningSum += integrated;
            if (index == learning - 1) {
                signalPeak = learningMax;
                noisePeak = learningSum / learning;
            }
            shiftHistory(integrated);
            return;
        }

        if (hasLastBeat && index - lastBeatIndex > decayAfter) {
            signalPeak *= decayPerSample;
        }

        boolean localMaximum = previousIntegrated > beforePreviousIntegrated && previousIntegrated >= integrated;
        if (localMaximum) {
            onPeak(index - 1, previousIntegrated);
        }
        if (hasPending && index - pendingIndex >= confirmation) {
            confirm(onBeat);
        }
        shiftHistory(integrated);
    }

    private void onPeak(long peakIndex, double value) {
        double threshold = noisePeak + 0.25 * (signalPeak - noisePeak);
        boolean outsideRefractory = !hasLastBeat || peakIndex - peakDelay - lastBeatIndex > refractory;
        if (value > threshold && outsideRefractory) {
            if (!hasPending || value > pendingValue) {
                hasPending = true;
                pendingIndex = peakIndex;
                pendingValue = value;
            }
        } else if (!hasPending) {
            noisePeak = 0.125 * value + 0.875 * noisePeak;
        }
    }

    private void confirm(BeatListener onBeat) {
        long rPeak = Math.max(0, pendingIndex - peakDelay);
        long rrSamples = hasLastBeat ? rPeak - lastBeatIndex : 0;
        signalPeak = 0.125 * pendingValue + 0.875 * signalPeak;
        hasPending = false;
        lastBeatIndex = rPeak;
        hasLastBeat = true;
        onBeat.onBeat(rPeak, rrSamples);
    }

    private void shiftHistory(double integrated) {
        beforePreviousIntegrated = previousIntegrated;
        previousIntegrated = integrated;
    }
}
