package org.arrhythmiamonitor.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.FeatureCheck;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticRecords;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeatDatasetExportTest {
    @TempDir
    Path dir;

    @Test
    void writesNumpyArraysOfLabelledDetectedBeatsAndTheirJitteredCopies() throws IOException {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "s360", 360, 1, new Segment(60, 72));
        SyntheticRecords.write(db, "s250", 250, 2, new Segment(40, 90));
        Path out = dir.resolve("out");

        BeatDatasetExport.Summary summary = BeatDatasetExport.run(new BeatDatasetExport.Options(db,
                List.of("s360", "s250"), null, "atr", MainsFrequency.HZ_50, out, 2, 7), new PrintWriter(new StringWriter()));

        // Every synthetic beat is normal; each detected beat comes with two shifted copies.
        long detected = summary.perRecordClass()[0][0] + summary.perRecordClass()[1][0];
        assertThat(detected).isGreaterThan(60 + 50);
        assertThat(summary.rows()).isEqualTo(3 * detected);
        Npy beats = Npy.read(out.resolve("beats.npy"));
        assertThat(beats.descr).isEqualTo("<f4");
        assertThat(beats.shape).isEqualTo("(" + summary.rows() + ", 2, 160)");
        assertThat(beats.data.remaining()).isEqualTo(summary.rows() * 2 * 160 * 4);
        assertThat(Npy.read(out.resolve("rr.npy")).shape).isEqualTo("(" + summary.rows() + ", "
                + BeatFeatures.RR_FEATURES.size() + ")");
        Npy labels = Npy.read(out.resolve("labels.npy"));
        assertThat(labels.shape).isEqualTo("(" + summary.rows() + ",)");
        for (int i = 0; i < summary.rows(); i++) {
            assertThat(labels.data.getLong()).isZero();
        }
        Npy jitter = Npy.read(out.resolve("jitter.npy"));
        int copies = 0;
        for (int i = 0; i < summary.rows(); i++) {
            int shift = jitter.data.getInt();
            assertThat(Math.abs(shift)).isLessThanOrEqualTo(BeatDatasetExport.MAX_JITTER);
            copies += shift == 0 ? 0 : 1;
        }
        assertThat(copies).isEqualTo(2 * detected);
        // The previous beat's window: zeros before a record's first beat, else the beat channel of
        // the detection before (every detection matches a reference beat here), the same for its copies.
        assertThat(summary.unmatched()).isZero();
        Npy previous = Npy.read(out.resolve("previous.npy"));
        assertThat(previous.shape).isEqualTo("(" + summary.rows() + ", 160)");
        jitter.data.rewind();
        int[] shifts = new int[summary.rows()];
        for (int i = 0; i < summary.rows(); i++) {
            shifts[i] = jitter.data.getInt();
        }
        int firstOfSecondRecord = 3 * (int) summary.perRecordClass()[0][0];
        int lastDetected = -1;
        for (int i = 0; i < summary.rows(); i++) {
            int detectedRow = shifts[i] == 0 ? i : lastDetected;
            for (int k = 0; k < 160; k++) {
                float expected = detectedRow == 0 || detectedRow == firstOfSecondRecord ? 0f
                        : beats.data.getFloat(((detectedRow - 3) * 2 * 160 + k) * 4);
                assertThat(previous.data.getFloat((i * 160 + k) * 4)).as("row %d sample %d", i, k)
                        .isEqualTo(expected);
            }
            lastDetected = detectedRow;
        }
        JsonObject manifest = new JsonObject(Files.readString(out.resolve("manifest.json")));
        assertThat(manifest.getJsonObject("input")).isEqualTo(BeatFeatures.SPEC.toJson());
        assertThat(manifest.getJsonObject(FeatureCheck.CARD_FIELD)).as("what the trained model's card will keep")
                .isEqualTo(FeatureCheck.current());
        assertThat(manifest.getInteger("rows")).isEqualTo(summary.rows());
        // What the model card's command needs to name this export.
        assertThat(manifest.getJsonArray("records")).containsExactly("s360", "s250");
        assertThat(manifest.getInteger("jitter_copies")).isEqualTo(2);
        assertThat(manifest.getLong("jitter_seed")).isEqualTo(7);
        assertThat(manifest.getString("mains")).isEqualTo("50");
        assertThat(manifest.getString("annotator")).isEqualTo("atr");
    }

    @Test
    void badRecordsAndOptionsGetClearErrors() {
        assertThatThrownBy(() -> BeatDatasetExport.run(new BeatDatasetExport.Options(dir, List.of("nothing"), null,
                "atr", MainsFrequency.HZ_50, dir.resolve("out"), 2, 1), new PrintWriter(new StringWriter())))
                .isInstanceOf(WfdbFormatException.class).hasMessageContaining("record nothing is not in " + dir + " (no nothing.hea)");
        assertThatThrownBy(() -> new BeatDatasetExport.Options(dir, List.of("a"), null, "atr", MainsFrequency.HZ_50,
                dir, 9, 1)).hasMessage("dataset: jitterCopies must be 0-8, got 9");
        // Training's patient-wise folds go by record ids: two records under one id would be one patient.
        assertThatThrownBy(() -> new BeatDatasetExport.Options(dir, List.of("101", "0101"), null, "atr",
                MainsFrequency.HZ_50, dir, 2, 1)).hasMessageStartingWith("records 101 and 0101 would both be record 101");
        assertThatThrownBy(() -> new BeatDatasetExport.Options(dir, List.of("1", "r1"), null, "atr",
                MainsFrequency.HZ_50, dir, 2, 1)).hasMessageStartingWith("records 1 and r1 would both be record 1");
    }

    /** Just enough of the .npy format to check what the export wrote. */
    private record Npy(String descr, String shape, ByteBuffer data) {
        static Npy read(Path file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[6];
            b.get(magic);
            assertThat(new String(magic, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
            assertThat(b.get()).isEqualTo((byte) 1);
            b.get();
            int headerLength = Short.toUnsignedInt(b.getShort());
            byte[] header = new byte[headerLength];
            b.get(header);
            String h = new String(header, StandardCharsets.US_ASCII);
            assertThat((10 + headerLength) % 64).isZero();
            String descr = h.replaceAll(".*'descr': '([^']*)'.*\\s*", "$1").trim();
            String shape = h.replaceAll(".*'shape': (\\([^)]*\\)).*\\s*", "$1").trim();
            return new Npy(descr, shape, b.slice().order(ByteOrder.LITTLE_ENDIAN));
        }
    }
}
