package org.arrhythmiamonitor.signal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;

/**
 * Streaming polyphase resampler by an exact rational factor L/M (for example 360 -> 250 Hz is
 * 25/36, 257 -> 250 Hz is 250/257). Conceptually it inserts L-1 zeros between input samples,
 * low-pass filters at the lower of the two Nyquist frequencies and keeps every M-th sample; the
 * polyphase form computes only the kept outputs, each from K input samples.
 *
 * <p>The filter is a Kaiser-windowed sinc, linear-phase, so the delay is the same at every
 * frequency and is compensated exactly by {@link #delaySeconds()}. The coefficients depend only on
 * the ratio and are shared by every device with the same rate; a device's state is its last K
 * input samples and its position, and round-trips through {@link State}.
 */
public final class RationalResampler {
    /**
     * Input samples each output sample is computed from when upsampling; downsampling by M/L
     * needs M/L times as many for the same transition band in Hz, or out-of-band noise would
     * alias into the ECG band.
     */
    private static final int MIN_TAPS_PER_PHASE = 16;
    private static final int UPSAMPLING_TAPS_PER_PHASE = 10;
    /** Kaiser beta for about 80 dB stop-band attenuation. */
    private static final double KAISER_BETA = 8.0;
    /** Cut-off as a fraction of the lower Nyquist frequency; the rest is the transition band. */
    private static final double CUTOFF = 0.9;
    private static final Map<Long, double[][]> FILTERS = new ConcurrentHashMap<>();

    private final int taps;

    private final int inputRate;
    private final int up;
    private final int down;
    /** {@code phases[p][k]}: coefficient applied to the input sample k steps back, for phase p. */
    private final double[][] phases;
    /** The last {@code taps} inputs, stored twice over so a filter window never wraps around. */
    private final double[] history;
    private int historyPos;
    /** {@code nextOutput % up}, kept to spare a division per output sample. */
    private int outputPhase;
    /** Input samples seen. */
    private long inputCount;
    /** Position of the next output sample on the upsampled grid (input index times L). */
    private long nextOutput;

    /** A resampler's memory, to store between chunks. */
    public record State(double[] history, int historyPos, long inputCount, long nextOutput) {
    }

    public RationalResampler(int inputRate, int outputRate) {
        if (inputRate <= 0 || outputRate <= 0) {
            throw new IllegalArgumentException("rates must be positive, got " + inputRate + " -> " + outputRate);
        }
        int g = gcd(inputRate, outputRate);
        this.inputRate = inputRate;
        this.up = outputRate / g;
        this.down = inputRate / g;
        // Upsampling creates images only above the input's Nyquist frequency, which the ECG band-pass
        // removes anyway, so a short filter (and a short delay) will do; downsampling must not alias.
        this.taps = up > down ? UPSAMPLING_TAPS_PER_PHASE
                : (int) Math.ceil(MIN_TAPS_PER_PHASE * Math.max(1.0, (double) down / up));
        this.history = new double[2 * taps];
        this.phases = FILTERS.computeIfAbsent(((long) up << 32) | down, key -> design(up, down, taps));
    }

    public static RationalResampler restore(int inputRate, int outputRate, State state) {
        RationalResampler resampler = new RationalResampler(inputRate, outputRate);
        if (state.history().length != resampler.taps) {
            throw new IllegalArgumentException("saved resampler state has " + state.history().length
                    + " samples of history, expected " + resampler.taps);
        }
        System.arraycopy(state.history(), 0, resampler.history, 0, resampler.taps);
        System.arraycopy(state.history(), 0, resampler.history, resampler.taps, resampler.taps);
        resampler.historyPos = state.historyPos();
        resampler.outputPhase = (int) (state.nextOutput() % resampler.up);
        resampler.inputCount = state.inputCount();
        resampler.nextOutput = state.nextOutput();
        return resampler;
    }

    public State snapshot() {
        return new State(Arrays.copyOf(history, taps), historyPos, inputCount, nextOutput);
    }

    /** Upsampling factor L. */
    public int up() {
        return up;
    }

    /** Downsampling factor M. */
    public int down() {
        return down;
    }

    /**
     * How far the output lags the input: output sample m shows the input at time
     * {@code m / outputRate - delaySeconds()}.
     */
    public double delaySeconds() {
        return (taps * up - 1) / 2.0 / up / inputRate;
    }

    /** Most output samples one input sample can complete. */
    public int maxOutputsPerInput() {
        return (up + down - 1) / down;
    }

    /**
     * Feeds one input sample and writes the output samples it completes to {@code out} (at least
     * {@link #maxOutputsPerInput()} long); returns how many.
     */
    public int push(double x, double[] out) {
        store(x);
        int produced = 0;
        while (nextOutput < inputCount * up) {
            out[produced++] = compute(outputPhase);
            advance();
        }
        return produced;
    }

    /** Feeds input samples; every output sample that becomes computable goes to {@code out}. */
    public void accept(double[] input, DoubleConsumer out) {
        double[] buffer = new double[maxOutputsPerInput()];
        for (double x : input) {
            int produced = push(x, buffer);
            for (int k = 0; k < produced; k++) {
                out.accept(buffer[k]);
            }
        }
    }

    private void store(double x) {
        history[historyPos] = x;
        history[historyPos + taps] = x;
        historyPos = historyPos + 1 == taps ? 0 : historyPos + 1;
        inputCount++;
    }

    private void advance() {
        nextOutput += down;
        outputPhase += down;
        while (outputPhase >= up) {
            outputPhase -= up;
        }
    }

    private double compute(int phase) {
        double[] h = phases[phase];
        double[] buffer = history;
        // The newest sample is at newest, the one k steps back at newest - k, never wrapping.
        int newest = (historyPos == 0 ? taps - 1 : historyPos - 1) + taps;
        // Four partial sums: one long chain of dependent additions would leave the CPU waiting on each.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (int last = h.length - 3; k < last; k += 4) {
            s0 += h[k] * buffer[newest - k];
            s1 += h[k + 1] * buffer[newest - k - 1];
            s2 += h[k + 2] * buffer[newest - k - 2];
            s3 += h[k + 3] * buffer[newest - k - 3];
        }
        for (; k < h.length; k++) {
            s0 += h[k] * buffer[newest - k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Windowed-sinc prototype at L times the input rate, split into L phases of K taps, with gain L. */
    private static double[][] design(int up, int down, int taps) {
        int length = taps * up;
        double cutoff = CUTOFF * 0.5 / Math.max(up, down); // cycles per upsampled sample
        double centre = (length - 1) / 2.0;
        double[][] phases = new double[up][taps];
        double i0Beta = besselI0(KAISER_BETA);
        for (int n = 0; n < length; n++) {
            double t = n - centre;
            double sinc = t == 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double r = 2.0 * n / (length - 1) - 1;
            double window = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            phases[n % up][n / up] = up * sinc * window;
        }
        // Normalise each phase to unit DC gain so a constant input stays exactly constant.
        for (double[] phase : phases) {
            double sum = 0;
            for (double c : phase) {
                sum += c;
            }
            for (int k = 0; k < phase.length; k++) {
                phase[k] /= sum;
            }
        }
        return phases;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 50; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
