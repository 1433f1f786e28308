package org.arrhythmiamonitor.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.arrhythmiamonitor.wfdb.WfdbRecord;
import org.arrhythmiamonitor.wfdb.WfdbWriter;

/**
 * Makes noise stress test records the way the MIT-BIH Noise Stress Test Database was made
 * (Moody, Muldrow and Mark 1984): a clean record plus calibrated noise in alternating two-minute
 * segments after the first five minutes (noisy from 5 to 7 minutes, clean from 7 to 9, noisy
 * from 9 to 11, and so on).
 *
 * <p>Signal-to-noise ratio: the signal power is S = A<sup>2</sup>/8, where A is the median
 * peak-to-peak amplitude of the QRS complexes (within 50 ms of each reference beat), the power of a
 * sine wave with that peak-to-peak amplitude. The noise power N is the variance of the noise
 * signal over the record. The noise is scaled so that 10 log10(S/N) is the requested SNR. The
 * annotations are copied unchanged: the beats are where they were.
 */
public final class NoiseStressRecords {
    /**
     * The lowest SNR {@code monitor nst} makes, in dB. Each of the 26 development records of
     * MIT-BIH (DS1 and the paced ones) fits its 16-bit samples with {@code bw} or {@code ma} noise
     * at -12 dB (the noise's power 16 times the QRS's sine power); at -30 dB the noise takes 118
     * past them. The NST database itself goes down to -6.
     */
    public static final int MIN_SNR_DB = -12;
    /**
     * The highest SNR {@code monitor nst} makes, in dB. At 50 dB the noise is about half an ADC unit
     * RMS on MIT-BIH's QRS complexes (118: 0.6, 119: 0.5); above, most of it rounds away and the
     * record is the clean one under another name.
     */
    public static final int MAX_SNR_DB = 50;
    private static final double NOISE_START_S = 300;
    private static final double SEGMENT_S = 120;
    private static final double QRS_HALF_WIDTH_S = 0.05;

    private NoiseStressRecords() {
    }

    /**
     * The name of the record {@link #make} writes: {@code 118ma06}, a negative SNR with {@code m}
     * ({@code 118bwm6}). Only the SNR's sign becomes {@code m}: a record {@code a-b} is not {@code amb}.
     */
    public static String name(String record, String noise, int snrDb) {
        return record + noise + String.format(Locale.ROOT, "%02d", snrDb).replace("-", "m");
    }

    /**
     * Writes {@code record + noise + snr} (for example {@code 118ma06}) to {@code out} and returns its name.
     */
    public static String make(Path cleanDb, String record, Path noiseDb, String noise, int snrDb, Path out) {
        WfdbRecord clean = WfdbRecord.read(cleanDb, record);
        WfdbRecord noiseRecord = WfdbRecord.read(noiseDb, noise);
        if (clean.fsHz() != noiseRecord.fsHz()) {
            throw new WfdbFormatException("record " + record + " is sampled at " + clean.fsHz() + " Hz and noise "
                    + noise + " at " + noiseRecord.fsHz() + " Hz; they must match");
        }
        SignalSpec spec = clean.header().signals().get(0);
        SignalSpec noiseSpec = noiseRecord.header().signals().get(0);
        int[] signal = clean.samples()[0];
        int[] noiseAdc = noiseRecord.samples()[0];
        List<Annotation> annotations = AnnotationFile.read(cleanDb.resolve(record + ".atr"));

        double amplitude = medianQrsPeakToPeak(signal, annotations, clean.fsHz());
        double signalPower = amplitude * amplitude / 8;
        // Noise in the clean record's ADC units.
        double[] scaledNoise = new double[noiseAdc.length];
        double mean = Arrays.stream(noiseAdc).average().orElse(0);
        double variance = 0;
        for (int i = 0; i < noiseAdc.length; i++) {
            scaledNoise[i] = (noiseAdc[i] - mean) / noiseSpec.gain() * spec.gain();
            variance += scaledNoise[i] * scaledNoise[i];
        }
        variance /= noiseAdc.length;
        double scale = Math.sqrt(signalPower / (variance * Math.pow(10, snrDb / 10.0)));

        int fs = (int) clean.fsHz();
        int[] mixed = signal.clone();
        for (int i = (int) (NOISE_START_S * fs); i < mixed.length; i++) {
            boolean noisy = ((i - (int) (NOISE_START_S * fs)) / (int) (SEGMENT_S * fs)) % 2 == 0;
            if (noisy) {
                long value = Math.round(signal[i] + scale * scaledNoise[i % scaledNoise.length]);
                // Format 16 holds -32767 to 32767 (-32768 marks an invalid sample). Said here, with
                // the record, noise and SNR, rather than by the writer as a sample number alone.
                if (value < Short.MIN_VALUE + 1 || value > Short.MAX_VALUE) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "record %s + noise %s at %d dB "
                            + "SNR: the noise, scaled %.1f times to that SNR, overflows the 16-bit samples "
                            + "(%d at sample %d); choose a higher SNR", record, noise, snrDb, scale, value, i));
                }
                mixed[i] = (int) value;
            }
        }
        String name = name(record, noise, snrDb);
        SignalSpec outSpec = new SignalSpec(name + ".dat", 16, spec.gain(), spec.baseline(), spec.units(), 16, 0,
                mixed[0], null, spec.description());
        WfdbWriter.write(out, name, clean.fsHz(), List.of(outSpec), new int[][] {mixed}, List.of(
                "Noise stress test record: " + record + " (signal 0) + " + noise + " noise (signal 0) at " + snrDb
                        + " dB SNR, in alternating 2-minute segments from 5 minutes on",
                String.format(Locale.ROOT, "QRS peak-to-peak %.1f adu, noise scale %.4f", amplitude, scale)));
        try {
            Files.copy(cleanDb.resolve(record + ".atr"), out.resolve(name + ".atr"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the annotations of " + record + ": " + IoReasons.of(e, null), e);
        }
        return name;
    }

    static double medianQrsPeakToPeak(int[] signal, List<Annotation> annotations, double fsHz) {
        int half = (int) Math.round(QRS_HALF_WIDTH_S * fsHz);
        List<Integer> amplitudes = new ArrayList<>();
        for (Annotation a : annotations) {
            if (!a.code().isBeat() || a.sample() < half || a.sample() + half >= signal.length) {
                continue;
            }
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int i = (int) a.sample() - half; i <= a.sample() + half; i++) {
                min = Math.min(min, signal[i]);
                max = Math.max(max, signal[i]);
            }
            amplitudes.add(max - min);
        }
        if (amplitudes.isEmpty()) {
            throw new WfdbFormatException("no reference beats to measure the QRS amplitude on");
        }
        amplitudes.sort(null);
        return amplitudes.get(amplitudes.size() / 2);
    }
}
