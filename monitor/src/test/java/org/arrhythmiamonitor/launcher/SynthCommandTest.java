package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code monitor synth} then {@code monitor eval}: the whole signal path, the beat model and the
 * episode rules scored against the generator's ground truth, anywhere, without MIT-BIH.
 */
class SynthCommandTest {
    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void scriptedArrhythmiasAreFoundByThePipeline() throws Exception {
        Path db = dir.resolve("syn");
        StringWriter err = new StringWriter();
        assertThat(run(err, "synth", "--out", db.toString(), "--profiles", "vt,af", "--minutes", "9")).as(err.toString())
                .isZero();
        assertThat(db.resolve("syn-vt.atr")).isRegularFile();
        Path report = dir.resolve("report.json");
        assertThat(run(err, "eval", "--db", db.toString(), "--records", "syn-vt,syn-af", "--report",
                report.toString())).as(err.toString()).isZero();

        JsonObject json = new JsonObject(Files.readString(report));
        assertThat(json.getJsonObject("qrs").getDouble("se")).isGreaterThan(99.5);
        assertThat(json.getJsonObject("qrs").getDouble("ppv")).isGreaterThan(99.5);
        JsonObject episodes = json.getJsonObject("episodes");
        assertThat(episodes.getJsonObject("vrun").getDouble("se")).isGreaterThanOrEqualTo(90.0);
        // The scored AF figures are not asserted: the beat model calls about half of the synthetic
        // AF beats S, and the detector leaves intervals touching S beats out until it is in AF, so
        // it finds little of it (validation.md). It must not invent AF in the VT record, though.
        assertThat(episodes.getJsonObject("af").getDouble("reference_s")).isGreaterThan(100.0);
        assertThat(episodes.getJsonObject("af").getDouble("detected_s") - episodes.getJsonObject("af")
                .getDouble("overlap_s")).isLessThan(5.0);
        assertThat(episodes.getJsonObject("counts").getInteger("VENTRICULAR_TACHYCARDIA")).isPositive();
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "synth", "--out", dir.toString(), "--profiles", "zombie")).isEqualTo(2);
        assertThat(err.toString()).contains("--profiles: unknown patient profile 'zombie'");
        StringWriter rate = new StringWriter();
        assertThat(run(rate, "synth", "--out", dir.toString(), "--fs", "50")).isEqualTo(2);
        assertThat(rate.toString()).contains("--fs must be 100-1000 Hz");
    }

    @Test
    void profileListsThatNameNothingOrAProfileTwiceAreBadOptionsAndWriteNothing() throws Exception {
        Path out = dir.resolve("syn");
        assertRefused("--profiles names no profile", "synth", "--out", out.toString(), "--profiles", ",");
        assertRefused("--profiles: vt is listed twice", "synth", "--out", out.toString(), "--profiles", "vt,vt");
        assertRefused("--profiles: vt is listed twice", "synth", "--out", out.toString(), "--profiles", "vt, VT");
        // Checked whole before the first record: vt is not written before zombie is refused.
        assertRefused("unknown patient profile 'zombie'", "synth", "--out", out.toString(), "--profiles",
                "vt,zombie");
        assertThat(out).doesNotExist();
        // --fs 50 stops the command before it writes, should the empty --out pass.
        assertRefused("--out must name a directory, got an empty path", "synth", "--out", "", "--fs", "50");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertRefused("--out: " + file + " is a file, not a directory", "synth", "--out", file.toString());
    }

    private void assertRefused(String says, String... args) {
        StringWriter err = new StringWriter();
        assertThat(run(err, args)).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(says).doesNotContain("Exception");
    }
}
