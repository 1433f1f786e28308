package org.arrhythmiamonitor.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.synthetic.ArrhythmiaScript;
import org.arrhythmiamonitor.synthetic.PatientProfile;
import org.arrhythmiamonitor.synthetic.SyntheticEcg;
import org.arrhythmiamonitor.synthetic.SyntheticRecordWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write synthetic ECG records with scripted arrhythmias and their ground truth (WFDB .hea, "
                + ".dat and .atr with beat classes and rhythm changes). Score them with 'monitor eval --db OUT'.")
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the records")
    Path out;

    @Option(names = "--profiles", split = ",", defaultValue = "mixed,pvc,vt,af,pauses,normal", paramLabel = "NAMES",
            description = "Patient profiles, one record each, named syn-<profile> (default: ${DEFAULT-VALUE})")
    List<String> profiles;

    @Option(names = "--minutes", defaultValue = "15", paramLabel = "MIN",
            description = "Length of each record: the profile's cycle repeated until at least this long "
                    + "(default: ${DEFAULT-VALUE}; eval skips the first 5 minutes)")
    double minutes;

    @Option(names = "--fs", defaultValue = "360", paramLabel = "HZ",
            description = "Sampling rate, 100-1000 Hz (default: ${DEFAULT-VALUE}, as MIT-BIH)")
    int fs;

    @Option(names = "--bpm", defaultValue = "72", description = "Sinus heart rate (default: ${DEFAULT-VALUE})")
    double bpm;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        // Every option is checked before the first record is written, and refused as a bad option
        // (status 2): a list that names no profile would write nothing and succeed, and one that
        // names a profile twice would write the same record twice, the second over the first.
        CommandLine commandLine = spec.commandLine();
        OutputPaths.directory(commandLine, "--out", out);
        if (fs < 100 || fs > 1000) {
            throw new ParameterException(commandLine, "--fs must be 100-1000 Hz, got " + fs);
        }
        if (!(minutes > 0 && minutes <= 24 * 60)) {
            throw new ParameterException(commandLine, "--minutes must be in (0, 1440], got " + minutes);
        }
        try {
            ArrhythmiaScript.start(bpm);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, "--bpm: " + e.getMessage(), e);
        }
        ListFlag.check(commandLine, "--profiles", "profile", profiles);
        List<PatientProfile> patients = new ArrayList<>();
        for (String name : profiles) {
            patients.add(FlagValue.parse(commandLine, "--profiles", name.trim(), PatientProfile::of));
        }
        ListFlag.check(commandLine, "--profiles", "profile", patients.stream().map(PatientProfile::label).toList());
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + IoReasons.of(e, out), e);
        }
        long recordSeed = seed;
        for (PatientProfile profile : patients) {
            SyntheticEcg.Recording recording = SyntheticEcg.standard(fs, recordSeed)
                    .render(profile.script(bpm, minutes * 60, recordSeed));
            recordSeed++;
            String record = "syn-" + profile.label();
            SyntheticRecordWriter.write(out, record, recording, profile.label() + " patient, seed " + seed);
            commandLine.getOut().printf("wrote %s (%.1f min, %d beats)%n", out.resolve(record + ".hea"),
                    recording.samples().length / (double) fs / 60, recording.rPeaks().length);
        }
        return 0;
    }
}
