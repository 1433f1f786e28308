package org.arrhythmiamonitor.wfdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.arrhythmiamonitor.testing.MitBih;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WfdbRecordTest {
    @TempDir
    Path dir;

    @Test
    void parsesHeaderFieldsAndDefaults() {
        WfdbHeader header = WfdbHeader.parse("t.hea", List.of(
                "# leading comment",
                "rec 2 360 650000",
                "rec.dat 212 200 11 1024 955 29832 0 MLII",
                "rec.dat 212 400(12)/uV 11 1024 992 19589 0 V1",
                "# 75 F"));
        assertThat(header.recordName()).isEqualTo("rec");
        assertThat(header.fsHz()).isEqualTo(360.0);
        assertThat(header.numSamples()).isEqualTo(650_000);
        SignalSpec first = header.signals().get(0);
        assertThat(first.format()).isEqualTo(212);
        assertThat(first.baseline()).as("baseline defaults to ADC zero").isEqualTo(1024);
        assertThat(first.units()).isEqualTo("mV");
        assertThat(first.checksum()).isEqualTo(29832);
        assertThat(first.description()).isEqualTo("MLII");
        SignalSpec second = header.signals().get(1);
        assertThat(second.gain()).isEqualTo(400.0);
        assertThat(second.baseline()).isEqualTo(12);
        assertThat(second.units()).isEqualTo("uV");
        assertThat(header.signalIndex("V1")).isEqualTo(1);
        assertThat(header.comments()).containsExactly("leading comment", "75 F");
    }

    @Test
    void badHeadersAreExplained() {
        assertThatThrownBy(() -> WfdbHeader.parse("a.hea", List.of("# only comments")))
                .hasMessageContaining("a.hea").hasMessageContaining("no record line");
        assertThatThrownBy(() -> WfdbHeader.parse("b.hea", List.of("b 2 360 100", "b.dat 16")))
                .hasMessageContaining("2 signals but has 1");
        assertThatThrownBy(() -> WfdbHeader.parse("c.hea", List.of("c 1 abc")))
                .hasMessageContaining("sampling frequency");
    }

    @Test
    void impossibleCountsRatesAndGainsAreExplained() {
        assertThatThrownBy(() -> WfdbHeader.parse("z.hea", List.of("z 0 360 216382")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("z.hea: record line declares 0 signals");
        assertThatThrownBy(() -> WfdbHeader.parse("n.hea", List.of("n -2 360", "n.dat 16")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("declares -2 signals");
        assertThatThrownBy(() -> WfdbHeader.parse("s.hea", List.of("s 1 360 -5", "s.dat 16")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("declares -5 samples");
        for (String fs : List.of("0", "-360", "Infinity", "NaN")) {
            assertThatThrownBy(() -> WfdbHeader.parse("f.hea", List.of("f 1 " + fs, "f.dat 16")))
                    .as(fs).isInstanceOf(WfdbFormatException.class).hasMessageContaining("sampling frequency");
        }
        assertThatThrownBy(() -> WfdbHeader.parse("g.hea", List.of("g 1 360", "g.dat 16 1e")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("cannot read gain '1e'");
        assertThatThrownBy(() -> WfdbHeader.parse("b.hea", List.of("b 1 360", "b.dat 16 200(99999999999)")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("cannot read baseline");
    }

    @Test
    void readsFormat16AndFormat212AndChecksThem() throws Exception {
        int[][] values = {{0, 1, -1, 2047, -2048, 100}, {5, -5, 300, -300, 7, 8}};
        Files.write(dir.resolve("r16.dat"), format16(values));
        Files.write(dir.resolve("r212.dat"), format212(values));
        Files.writeString(dir.resolve("r16.hea"), header("r16", 16, values));
        Files.writeString(dir.resolve("r212.hea"), header("r212", 212, values));

        assertThat(WfdbRecord.read(dir, "r16").samples()).isDeepEqualTo(values);
        assertThat(WfdbRecord.read(dir, "r212").samples()).isDeepEqualTo(values);
    }

    @Test
    void truncatedCorruptAndMissingFilesFailClearly() throws Exception {
        int[][] values = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        byte[] data = format212(values);
        Files.write(dir.resolve("t.dat"), Arrays.copyOf(data, data.length - 3));
        Files.writeString(dir.resolve("t.hea"), header("t", 212, values).replace("t212", "t"));
        assertThatThrownBy(() -> WfdbRecord.read(dir, "t")).isInstanceOf(WfdbFormatException.class)
                .hasMessageContaining("truncated");

        byte[] corrupt = data.clone();
        corrupt[0] ^= 0x01;
        Files.write(dir.resolve("c.dat"), corrupt);
        Files.writeString(dir.resolve("c.hea"), header("c", 212, values));
        assertThatThrownBy(() -> WfdbRecord.read(dir, "c")).isInstanceOf(WfdbFormatException.class)
                .hasMessageContaining("checksum");

        assertThatThrownBy(() -> WfdbRecord.read(dir, "absent")).isInstanceOf(WfdbFormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aSignalFileThatIsNoRegularFileOrTooLargeIsRefusedNotReadWhole() throws Exception {
        int[][] values = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        // Read whole, a file over 2 GiB ended the run with an OutOfMemoryError, and a pipe never ended.
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(dir.resolve("big.dat").toFile(), "rw")) {
            sparse.setLength(3L << 30);
        }
        Files.writeString(dir.resolve("big.hea"), header("big", 212, values));
        assertThatThrownBy(() -> WfdbRecord.read(dir, "big")).isInstanceOf(WfdbFormatException.class)
                .hasMessage("signal file " + dir.resolve("big.dat") + " holds 3221225472 bytes, more than the "
                        + "1073741824 this reader takes; split the record into shorter ones");

        Files.createDirectory(dir.resolve("folder.dat"));
        Files.writeString(dir.resolve("folder.hea"), header("folder", 212, values));
        assertThatThrownBy(() -> WfdbRecord.read(dir, "folder")).isInstanceOf(WfdbFormatException.class)
                .hasMessage("signal file " + dir.resolve("folder.dat") + " is not a regular file (a directory, a "
                        + "device or a pipe)");
        Files.createDirectory(dir.resolve("folder.atr"));
        assertThatThrownBy(() -> AnnotationFile.read(dir.resolve("folder.atr")))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("is not a regular file");
    }

    @Test
    void readsMitBihRecord101() {
        Path mitdb = MitBih.directory();
        WfdbRecord record = WfdbRecord.read(mitdb, "101");
        assertThat(record.fsHz()).isEqualTo(360.0);
        assertThat(record.samples()).hasDimensions(2, 650_000);
        assertThat(record.header().signals().get(0).description()).isEqualTo("MLII");
        // The header's initial values: 955 and 992.
        assertThat(record.samples()[0][0]).isEqualTo(955);
        assertThat(record.samples()[1][0]).isEqualTo(992);
    }

    static String header(String name, int format, int[][] values) {
        StringBuilder h = new StringBuilder(name + " " + values.length + " 360 " + values[0].length + "\n");
        for (int s = 0; s < values.length; s++) {
            int sum = 0;
            for (int v : values[s]) {
                sum += v;
            }
            h.append(name).append(".dat ").append(format).append(" 200 12 0 ").append(values[s][0]).append(' ')
                    .append((short) sum).append(" 0 lead").append(s).append('\n');
        }
        return h.toString();
    }

    static byte[] format16(int[][] values) {
        int n = values[0].length;
        byte[] out = new byte[n * values.length * 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int[] signal : values) {
                out[k++] = (byte) signal[i];
                out[k++] = (byte) (signal[i] >> 8);
            }
        }
        return out;
    }

    static byte[] format212(int[][] values) {
        int n = values[0].length;
        int[] stream = new int[n * values.length];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int[] signal : values) {
                stream[k++] = signal[i] & 0xfff;
            }
        }
        byte[] out = new byte[(stream.length + 1) / 2 * 3];
        for (int p = 0; p < stream.length; p += 2) {
            int a = stream[p];
            int b = p + 1 < stream.length ? stream[p + 1] : 0;
            int base = p / 2 * 3;
            out[base] = (byte) a;
            out[base + 1] = (byte) (((a >> 8) & 0x0f) | ((b >> 4) & 0xf0));
            out[base + 2] = (byte) b;
        }
        return out;
    }
}
