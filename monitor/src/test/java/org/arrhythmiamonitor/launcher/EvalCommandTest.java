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
