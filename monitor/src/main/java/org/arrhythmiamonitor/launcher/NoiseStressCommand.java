package org.arrhythmiamonitor.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.eval.NoiseStressRecords;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code monitor nst}: makes noise stress test records, as the MIT-BIH Noise Stress Test Database was made. */
@Command(name = "nst", mixinStandardHelpOptions = true,
        description = "Makes noise stress test records: clean records plus calibrated noise at the given SNRs, in "
                + "alternating 2-minute segments after the first 5 minutes. Score them with 'monitor eval --db OUT'.")
final class NoiseStressCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "WFDB directory with the clean records and their .atr")
    Path db;

    @Option(names = "--noise-db", required = true, paramLabel = "DIR", description = "WFDB directory with the noise records (nstdb)")
    Path noiseDb;

    @Option(names = "--records", split = ",", defaultValue = "118,119", paramLabel = "NAMES",
            description = "Clean records in --db (default: ${DEFAULT-VALUE})")
    List<String> records;

    @Option(names = "--noise", split = ",", defaultValue = "bw,ma", paramLabel = "NAMES",
            description = "Noise records in --noise-db (default: ${DEFAULT-VALUE})")
    List<String> noise;

    @Option(names = "--snr", split = ",", defaultValue = "12,6,0", paramLabel = "DB",
            description = "SNRs in dB, whole numbers from " + NoiseStressRecords.MIN_SNR_DB + " to "
                    + NoiseStressRecords.MAX_SNR_DB + " (default: ${DEFAULT-VALUE})")
    List<Integer> snr;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the records")
    Path out;

    @Override
    public Integer call() {
        // Checked before the first record is written, as bad options (status 2): an empty list
        // would write nothing and succeed, a value given twice would write the same record twice,
        // and a path for a record name would give an output name that cannot be written.
        CommandLine commandLine = spec.commandLine();
        RecordNames.check(commandLine, records);
        RecordNames.check(commandLine, "--noise", "--noise-db", noise);
        InputPaths.directory(commandLine, "--db", db);
        InputPaths.directory(commandLine, "--noise-db", noiseDb);
        ListFlag.check(commandLine, "--snr", "SNR", snr);
        for (int s : snr) {
            if (s < NoiseStressRecords.MIN_SNR_DB || s > NoiseStressRecords.MAX_SNR_DB) {
                throw new ParameterException(commandLine, "--snr must be " + NoiseStressRecords.MIN_SNR_DB + " to "
                        + NoiseStressRecords.MAX_SNR_DB + " dB, got " + s + (s < NoiseStressRecords.MIN_SNR_DB
                        ? ": lower, the noise can overflow the records' 16-bit samples"
                        : ": higher, the noise is under half an ADC unit and rounds away"));
            }
        }
        // Two records of one name (118 with bw, 118b with w) would write one over the other.
        java.util.Map<String, String> written = new java.util.HashMap<>();
        for (String record : records) {
            for (String n : noise) {
                for (int s : snr) {
                    String name = NoiseStressRecords.name(record, n, s);
                    String earlier = written.put(name, record + " with " + n + " at " + s + " dB");
                    if (earlier != null) {
                        throw new ParameterException(commandLine, "record " + record + " with " + n + " at " + s
                                + " dB and " + earlier + " would both be written as " + name + "; rename one");
                    }
                }
            }
        }
        OutputPaths.directory(commandLine, "--out", out);
        for (String record : records) {
            for (String n : noise) {
                for (int s : snr) {
                    String name = NoiseStressRecords.make(db, record, noiseDb, n, s, out);
                    commandLine.getOut().println("wrote " + out.resolve(name + ".hea"));
                }
            }
        }
        return 0;
    }
}
