package org.arrhythmiamonitor.wfdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.config.IoReasons;

/**
 * A WFDB record's samples, read in full and checked against the header's checksums.
 *
 * @param header the record's header
 * @param samples {@code samples[signal][i]} in ADC units
 */
public record WfdbRecord(WfdbHeader header, int[][] samples) {

    /** Reads {@code record} (header {@code record.hea} and its signal files) from {@code directory}. */
    public static WfdbRecord read(Path directory, String record) {
        WfdbHeader header = WfdbHeader.read(directory.resolve(record + ".hea"));
        int numSignals = header.signals().size();
        int[][] samples = new int[numSignals][];
        Map<String, List<Integer>> signalsByFile = new LinkedHashMap<>();
        for (int i = 0; i < numSignals; i++) {
            signalsByFile.computeIfAbsent(header.signals().get(i).fileName(), f -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> file : signalsByFile.entrySet()) {
            readFile(directory.resolve(file.getKey()), header, file.getValue(), samples);
        }
        for (int i = 0; i < numSignals; i++) {
            verifyChecksum(header, i, samples[i]);
        }
        return new WfdbRecord(header, samples);
    }

    private static void readFile(Path file, WfdbHeader header, List<Integer> signals, int[][] samples) {
        int format = header.signals().get(signals.get(0)).format();
        for (int signal : signals) {
            if (header.signals().get(signal).format() != format) {
                throw new WfdbFormatException(file + ": signals in one file must share a format");
            }
        }
        byte[] bytes;
        try {
            WfdbFiles.requireMemoryFor(file, WfdbFiles.requireReadable(file, "signal file",
                    WfdbFiles.MAX_SIGNAL_BYTES));
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WfdbFormatException("signal file " + file + " of record " + header.recordName()
                    + " does not exist");
        } catch (IOException e) {
            throw new WfdbFormatException("cannot read signal file " + file + ": " + IoReasons.of(e, file), e);
        }
        int width = signals.size();
        long available = switch (format) {
            case 16 -> bytes.length / 2L;
            case 212 -> bytes.length * 2L / 3;
            default -> throw new WfdbFormatException(file + ": signal format " + format
                    + " is not supported (16 and 212 are)");
        };
        long frames = header.numSamples() > 0 ? header.numSamples() : available / width;
        if (available < frames * width) {
            throw new WfdbFormatException(file + " is truncated: the header announces " + frames + " samples of "
                    + width + " signal(s), the file holds " + available / width);
        }
        if (frames > Integer.MAX_VALUE) {
            throw new WfdbFormatException(file + ": " + frames + " samples per signal is too many to read at once");
        }
        int n = (int) frames;
        for (int signal : signals) {
            samples[signal] = new int[n];
        }
        int total = n * width;
        for (int k = 0; k < total; k++) {
            int value = format == 16 ? format16(bytes, k) : format212(bytes, k);
            samples[signals.get(k % width)][k / width] = value;
        }
    }

    private static int format16(byte[] bytes, int k) {
        return (short) ((bytes[2 * k] & 0xff) | (bytes[2 * k + 1] << 8));
    }

    /** Two 12-bit two's-complement samples in three bytes; the second one's high nibble is byte 1's high nibble. */
    private static int format212(byte[] bytes, int k) {
        int base = (k / 2) * 3;
        int value = (k % 2 == 0)
                ? (bytes[base] & 0xff) | ((bytes[base + 1] & 0x0f) << 8)
                : (bytes[base + 2] & 0xff) | ((bytes[base + 1] & 0xf0) << 4);
        return value >= 0x800 ? value - 0x1000 : value;
    }

    private static void verifyChecksum(WfdbHeader header, int signal, int[] values) {
        Integer expected = header.signals().get(signal).checksum();
        if (expected == null) {
            return;
        }
        int sum = 0;
        for (int v : values) {
            sum += v;
        }
        if ((short) sum != expected.shortValue()) {
            throw new WfdbFormatException("record " + header.recordName() + " signal " + signal + " ("
                    + header.signals().get(signal).description() + ") fails its checksum: header says " + expected
                    + ", samples sum to " + (short) sum
                    + "; the signal file is corrupt or does not belong to this header");
        }
    }

    public double fsHz() {
        return header.fsHz();
    }
}
