package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.MitBih;
import org.arrhythmiamonitor.testing.SyntheticRecords;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {
    @TempDir
    Path db;

    @Test
    void scoresSyntheticRecordsAtAnyRateAndExplainsTheOddOnes() throws Exception {
        writeSynthetic("s128", 128, 1);
        writeSynthetic("s360", 360, 2);
        writeSynthetic("s1000", 1000, 3);
        writeSynthetic("nodat", 360, 4);
        Files.delete(db.resolve("nodat.dat"));
        writeSynthetic("noatr", 250, 5);
        Files.delete(db.resolve("noatr.atr"));
        writeSynthetic("corrupt", 360, 6);
        byte[] bytes = Files.readAllBytes(db.resolve("corrupt.dat"));
        bytes[1000] ^= 0x55;
        Files.write(db.resolve("corrupt.dat"), bytes);
        Files.writeString(db.resolve("junk.hea"), "this is not a header\n");
        Path annotations = db.resolve("out");

        StringWriter printed = new StringWriter();
        Evaluation.Outcome outcome;
        try (ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT,
                InferenceSettings.defaults())) {
            outcome = Evaluation.run(new Evaluation.Options(db, List.of(), null, "atr", MainsFrequency.HZ_50,
                    annotations, RecordClassifiers.one(new RecordBeatClassifier(models))), new PrintWriter(printed));
        }

        JsonObject report = outcome.report();
        assertThat(report.getJsonObject("qrs").getDouble("se")).isEqualTo(100.0);
        assertThat(report.getJsonObject("qrs").getDouble("ppv")).isEqualTo(100.0);
        assertThat(report.getJsonObject("qrs").getLong("tp")).isGreaterThan(3 * 300);
        assertThat(report.getLong("records_failed")).isEqualTo(4);
        assertThat(report.getDouble("samples_per_second")).isPositive();
        assertThat(report.getDouble("seconds")).isPositive();
        List<String> errors = new ArrayList<>();
        report.getJsonArray("records").forEach(r -> {
            JsonObject record = (JsonObject) r;
            if (record.containsKey("error")) {
                errors.add(record.getString("record") + ": " + record.getString("error"));
            } else {
                assertThat(record.getJsonObject("qrs").fieldNames()).contains("tp", "fn", "fp", "se", "ppv");
            }
        });
        assertThat(errors).hasSize(4).anySatisfy(e -> assertThat(e).startsWith("nodat: ").contains("does not exist"))
                .anySatisfy(e -> assertThat(e).startsWith("noatr: ").contains("annotations"))
                .anySatisfy(e -> assertThat(e).startsWith("corrupt: ").contains("checksum"))
                .anySatisfy(e -> assertThat(e).startsWith("junk: "));
        assertThat(printed.toString()).contains("s128", "s360", "s1000", "gross", "error");

        // The annotation files read back, one beat per detection, coded by its class.
        List<Annotation> written = AnnotationFile.read(annotations.resolve("s360." + Evaluation.ANNOTATOR));
        assertThat(written).hasSizeGreaterThan(400).allSatisfy(a -> assertThat(a.code().aamiClass()).isNotNull());
        JsonObject beats = report.getJsonObject("beats");
        assertThat(beats.getString("model")).startsWith(BeatFeatures.MODEL_NAME + ":");
        JsonArray matrix = beats.getJsonObject("confusion").getJsonArray("matrix");
        assertThat(matrix).hasSize(5);
        long normal = 0;
        for (int k = 0; k < 5; k++) {
            normal += matrix.getJsonArray(0).getLong(k);
        }
        // Every synthetic reference beat is normal: the N row holds every matched beat.
        assertThat(normal).isEqualTo(report.getJsonObject("qrs").getLong("tp"));
        assertThat(beats.getJsonObject("N").getDouble("se")).isEqualTo(
                Math.round(10_000.0 * matrix.getJsonArray(0).getLong(0) / normal) / 100.0);
        assertThat(beats.getJsonObject("V").getDouble("se")).isNull();
        // Beats the detector missed and detections without a beat are the QRS score's, by class.
        JsonObject confusion = beats.getJsonObject("confusion");
        assertThat(confusion.getJsonArray("reference_not_detected").getLong(0))
                .isEqualTo(report.getJsonObject("qrs").getLong("fn"));
        assertThat(confusion.getJsonArray("detected_without_reference").stream().mapToLong(v -> (Long) v).sum())
                .isEqualTo(report.getJsonObject("qrs").getLong("fp"));
        assertThat(beats.getJsonObject("ec57").getJsonObject("veb").getDouble("se")).isNull();
        // The model alone against what is reported: the template match turns V and F calls N or S,
        // the reporting rules move beats between N and S; in total no beat is lost, V and F can
        // only shrink and Q stays Q. How many move depends on the model's calls (TemplateMatchTest
        // and ReportedClassTest cover the rules; the MIT-BIH test below checks that they act).
        JsonArray model = report.getJsonObject("beats_model_only").getJsonObject("confusion").getJsonArray("matrix")
                .getJsonArray(0);
        JsonArray reported = matrix.getJsonArray(0);
        long modelTotal = 0;
        long reportedTotal = 0;
        for (int k = 0; k < 5; k++) {
            modelTotal += model.getLong(k);
            reportedTotal += reported.getLong(k);
        }
        assertThat(reportedTotal).isEqualTo(modelTotal);
        assertThat(reported.getLong(2)).isLessThanOrEqualTo(model.getLong(2));
        assertThat(reported.getLong(3)).isLessThanOrEqualTo(model.getLong(3));
        assertThat(reported.getLong(4)).isEqualTo(model.getLong(4));

        // Sinus rhythm only: no AF or runs in the reference, and none found.
        JsonObject episodes = report.getJsonObject("episodes");
        assertThat(episodes.getJsonObject("af").getLong("reference_episodes")).isZero();
        assertThat(episodes.getJsonObject("af").getLong("detected_episodes")).isZero();
        assertThat(episodes.getJsonObject("af_without_paced")).as("no paced record")
                .isEqualTo(episodes.getJsonObject("af"));
        assertThat(episodes.getJsonObject("vrun").getLong("reference")).isZero();
        assertThat(episodes.getJsonObject("vrun").getDouble("se")).isNull();
        assertThat(episodes.getJsonObject("vrun").getJsonObject("couplet").fieldNames()).contains("se", "ppv");
        assertThat(episodes.getJsonObject("counts").fieldNames()).doesNotContain("ATRIAL_FIBRILLATION", "COUPLET");
        assertThat(printed.toString()).contains("AF: episode Se", "Ventricular runs: Se");
    }

    @Test
    void meetsTheQrsAndAfTargetsOnMitBihWithoutFalseAsystole() {
        Path mitdb = MitBih.directory();
        Evaluation.Outcome outcome;
        try (ModelRegistry models = new ModelRegistry(BeatFeatures.MODEL_NAME, BeatFeatures.CONTRACT,
                InferenceSettings.defaults())) {
            outcome = Evaluation.run(new Evaluation.Options(mitdb, List.of(), null, "atr", MainsFrequency.HZ_50,
                    null, RecordClassifiers.one(new RecordBeatClassifier(models))), new PrintWriter(System.out));
        }

        JsonObject qrs = outcome.report().getJsonObject("qrs");
        assertThat(outcome.anyFailed()).isFalse();
        // On DS1 the template match and the reporting rules move hundreds of beats: what is
        // reported is not the model's classes.
        assertThat(outcome.report().getJsonObject("beats").getJsonObject("confusion").getJsonArray("matrix"))
                .isNotEqualTo(outcome.report().getJsonObject("beats_model_only").getJsonObject("confusion")
                        .getJsonArray("matrix"));
        assertThat(qrs.getDouble("se")).isGreaterThanOrEqualTo(99.85);
        assertThat(qrs.getDouble("ppv")).isGreaterThanOrEqualTo(99.85);
        // The AF the issue names, in 201 and 203; 217's are seconds long, between paced beats.
        JsonObject af = outcome.report().getJsonObject("episodes").getJsonObject("af_without_paced");
        assertThat(af.getDouble("duration_se")).isGreaterThanOrEqualTo(95);
        assertThat(af.getDouble("duration_ppv")).isGreaterThanOrEqualTo(95);
        // No reference record holds 4 s without ventricular activity: an asystole is a false high-priority alarm.
        assertThat(outcome.report().getJsonObject("episodes").getJsonObject("counts").fieldNames())
                .doesNotContain("ASYSTOLE");
    }

    @Test
    void meetsTheNoiseStressTargetsAt12Db(@TempDir Path nst) {
        Path mitdb = MitBih.directory();
        Path noise = MitBih.noiseDirectory();
        List<String> records = new ArrayList<>();
        for (String record : List.of("118", "119")) {
            for (String n : List.of("bw", "ma")) {
                records.add(NoiseStressRecords.make(mitdb, record, noise, n, 12, nst));
            }
        }
        Evaluation.Outcome outcome = Evaluation.run(new Evaluation.Options(nst, records, null, "atr",
                MainsFrequency.HZ_50, null, null), new PrintWriter(System.out));

        JsonObject readable = outcome.report().getJsonObject("qrs_readable");
        assertThat(readable.getDouble("se")).isGreaterThanOrEqualTo(99.5);
        assertThat(readable.getDouble("ppv")).isGreaterThanOrEqualTo(99.0);
        assertThat(outcome.report().getDouble("unreadable_fraction")).isLessThan(0.05);
    }

    private void writeSynthetic(String name, int fs, long seed) {
        SyntheticRecords.write(db, name, fs, seed, new Segment(200, 70), new Segment(200, 130), new Segment(100, 55));
    }
}
