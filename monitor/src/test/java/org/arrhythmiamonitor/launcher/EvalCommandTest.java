package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.arrhythmiamonitor.inference.ModelCard;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticRecords;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code monitor eval} as a user runs it: a table on the console, a JSON report, annotation files. */
class EvalCommandTest {
    private static final Path MODELS = Path.of("..", "model-store", "models");
    /** The packaged model's card, the first the index lists. */
    private static final String CARD = firstCard();
    /** The packaged model as reports and errors name it: name:version, from its card. */
    private static final String MODEL = packagedModel();

    @TempDir
    Path dir;

    private static String firstCard() {
        try {
            return Files.readAllLines(MODELS.resolve("index.txt")).get(0).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String packagedModel() {
        try {
            return ModelCard.parse(Files.readString(MODELS.resolve(CARD)), CARD).id();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

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
        String first = foldModel(cv.resolve("fold1"), 1, List.of("r1"));
        String second = foldModel(cv.resolve("fold2"), 2, List.of("r2"));
        Path folds = Files.writeString(cv.resolve("folds.json"),
                withSha(folds("r2", "fold2", "r1", "fold1"), "fold2", "\"" + second + "\""));
        Path report = dir.resolve("held-out.json");

        Outcome outcome = run("eval", "--db", db.toString(), "--held-out", folds.toString(), "--report",
                report.toString());

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        JsonObject json = new JsonObject(Files.readString(report));
        assertThat(json.getJsonObject("beats").getString("model")).startsWith("held out").contains("2 folds");
        assertThat(json.getJsonArray("records").stream().map(JsonObject.class::cast)
                .map(r -> r.getString("record") + " " + r.getString("model_sha256")))
                .containsExactly("r2 " + second, "r1 " + first);
        assertThat(json.getJsonObject("beats").getJsonObject("N").getDouble("se")).isEqualTo(100.0);
    }

    @Test
    void badHeldOutFoldsAreExplained() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path cv = dir.resolve("cv");
        foldModel(cv.resolve("fold1"), 1, List.of("r1"));
        foldModel(cv.resolve("same"), 1, List.of("r2"));
        foldModel(cv.resolve("learnt"), 3, List.of("r1"));
        JsonObject learnt = new JsonObject(Files.readString(cv.resolve("learnt/" + CARD)));
        learnt.getJsonObject("training").getJsonArray("records").add("r1");
        Files.writeString(cv.resolve("learnt/" + CARD), learnt.encode());
        foldModel(cv.resolve("untyped"), 4, List.of("r1"));
        Files.writeString(cv.resolve("untyped/" + CARD),
                new JsonObject(Files.readString(cv.resolve("untyped/" + CARD))).put("training", "x").encode());
        String report = dir.resolve("x.json").toString();
        Path folds = cv.resolve("folds.json");

        assertRefused(heldOut(db, folds, report), "held-out folds file " + folds + " does not exist");
        Files.writeString(folds, "[1, 2]");
        assertRefused(heldOut(db, folds, report), "is not a JSON object");
        Files.writeString(folds, "{\"folds\": []}");
        assertRefused(heldOut(db, folds, report), "needs \"folds\", a non-empty list");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\"]}]}");
        assertRefused(heldOut(db, folds, report), "fold 1 needs \"records\"");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"\"], \"model_dir\": \"fold1\"}]}");
        assertRefused(heldOut(db, folds, report), "record names must be non-empty strings, got \"\"");
        Files.writeString(folds, folds("r1", "fold1", "r1", "same"));
        assertRefused(heldOut(db, folds, report), "record r1 is in folds 1 and 2");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\", \"r1\"], \"model_dir\": \"fold1\"}]}");
        assertRefused(heldOut(db, folds, report), "fold 1 lists record r1 twice");
        Files.writeString(folds, folds("r1", "fold9"));
        assertRefused(heldOut(db, folds, report), "fold 1: model_dir", "fold9 is not a directory");
        Files.writeString(folds, folds("r1", "fold1", "r2", "fold1"));
        assertRefused(heldOut(db, folds, report), "fold 2: model_dir", "is fold 1's too");
        Files.writeString(folds, folds("r1", "fold1", "r2", "same"));
        assertRefused(heldOut(db, folds, report), "fold 2: its model", "is fold 1's too");
        Files.writeString(folds, folds("r1", "learnt"));
        assertRefused(heldOut(db, folds, report), "fold 1: the card of " + MODEL,
                "does not say it held out record r1", "it is not that fold's model");
        Files.writeString(folds, "{\"folds\": [{\"records\": [\"r1\", \"r2\"], \"model_dir\": \"fold1\"}]}");
        assertRefused(heldOut(db, folds, report), "does not say it held out record r2");
        Files.writeString(folds, folds("r1", "untyped"));
        assertRefused(heldOut(db, folds, report), "has no training.held_out_records (a list of record names)");
        Files.writeString(folds, withSha(folds("r1", "fold1"), "fold1", "\"" + "0".repeat(64) + "\""));
        assertRefused(heldOut(db, folds, report), "not the model " + "0".repeat(64) + " the folds file names");
        Files.writeString(folds, withSha(folds("r1", "fold1"), "fold1", "7"));
        assertRefused(heldOut(db, folds, report), "model_sha256 must be 64 lower-case hex digits, got 7");
        // Misspelt, the digest would not be checked at all.
        Files.writeString(folds, folds("r1", "fold1").replace("\"model_dir\"", "\"model_sha\": \"x\", \"model_dir\""));
        assertRefused(heldOut(db, folds, report), "fold 1: unknown key \"model_sha\"; known: [model_dir, model_sha256, records]");
        Files.writeString(folds, "{\"fold\": []}");
        assertRefused(heldOut(db, folds, report), "unknown key \"fold\"; known: [folds]");
        Files.writeString(folds, folds("r1", MODELS.toAbsolutePath().toString()));
        assertRefused(heldOut(db, folds, report), "has no training.held_out_records");
        Files.writeString(folds, folds("r1", "empty"));
        Files.createDirectories(cv.resolve("empty"));
        assertRefused(heldOut(db, folds, report), "held-out folds file " + folds + ": fold 1: ");

        Files.writeString(folds, folds("r1", "fold1"));
        assertRefused(heldOut(db, folds, report, "--records", "r1,r7"), "record r7 is in no fold of");
        for (String other : new String[] {"--no-classify", "--model-dir"}) {
            Outcome refused = other.equals("--no-classify") ? heldOut(db, folds, report, other)
                    : heldOut(db, folds, report, other, cv.toString());
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
            assertThat(refused.err()).contains("--held-out names each record's model itself: leave out " + other);
        }
        assertThat(heldOut(db, folds, report, "--records", "r1").exitCode()).isZero();
        // Only the folds of the records asked for load their models (fold 2's does not say it held
        // out r2); the file's folds, records and directories are still checked whole.
        Files.writeString(folds, folds("r1", "fold1", "r2", "learnt"));
        Outcome one = heldOut(db, folds, report, "--records", "r1");
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(new JsonObject(Files.readString(Path.of(report))).getJsonObject("beats").getString("model"))
                .contains("(1 of 2 folds,");
        assertRefused(heldOut(db, folds, report), "fold 2: the card of " + MODEL,
                "does not say it held out record r2");
        Files.writeString(folds, folds("r1", "fold1", "r1", "same"));
        assertRefused(heldOut(db, folds, report, "--records", "r1"), "record r1 is in folds 1 and 2");
        String sha = "\"" + "a".repeat(64) + "\"";
        Files.writeString(folds, withSha(withSha(folds("r1", "fold1", "r2", "same"), "fold1", sha), "same", sha));
        assertRefused(heldOut(db, folds, report, "--records", "r1"), "fold 2: model_sha256 " + "a".repeat(64)
                + " is fold 1's too");
    }

    /** A bad folds file is a bad option: status 2, decided before any record is scored. */
    private static void assertRefused(Outcome outcome, String... says) {
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).contains("--held-out: ");
        assertThat(outcome.out()).as("nothing was scored").doesNotContain("gross");
        assertThat(outcome.err()).contains(says).doesNotContain("Exception");
    }

    private static Outcome heldOut(Path db, Path folds, String report, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "--db", db.toString(), "--held-out", folds.toString(),
                "--report", report));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    /** A folds file of one-record folds: record, model directory, record, model directory, ... */
    private static String folds(String... recordAndDir) {
        List<String> folds = new ArrayList<>();
        for (int i = 0; i < recordAndDir.length; i += 2) {
            folds.add("{\"records\": [\"" + recordAndDir[i] + "\"], \"model_dir\": \"" + recordAndDir[i + 1] + "\"}");
        }
        return "{\"folds\": [" + String.join(", ", folds) + "]}";
    }

    /** {@code folds} with {@code "model_sha256": sha} (JSON) added to the fold of model directory {@code dir}. */
    private static String withSha(String folds, String dir, String sha) {
        return folds.replace("\"" + dir + "\"", "\"" + dir + "\", \"model_sha256\": " + sha);
    }

    /**
     * A fold's model in {@code to}: the packaged model, made a file of its own by an unknown protobuf
     * field that ONNX Runtime skips ({@code marker} in field 1000), with a card that says it held
     * out {@code heldOut}; returns its sha256.
     */
    private static String foldModel(Path to, int marker, List<String> heldOut) throws Exception {
        JsonObject card = new JsonObject(Files.readString(MODELS.resolve(CARD)));
        byte[] onnx = Files.readAllBytes(MODELS.resolve(card.getString("file")));
        byte[] marked = Arrays.copyOf(onnx, onnx.length + 3);
        marked[onnx.length] = (byte) 0xC0;
        marked[onnx.length + 1] = 0x3E;
        marked[onnx.length + 2] = (byte) marker;
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(marked));
        Files.createDirectories(to);
        Files.write(to.resolve(card.getString("file")), marked);
        card.put("sha256", sha).getJsonObject("training").put("held_out_records", new JsonArray(heldOut));
        Files.writeString(to.resolve(CARD), card.encodePrettily());
        Files.writeString(to.resolve("index.txt"), CARD + "\n");
        return sha;
    }

    @Test
    void badOptionsAreExplained() {
        // 2, not 1, which says some records could not be evaluated.
        Outcome noDb = run("eval", "--db", dir.resolve("nowhere").toString(), "--report", "x.json");
        assertThat(noDb.exitCode()).isEqualTo(2);
        assertThat(noDb.err()).contains("does not exist").doesNotContain("Exception");

        // Not the current directory by accident.
        Outcome emptyDb = run("eval", "--db", "", "--report", "x.json");
        assertThat(emptyDb.exitCode()).isEqualTo(2);
        assertThat(emptyDb.err()).contains("--db must name a directory, got an empty path");
        Outcome emptyHeldOut = run("eval", "--db", dir.toString(), "--report", "x.json", "--held-out", "");
        assertThat(emptyHeldOut.exitCode()).isEqualTo(2);
        assertThat(emptyHeldOut.err()).contains("--held-out must name a folds file, got an empty path");
        Outcome badMains = run("eval", "--db", dir.toString(), "--report", "x.json", "--mains", "55");
        assertThat(badMains.exitCode()).isEqualTo(2);
        assertThat(badMains.err()).contains("50, 60 or off");

        Outcome missingReport = run("eval", "--db", dir.toString());
        assertThat(missingReport.exitCode()).isEqualTo(2);
        assertThat(missingReport.err()).contains("--report");

        // Each would have scored something else than asked: a record twice, or every record.
        Outcome twice = run("eval", "--db", dir.toString(), "--report", "x.json", "--records", "100,100");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("--records: 100 is listed twice");
        Outcome trailing = run("eval", "--db", dir.toString(), "--report", "x.json", "--records", "100,");
        assertThat(trailing.exitCode()).as("a name left out, read as 100 alone before").isEqualTo(2);
        assertThat(trailing.err())
                .contains("--records: '100,' leaves a record out (a comma with no name before or after it)");
        Outcome none = run("eval", "--db", dir.toString(), "--report", "x.json", "--records", ",,");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--records names no record");
        Outcome path = run("dataset", "--db", dir.toString(), "--out", "x", "--records", "./100");
        assertThat(path.exitCode()).as("a path would pass the DS2 check with a DS2 record").isEqualTo(2);
        assertThat(path.err()).contains("'./100' is not a record name");
        Outcome emptyOut = run("dataset", "--db", dir.toString(), "--out", "", "--records", "101");
        assertThat(emptyOut.exitCode()).as("not the current directory").isEqualTo(2);
        assertThat(emptyOut.err()).contains("--out must name a directory, got an empty path");
    }

    @Test
    void aRunNeverWritesOverTheRecordsItScoresNorIgnoresAFlag() throws Exception {
        Path db = dir.resolve("db-kept");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        String header = Files.readString(db.resolve("r1.hea"));
        Outcome overHeader = run("eval", "--db", db.toString(), "--report", db.resolve("r1.hea").toString());
        assertThat(overHeader.exitCode()).isEqualTo(2);
        assertThat(overHeader.err()).contains("would replace a file of the records in --db");
        assertThat(Files.readString(db.resolve("r1.hea"))).isEqualTo(header);
        Path link = Files.createSymbolicLink(dir.resolve("report-link.json"), db.resolve("r1.hea"));
        Outcome throughLink = run("eval", "--db", db.toString(), "--report", link.toString());
        assertThat(throughLink.exitCode()).as("written through, the link replaced the header").isEqualTo(2);
        assertThat(throughLink.err()).contains("would replace a file of the records in --db")
                .contains("(" + db.resolve("r1.hea") + ", through the link)");
        assertThat(Files.readString(db.resolve("r1.hea"))).isEqualTo(header);
        // Relative and dangling: writing through it makes a header in the database.
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.json"), Path.of("db-kept", "r9.hea"));
        assertThat(run("eval", "--db", db.toString(), "--report", dangling.toString()).exitCode()).isEqualTo(2);
        assertThat(db.resolve("r9.hea")).doesNotExist();
        // A database of links to files kept elsewhere: the report named as one of them replaced the file behind it.
        Path linked = Files.createDirectory(dir.resolve("db-linked"));
        for (String file : new String[] {"r1.hea", "r1.dat", "r1.atr"}) {
            Files.createSymbolicLink(linked.resolve(file), db.resolve(file));
        }
        assertThat(run("eval", "--db", linked.toString(), "--report", linked.resolve("r1.hea").toString()).exitCode())
                .isEqualTo(2);
        assertThat(Files.readString(db.resolve("r1.hea"))).isEqualTo(header);
        Outcome overReference = run("eval", "--db", db.toString(), "--report", dir.resolve("x.json").toString(),
                "--annotations", db.toString(), "--reference", "ecgmon");
        assertThat(overReference.exitCode()).isEqualTo(2);
        assertThat(overReference.err()).contains("would replace the reference annotations");
        Outcome ignored = run("eval", "--db", db.toString(), "--report", dir.resolve("x.json").toString(),
                "--no-classify", "--model-dir", dir.toString());
        assertThat(ignored.exitCode()).isEqualTo(2);
        assertThat(ignored.err()).contains("which --no-classify does not use");
    }

    @Test
    void referenceBeatsPastTheSignalFailTheRecordNotDroppedUnscored() throws Exception {
        Path db = dir.resolve("db-short");
        SyntheticRecords.write(db, "long", 360, 9, new Segment(400, 80));
        SyntheticRecords.write(db, "short", 360, 9, new Segment(100, 80));
        // The longer record's annotations with the shorter one: its beats after 100 s were left out unscored.
        Files.copy(db.resolve("long.atr"), db.resolve("short.atr"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Outcome outcome = run("eval", "--db", db.toString(), "--records", "long,short", "--no-classify", "--report",
                dir.resolve("short.json").toString());
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(1);
        assertThat(outcome.err() + outcome.out()).contains("past the signal's last, 35999")
                .contains("not this record's, or its signal is cut short");
    }

    @Test
    void aDatasetExportSaysWhenItReplacesAnEarlierOne() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path out = dir.resolve("export");
        Outcome first = run("dataset", "--db", db.toString(), "--records", "r1", "--out", out.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).doesNotContain("replacing");
        Outcome second = run("dataset", "--db", db.toString(), "--records", "r1", "--out", out.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("monitor dataset: replacing the export already in " + out);
    }

    @Test
    void aDatasetRecordsLackIsRefusedBeforeAnyRecordIsExported() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path out = dir.resolve("export");
        Outcome missing = run("dataset", "--db", db.toString(), "--records", "r1,r2", "--out", out.toString());
        assertThat(missing.exitCode()).as("found after r1 was exported, it exited 1").isEqualTo(2);
        assertThat(missing.err()).startsWith("--records: r2 is not in --db " + db + " (no r2.hea)");
        assertThat(missing.err()).doesNotContain("r1 (");
        Outcome lead = run("dataset", "--db", db.toString(), "--records", "r1", "--lead", "V9",
                "--out", out.toString());
        assertThat(lead.exitCode()).isEqualTo(2);
        assertThat(lead.err()).startsWith("--lead V9: record r1 has no such lead (it has [");
        Outcome reference = run("dataset", "--db", db.toString(), "--records", "r1", "--reference", "xyz",
                "--out", out.toString());
        assertThat(reference.exitCode()).isEqualTo(2);
        assertThat(reference.err()).startsWith("--reference xyz: record r1 has no annotations of that annotator");
        assertThat(out).doesNotExist();
    }

    @Test
    void whereTheReportAndAnnotationsGoIsCheckedBeforeTheRun() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path file = Files.writeString(dir.resolve("file"), "x");
        String report = dir.resolve("eval.json").toString();

        assertBadOption(run("eval", "--db", db.toString(), "--report", dir.toString()),
                "--report: " + dir + " is a directory; name the file to write");
        assertBadOption(run("eval", "--db", db.toString(), "--report", file.resolve("eval.json").toString()),
                "--report: cannot create " + file.toAbsolutePath() + ": " + file.toAbsolutePath()
                        + " is a file, not a directory");
        assertBadOption(run("eval", "--db", db.toString(), "--report", ""), "--report must name a file");
        assertBadOption(run("eval", "--db", db.toString(), "--report", report, "--annotations", file.toString()),
                "--annotations: " + file + " is a file, not a directory");
        assertBadOption(run("eval", "--db", db.toString(), "--report", report, "--annotations",
                file.resolve("ann").toString()), "is a file, not a directory");
        assertBadOption(run("eval", "--db", Files.createDirectories(dir.resolve("empty")).toString(), "--report",
                report), "--db: " + dir.resolve("empty") + " holds no WFDB records (*.hea)");
        assertThat(Path.of(report)).doesNotExist();
    }

    @Test
    void aModelDirectoryThatCannotServeIsABadOption() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path models = dir.resolve("models");
        foldModel(models, 1, List.of("r1"));
        Path card = models.resolve(CARD);
        Files.writeString(card, new JsonObject(Files.readString(card)).put("sha256", "0".repeat(64)).encode());
        String report = dir.resolve("eval.json").toString();

        assertBadOption(run("eval", "--db", db.toString(), "--report", report, "--model-dir", models.toString()),
                "--model-dir: " + MODEL, "has sha256");
        assertBadOption(run("eval", "--db", db.toString(), "--report", report, "--model-dir",
                dir.resolve("nowhere").toString()), "--model-dir: model directory", "does not exist");
        assertBadOption(run("eval", "--db", db.toString(), "--report", report, "--model-dir", ""),
                "--model-dir is empty");
        assertThat(Path.of(report)).doesNotExist();
    }

    /** Status 2 with {@code says} on the console, and nothing evaluated. */
    private static void assertBadOption(Outcome outcome, String... says) {
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).contains(says).doesNotContain("Exception");
        assertThat(outcome.out()).as("nothing was evaluated").doesNotContain("gross");
    }

    @Test
    void nothingScoredIsNoScoreNotAHundredPercent() throws Exception {
        Path db = dir.resolve("db");
        SyntheticRecords.write(db, "r1", 360, 9, new Segment(400, 80));
        Path report = dir.resolve("eval.json");

        // The only record has no lead V9: it fails, and no beat is scored.
        Outcome outcome = run("eval", "--db", db.toString(), "--records", "r1", "--lead", "V9", "--report",
                report.toString(), "--no-classify");

        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(1);
        assertThat(outcome.out()).containsPattern("gross\\s+0\\s+0\\s+0\\s+-\\s+-")
                .contains("readable only: Se - %, +P - %").doesNotContain("100.00");
        JsonObject json = new JsonObject(Files.readString(report));
        for (String scores : new String[] {"qrs", "qrs_readable"}) {
            assertThat(json.getJsonObject(scores).getLong("tp")).isZero();
            assertThat(json.getJsonObject(scores).containsKey("se")).isTrue();
            assertThat(json.getJsonObject(scores).getValue("se")).as(scores + ".se").isNull();
            assertThat(json.getJsonObject(scores).getValue("ppv")).as(scores + ".ppv").isNull();
        }
    }
}
