package org.arrhythmiamonitor.wfdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.arrhythmiamonitor.config.IoReasons;

/**
 * Writes a WFDB record: a header with per-signal checksums and initial values, and one signal
 * file in format 16 (little-endian 16-bit samples, signals interleaved), which PhysioNet's tools
 * read as they read their own records.
 */
public final class WfdbWriter {
    private WfdbWriter() {
    }

    /**
     * @param directory where {@code name.hea} and {@code name.dat} go
     * @param name record name
     * @param fsHz sampling rate
     * @param signals gain, baseline, units and lead of each signal (file name, format and checksum are set here)
     * @param samples {@code samples[signal][i]} in ADC units, each within 16 bits
     * @param comments header comment lines, without {@code #}
     */
    public static void write(Path directory, String name, double fsHz, List<SignalSpec> signals, int[][] samples,
            List<String> comments) {
        if (signals.size() != samples.length || samples.length == 0) {
            throw new IllegalArgumentException("need one signal spec per signal, got " + signals.size() + " for "
                    + samples.length);
        }
        int length = samples[0].length;
        ByteBuffer data = ByteBuffer.allocate(length * samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            for (int[] signal : samples) {
                int v = signal[i];
                if (v < Short.MIN_VALUE + 1 || v > Short.MAX_VALUE) {
                    throw new IllegalArgumentException("sample " + v + " at " + i + " does not fit format 16");
                }
                data.putShort((short) v);
            }
        }
        String dat = name + ".dat";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s %d %s %d", name, samples.length, number(fsHz), length));
        for (int s = 0; s < samples.length; s++) {
            SignalSpec spec = signals.get(s);
            int checksum = 0;
            for (int v : samples[s]) {
                checksum += v;
            }
            lines.add(String.format(Locale.ROOT, "%s 16 %s(%d)/%s 16 0 %d %d 0 %s", dat, number(spec.gain()),
                    spec.baseline(), spec.units() == null ? "mV" : spec.units(), length > 0 ? samples[s][0] : 0,
                    (short) checksum, spec.description()));
        }
        comments.forEach(c -> lines.add("# " + c));
        try {
            Files.createDirectories(directory);
            Files.write(directory.resolve(dat), data.array());
            Files.write(directory.resolve(name + ".hea"), lines, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write record " + name + " to " + directory + ": "
                    + IoReasons.of(e, directory), e);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
