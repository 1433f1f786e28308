package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticRecords;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code monitor eval} as a user runs it: a table on the console, a JSON report, annotation files. */
class EvalCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void writesTheReportAndAnnotationsAndNamesTheRecordsItCouldNotRead() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        SyntheticRecords.write(db, "r2", 500, 9, new Segment(400, 80));
        Path report = dir.resolve("reports/eval.json");
        Path annotations = dir.resolve("ann");

        Outcome ok = run("eval", "--db", db.toString(), "--records", "r1,r2", "--lead", "MLII", "--report",
                report.toString(), "--annotations", annotations.toString());

        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("r1", "r2", "gross", "100.00");
        JsonObject json = new JsonObject(Files.readString(report));
        assertThat(json.getJsonObject("qrs").getDouble("se")).isEqualTo(100.0);
        assertThat(json.getJsonArray("records")).hasSize(2);
        assertThat(annotations.resolve("r1.ecgmon")).isRegularFile();
        assertThat(AnnotationFile.read(annotations.resolve("r2.ecgmon"))).hasSizeGreaterThan(300);

        Outcome partly = run("eval", "--db", db.toString(), "--records", "r1,missing", "--report", report.toString());
        assertThat(partly.exitCode()).isEqualTo(1);
        assertThat(partly.out()).contains("missing", "error");
        assertThat(partly.err()).contains("1 record(s) could not be evaluated: [missing]");
        assertThat(new JsonObject(Files.readString(report)).getLong("records_failed")).isEqualTo(1);
    }

    @Test
    void aRecordWithoutSignalsIsReportedAndTheOthersAreEvaluated() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "good", 360, 9, new Segment(400, 60));
        SyntheticRecords.write(db, "signalless", 360, 9, new Segment(400, 60));
        Files.writeString(db.resolve("signalless.hea"), "signalless 0 360 216382\n");
        Path report = dir.resolve("eval.json");

        Outcome outcome = run("eval", "--db", db.toString(), "--report", report.toString());

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.out()).contains("declares 0 signals").contains("good");
        assertThat(outcome.err()).contains("1 record(s) could not be evaluated: [signalless]")
                .doesNotContain("Exception");
        JsonObject json = new JsonObject(Files.readString(report));
        assertThat(json.getLong("records_failed")).isEqualTo(1);
        assertThat(json.getJsonObject("qrs").getDouble("se")).isEqualTo(100.0);
    }

    @Test
    void heldOutScoresEachRecordWithTheModelOfTheFoldThatLeftItOut() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        SyntheticRecords.write(db, "r2", 360, 11, new Segment(400, 70));
        Path cv = dir.resolve("cv");
        String first = foldModel(cv.resolve("fold1"), 0);
        String second = foldModel(cv.resolve("fold2"), 1);
        Path folds = Files.writeString(cv.resolve("folds.json"), "{\"folds\": [{\"records\": [\"r2\"], "
                + "\"model_dir\": \"fold2\"}, {\"records\": [\"r1\"], \"model_dir\": \"fold1\"}]}");
        Path report = dir.resolve("held-out.json");

        Outcome outcome = run("eval", "--db", db.toString(), "--held-out", folds.toString(), "--report",
                report.toString());

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        JsonObject json = new JsonObject(Files.readString(report));
        assertThat(json.getJsonObject("beats").getString("model")).startsWith("held out").contains("2 folds");
        assertThat(json.getJsonArray("records").stream().map(JsonObject.class::cast)
                .map(r -> r.getString("record") + " " + r.getJsonObject("beats").getString("model_sha256")))
                .containsExactly("r2 " + second, "r1 " + first);
        assertThat(json.getJsonObject("beats").getJsonObject("N").getDouble("se")).isEqualTo(100.0);
    }

    @Test
    void badHeldOutFoldsAreExplained() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path cv = dir.resolve("cv");
        foldModel(cv.resolve("fold1"), 0);
        String report = dir.resolve("x.json").toString();
        Path folds = cv.resolve("folds.json");

        Outcome absent = heldOut(db, folds, report);
        assertThat(absent.exitCode()).isEqualTo(1);
        assertThat(absent.err()).contains("held-out folds file " + folds + " cannot be read")
                .doesNotContain("Exception");
        Files.writeString(folds, "[1, 2]");
        assertThat(heldOut(db, folds, report).err()).contains("is not a JSON object");
        Files.writeString(folds, "{\"folds\": []}");
        assertThat(heldOut(db, folds, report).err()).contains("needs \"folds\", a non-empty list");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\"]}]}");
        assertThat(heldOut(db, folds, report).err()).contains("fold 1 needs \"records\"", "\"model_dir\"");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\"], \"model_dir\": \"fold1\"}, "
                + "{\"records\": [\"r1\"], \"model_dir\": \"fold1\"}]}");
        assertThat(heldOut(db, folds, report).err()).contains("record r1 is in folds 1 and 2");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\"], \"model_dir\": \"fold9\"}]}");
        assertThat(heldOut(db, folds, report).err()).contains("fold 1: model_dir", "fold9 is not a directory");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\"], \"model_dir\": \"fold1\"}]}");
        for (Outcome refused : new Outcome[] {heldOut(db, folds, report, "--no-classify"),
            heldOut(db, folds, report, "--model-dir", cv.resolve("fold1").toString()),
            heldOut(db, folds, report, "--records", "r1,r7")}) {
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
            assertThat(refused.err()).doesNotContain("Exception");
        }
        assertThat(heldOut(db, folds, report, "--model-dir", cv.toString()).err())
                .contains("--held-out names each record's model itself: leave out --model-dir");
        assertThat(heldOut(db, folds, report, "--records", "r1,r7").err())
                .contains("record r7 is in no fold of " + folds);
        assertThat(heldOut(db, folds, report, "--records", "r1").exitCode()).isZero();
    }

    private static Outcome heldOut(Path db, Path folds, String report, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("eval", "--db", db.toString(),
                "--held-out", folds.toString(), "--report", report));
        args.addAll(java.util.List.of(more));
        return run(args.toArray(String[]::new));
    }

    /**
     * A copy of the packaged model in {@code to}, made a distinct file by an unknown protobuf field
     * that ONNX Runtime skips ({@code marker} in field 1000), with its card; returns its sha256.
     */
    private static String foldModel(Path to, int marker) throws Exception {
        Path models = Path.of("..", "model-store", "models");
        JsonObject card = new JsonObject(Files.readString(models.resolve("beat-classifier-1.1.0.json")));
        byte[] onnx = Files.readAllBytes(models.resolve(card.getString("file")));
        byte[] marked = java.util.Arrays.copyOf(onnx, onnx.length + 3);
        marked[onnx.length] = (byte) 0xC0;
        marked[onnx.length + 1] = 0x3E;
        marked[onnx.length + 2] = (byte) marker;
        String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(marked));
        Files.createDirectories(to);
        Files.write(to.resolve(card.getString("file")), marked);
        Files.writeString(to.resolve("beat-classifier-1.1.0.json"), card.put("sha256", sha).encodePrettily());
        Files.writeString(to.resolve("index.txt"), "beat-classifier-1.1.0.json\n");
        return sha;
    }

    @Test
    void badOptionsAreExplained() {
        Outcome noDb = run("eval", "--db", dir.resolve("nowhere").toString(), "--report", "x.json");
        assertThat(noDb.exitCode()).isEqualTo(1);
        assertThat(noDb.err()).contains("does not exist").doesNotContain("Exception");

        Outcome badMains = run("eval", "--db", dir.toString(), "--report", "x.json", "--mains", "55");
        assertThat(badMains.exitCode()).isEqualTo(1);
        assertThat(badMains.err()).contains("50, 60 or off");

        Outcome missingReport = run("eval", "--db", dir.toString());
        assertThat(missingReport.exitCode()).isEqualTo(2);
        assertThat(missingReport.err()).contains("--report");
    }
}
