package org.arrhythmiamonitor.dataset;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes arrays in NumPy's {@code .npy} format (version 1.0, little-endian, C order), which
 * {@code numpy.load} reads without any other library.
 */
final class NpyWriter {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyWriter() {
    }

    static void floats(Path file, float[] values, int... shape) throws IOException {
        try (DataOutputStream out = open(file, "<f4", values.length, shape)) {
            for (float v : values) {
                out.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(v)));
            }
        }
    }

    static void longs(Path file, long[] values) throws IOException {
        try (DataOutputStream out = open(file, "<i8", values.length, values.length)) {
            for (long v : values) {
                out.writeLong(Long.reverseBytes(v));
            }
        }
    }

    static void ints(Path file, int[] values) throws IOException {
        try (DataOutputStream out = open(file, "<i4", values.length, values.length)) {
            for (int v : values) {
                out.writeInt(Integer.reverseBytes(v));
            }
        }
    }

    private static DataOutputStream open(Path file, String dtype, int count, int... shape) throws IOException {
        if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape));
        }
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims
                + (shape.length == 1 ? "," : "") + "), }";
        // Magic, version and length take 10 bytes; the header ends with a newline, all padded to 64.
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        DataOutputStream out = new DataOutputStream(stream);
        out.write(MAGIC);
        out.writeShort(Short.reverseBytes((short) header.length()));
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        return out;
    }
}
