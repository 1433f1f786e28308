package org.arrhythmiamonitor.qrs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleConsumer;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.signal.EcgFilter;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.signal.RationalResampler;
import org.arrhythmiamonitor.state.v1.EcgAnalyzerState;
import org.arrhythmiamonitor.state.v1.ResamplerState;
import org.arrhythmiamonitor.wire.v1.SignalIssue;

/**
 * One device's signal path: resampling to the canonical {@value QrsDetector#FS_HZ} Hz, the
 * diagnostic band-pass and mains notch, signal quality and QRS detection. The stream processor and
 * {@code monitor eval} both run exactly this class.
 *
 * <p>Beat positions are reported on the device's own sample clock with the delays of the
 * resampler (linear phase, exact) and of the filter (its group delay in the QRS band) taken off,
 * so they are where the R peak is in the samples the device sent.
 */
public final class EcgAnalyzer {
    public static final int MIN_RATE_HZ = 100;
    public static final int MAX_RATE_HZ = 1000;
    /**
     * A beat is reported at most this long after its R peak (look-ahead, filter delay and window;
     * {@code EcgAnalyzerTest} holds it): once the stream is this far past a moment, no beat before
     * that moment can still appear, which is what the time-driven rules (asystole) wait for.
     */
    public static final double BEAT_DECISION_S = 0.5;
    /**
     * A new analyzer finds no beat in its first this many seconds: the detector learns the signal's
     * levels ({@code QrsDetector}), and a beat at the end of that stretch is only just decided.
     */
    public static final double LEARNING_S = QrsDetector.LEARNING_S + BEAT_DECISION_S;

    private final int inputRate;
    private final MainsFrequency mains;
    private final RationalResampler resampler;
    private final EcgFilter filter;
    private final SignalQuality quality;
    private final QrsDetector detector;
    private final WaitingBeats waiting = new WaitingBeats();
    private DoubleConsumer tap;
    /** Seconds to take off a 250 Hz index of the band-passed ECG to get the device time of the R peak. */
    private final double beatDelaySeconds;
    private final double resamplerDelaySeconds;
    private final double[] resampled;
    private long inputCount;
    private boolean hasLastBeat;
    private double lastBeatIndex;
    private Output out;
    private final QrsDetector.Listener onBeat = this::beat;
    private final SignalQuality.Listener onIssue = new SignalQuality.Listener() {
        @Override
        public void onIssueStart(SignalIssue issue, long startIndex) {
            out.technicalEvent(new TechnicalEvent(issue, toInput(startIndex, resamplerDelaySeconds), -1));
        }

        @Override
        public void onIssueEnd(SignalIssue issue, long startIndex, long endIndex) {
            out.technicalEvent(new TechnicalEvent(issue, toInput(startIndex, resamplerDelaySeconds),
                    toInput(endIndex, resamplerDelaySeconds)));
        }
    };

    /**
     * A beat found in the device's stream.
     *
     * @param sampleIndex the R peak on the device's sample clock
     * @param rrSamples interval since the previous beat in device samples, 0 for the first
     * @param window the band-passed ECG around the R peak, {@link BeatWindow}, millivolts
     */
    public record DetectedBeat(long sampleIndex, double rrSamples, double amplitudeMv, Set<SignalIssue> issues,
            float[] window) {
        public boolean readable() {
            return issues.isEmpty();
        }

        // Two beats are the same when their windows hold the same samples, not the same array.
        @Override
        public boolean equals(Object o) {
            return o instanceof DetectedBeat b && sampleIndex == b.sampleIndex
                    && Double.compare(rrSamples, b.rrSamples) == 0 && Double.compare(amplitudeMv, b.amplitudeMv) == 0
                    && issues.equals(b.issues) && Arrays.equals(window, b.window);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sampleIndex, rrSamples, amplitudeMv, issues) * 31
                    + Arrays.hashCode(window);
        }

        @Override
        public String toString() {
            return "DetectedBeat[sampleIndex=" + sampleIndex + ", rrSamples=" + rrSamples + ", amplitudeMv="
                    + amplitudeMv + ", issues=" + issues + "]";
        }
    }

    /** A stretch of unreadable signal; {@code endSample} is -1 while it lasts. */
    public record TechnicalEvent(SignalIssue issue, long startSample, long endSample) {
        public boolean ongoing() {
            return endSample < 0;
        }
    }

    /** Receives what the analyzer finds, in stream order. */
    public interface Output {
        void beat(DetectedBeat beat);

        default void technicalEvent(TechnicalEvent event) {
        }
    }

    public EcgAnalyzer(int inputRateHz, MainsFrequency mains) {
        this(inputRateHz, mains, null);
    }

    private EcgAnalyzer(int inputRateHz, MainsFrequency mains, EcgAnalyzerState saved) {
        if (inputRateHz < MIN_RATE_HZ || inputRateHz > MAX_RATE_HZ) {
            throw new IllegalArgumentException("sampling rate must be " + MIN_RATE_HZ + "-" + MAX_RATE_HZ
                    + " Hz, got " + inputRateHz);
        }
        this.inputRate = inputRateHz;
        this.mains = mains;
        this.filter = new EcgFilter(QrsDetector.FS_HZ, mains);
        if (inputRateHz == QrsDetector.FS_HZ) {
            this.resampler = null;
            this.resamplerDelaySeconds = 0;
        } else {
            this.resampler = saved == null ? new RationalResampler(inputRateHz, QrsDetector.FS_HZ)
                    : RationalResampler.restore(inputRateHz, QrsDetector.FS_HZ, resamplerState(saved.getResampler()));
            this.resamplerDelaySeconds = resampler.delaySeconds();
        }
        this.resampled = new double[resampler == null ? 1 : resampler.maxOutputsPerInput()];
        this.beatDelaySeconds = resamplerDelaySeconds + filter.delaySamples() / QrsDetector.FS_HZ;
        if (saved == null) {
            this.quality = new SignalQuality();
            this.detector = new QrsDetector();
        } else {
            filter.restore(saved.getFilterList());
            this.quality = SignalQuality.restore(saved.getQuality());
            this.detector = QrsDetector.restore(saved.getDetector());
            this.inputCount = saved.getInputCount();
            this.hasLastBeat = saved.getHasLastBeat();
            this.lastBeatIndex = saved.getLastBeatInputIndex();
            waiting.restore(saved.getWaitingPeakList(), saved.getWaitingAmplitudeList());
        }
    }

    /** Restores the analyzer another instance saved. */
    public static EcgAnalyzer restore(EcgAnalyzerState saved) {
        return new EcgAnalyzer(saved.getInputRateHz(), MainsFrequency.ofHz(saved.getMainsHz()), saved);
    }

    public EcgAnalyzerState snapshot() {
        EcgAnalyzerState.Builder s = EcgAnalyzerState.newBuilder()
                .setInputRateHz(inputRate)
                .setMainsHz(mains.hz())
                .setDetector(detector.snapshot())
                .setQuality(quality.snapshot())
                .setInputCount(inputCount)
                .setHasLastBeat(hasLastBeat)
                .setLastBeatInputIndex(lastBeatIndex);
        for (long peak : waiting.peaks()) {
            s.addWaitingPeak(peak);
        }
        for (double amplitude : waiting.amplitudes()) {
            s.addWaitingAmplitude(amplitude);
        }
        for (double v : filter.state()) {
            s.addFilter(v);
        }
        if (resampler != null) {
            RationalResampler.State r = resampler.snapshot();
            ResamplerState.Builder rs = ResamplerState.newBuilder().setHistoryPos(r.historyPos())
                    .setInputCount(r.inputCount()).setNextOutput(r.nextOutput());
            for (double v : r.history()) {
                rs.addHistory(v);
            }
            s.setResampler(rs);
        }
        return s.build();
    }

    /** Whether the signal is unreadable now: lead off, saturation or noise is in force. */
    public boolean unreadableNow() {
        return quality.anyOpen();
    }

    /** The unreadable stretches in force now, each from its start (their {@code endSample} is -1). */
    public List<TechnicalEvent> openEvents() {
        List<TechnicalEvent> open = new ArrayList<>();
        quality.open().forEach((issue, start) ->
                open.add(new TechnicalEvent(issue, toInput(start, resamplerDelaySeconds), -1)));
        return open;
    }

    /** Input samples seen so far: the index the next one gets. */
    public long inputCount() {
        return inputCount;
    }

    /** Feeds samples in millivolts at the device's rate. */
    public void accept(double[] samplesMv, Output output) {
        accept(samplesMv, 0, samplesMv.length, output);
    }

    public void accept(double[] samplesMv, int from, int to, Output output) {
        this.out = output;
        try {
            if (resampler == null) {
                for (int k = from; k < to; k++) {
                    inputCount++;
                    step(samplesMv[k]);
                }
            } else {
                double[] buffer = resampled;
                for (int k = from; k < to; k++) {
                    inputCount++;
                    int produced = resampler.push(samplesMv[k], buffer);
                    for (int j = 0; j < produced; j++) {
                        step(buffer[j]);
                    }
                }
            }
        } finally {
            this.out = null;
        }
    }

    /**
     * Reports the beats still awaiting their look-ahead or the end of their window, at the end of a
     * recording (see {@link QrsDetector#finish}); their windows are padded with the last sample.
     */
    public void finish(Output output) {
        this.out = output;
        try {
            detector.finish(onBeat);
            while (waiting.anyWaiting()) {
                emitFirstWaiting();
            }
        } finally {
            this.out = null;
        }
    }

    /**
     * Sends every band-passed {@value QrsDetector#FS_HZ} Hz sample to {@code tap} as well, for
     * tools that need the whole signal (the training data export cuts extra windows from it).
     */
    public void tapFilteredSignal(DoubleConsumer tap) {
        this.tap = tap;
    }

    /** The {@value QrsDetector#FS_HZ} Hz band-passed index where the R peak at this device sample index lies. */
    public double filteredIndexOf(double inputIndex) {
        return (inputIndex / inputRate + beatDelaySeconds) * QrsDetector.FS_HZ;
    }

    private void step(double raw) {
        double x = filter.filter(raw);
        if (tap != null) {
            tap.accept(x);
        }
        quality.accept(raw, x, onIssue);
        detector.accept(x, onBeat);
        while (waiting.firstReady(detector.sampleCount())) {
            emitFirstWaiting();
        }
    }

    private void beat(long rPeak, double amplitudeMv) {
        quality.onBeat(amplitudeMv);
        if (!waiting.hold(rPeak, amplitudeMv)) {
            emitFirstWaiting();
            waiting.hold(rPeak, amplitudeMv);
        }
    }

    private void emitFirstWaiting() {
        long rPeak = waiting.firstPeak();
        double amplitudeMv = waiting.firstAmplitude();
        float[] window = BeatWindow.cut(detector.signal(), rPeak);
        waiting.release();
        double index = ((double) rPeak / QrsDetector.FS_HZ - beatDelaySeconds) * inputRate;
        double rr = hasLastBeat ? index - lastBeatIndex : 0;
        hasLastBeat = true;
        lastBeatIndex = index;
        out.beat(new DetectedBeat(Math.max(0, Math.round(index)), rr, amplitudeMv, quality.issuesAt(rPeak), window));
    }

    private long toInput(long index250, double delaySeconds) {
        return Math.max(0, Math.round(((double) index250 / QrsDetector.FS_HZ - delaySeconds) * inputRate));
    }

    private static RationalResampler.State resamplerState(ResamplerState s) {
        return new RationalResampler.State(s.getHistoryList().stream().mapToDouble(Double::doubleValue).toArray(),
                s.getHistoryPos(), s.getInputCount(), s.getNextOutput());
    }
}
