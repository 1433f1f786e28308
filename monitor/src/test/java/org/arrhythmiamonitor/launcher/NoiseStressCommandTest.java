package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.eval.NoiseStressRecords;
import org.arrhythmiamonitor.synthetic.SyntheticEcg.Segment;
import org.arrhythmiamonitor.testing.SyntheticRecords;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code monitor nst}: its lists checked before anything is written, and a noise that does not fit explained. */
class NoiseStressCommandTest {
    @TempDir
    Path dir;

    private Path db;
    private Path noiseDb;

    private record Outcome(int exitCode, String out, String err) {
    }

    @BeforeEach
    void records() {
        db = dir.resolve("clean");
        noiseDb = dir.resolve("noise");
        SyntheticRecords.write(db, "c1", 360, 3, new Segment(420, 70));
        // Silence but for one spike: scaled to the SNR, the spike carries all the noise's power.
        int[] noise = new int[420 * 360];
        noise[320 * 360] = 30000;
        WfdbWriter.write(noiseDb, "spike", 360, List.of(new SignalSpec("spike.dat", 16, 200, 0, "mV", 16, 0, 0,
                null, "noise")), new int[][] {noise}, List.of("one spike"));
        WfdbWriter.write(noiseDb, "hum", 360, List.of(new SignalSpec("hum.dat", 16, 200, 0, "mV", 16, 0, 0,
                null, "noise")), new int[][] {hum(noise.length)}, List.of("a 1 Hz sine"));
    }

    private static int[] hum(int length) {
        int[] samples = new int[length];
        for (int i = 0; i < length; i++) {
            samples[i] = (int) Math.round(100 * Math.sin(2 * Math.PI * i / 360.0));
        }
        return samples;
    }

    /** {@code monitor nst} on the test's records, with {@code flagsAndValues} in place of the defaults. */
    private Outcome nst(String... flagsAndValues) {
        Map<String, String> flags = new LinkedHashMap<>(Map.of("--db", db.toString(), "--noise-db",
                noiseDb.toString(), "--records", "c1", "--noise", "hum", "--out", dir.resolve("out").toString()));
        for (int i = 0; i < flagsAndValues.length; i += 2) {
            flags.put(flagsAndValues[i], flagsAndValues[i + 1]);
        }
        List<String> args = new ArrayList<>(List.of("nst"));
        flags.forEach((flag, value) -> args.add(flag + "=" + value));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Monitor.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void writesTheRecordsAskedFor() {
        Outcome outcome = nst("--snr", "6,-12,50");
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(dir.resolve("out/c1hum06.hea")).isRegularFile();
        assertThat(dir.resolve("out/c1humm12.hea")).isRegularFile();
        assertThat(dir.resolve("out/c1hum50.hea")).isRegularFile();
    }

    @Test
    void listsThatNameNothingOrOneThingTwiceAreBadOptions() {
        assertBadOption(nst("--snr", ","), "--snr names no SNR");
        assertBadOption(nst("--records", ","), "--records names no record");
        assertBadOption(nst("--noise", ","), "--noise names no record");
        assertBadOption(nst("--snr", "12,12"), "--snr: 12 is listed twice");
        assertBadOption(nst("--snr", "6,06"), "--snr: 6 is listed twice");
        assertBadOption(nst("--records", "c1,c1"), "--records: c1 is listed twice");
        assertBadOption(nst("--noise", "hum,hum"), "--noise: hum is listed twice");
        assertBadOption(nst("--records", "../clean/c1"),
                "--records: '../clean/c1' is not a record name", "read from --db)");
        assertBadOption(nst("--noise", "../noise/hum"),
                "--noise: '../noise/hum' is not a record name", "read from --noise-db)");
    }

    @Test
    void twoRecordsWrittenUnderOneNameAreABadOptionAndARecordKeepsItsDash() {
        SyntheticRecords.write(db, "c1h", 360, 3, new Segment(420, 70));
        WfdbWriter.write(noiseDb, "um", 360, List.of(new SignalSpec("um.dat", 16, 200, 0, "mV", 16, 0, 0,
                null, "noise")), new int[][] {hum(420 * 360)}, List.of("a 1 Hz sine"));
        // c1 with hum and c1h with um are both c1hum06: the second overwrote the first.
        assertBadOption(nst("--records", "c1,c1h", "--noise", "hum,um", "--snr", "6"),
                "record c1h with um at 6 dB and c1 with hum at 6 dB would both be written as c1hum06");
        assertThat(NoiseStressRecords.name("a-b", "bw", -6)).isEqualTo("a-bbwm6");
    }

    @Test
    void anSnrOutsideTheRangeTheRecordsCanHoldIsABadOption() {
        assertBadOption(nst("--snr", "-30"), "--snr must be -12 to 50 dB, got -30: lower, the noise can overflow");
        assertBadOption(nst("--snr", "100"), "--snr must be -12 to 50 dB, got 100: higher, the noise is under "
                + "half an ADC unit");
    }

    @Test
    void anEmptyOutIsABadOptionNotTheCurrentDirectory() throws Exception {
        // A record that is not there stops the command before it writes, should the empty --out pass.
        assertBadOption(nst("--out", "", "--records", "missing"), "--out must name a directory, got an empty path");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertBadOption(nst("--out", file.toString()), "--out: " + file + " is a file, not a directory");
    }

    @Test
    void aNoiseThatOverflowsTheSamplesNamesTheRecordTheNoiseAndTheSnr() {
        Outcome outcome = nst("--noise", "spike", "--snr", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).startsWith("monitor nst: record c1 + noise spike at 0 dB SNR: the noise, "
                + "scaled").contains("overflows the 16-bit samples", "choose a higher SNR")
                .doesNotContain("Exception");
        assertThat(dir.resolve("out/c1spike00.hea")).doesNotExist();
    }

    private static void assertBadOption(Outcome outcome, String... says) {
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).contains(says).doesNotContain("Exception");
        assertThat(outcome.out()).as("nothing was written").doesNotContain("wrote");
    }
}
