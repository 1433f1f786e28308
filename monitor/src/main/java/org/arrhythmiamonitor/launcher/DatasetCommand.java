package org.arrhythmiamonitor.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.dataset.BeatDatasetExport;
import org.arrhythmiamonitor.dataset.InterPatientSplit;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbHeader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code monitor dataset}: exports the beat classifier's training data with the stream processor's own code. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = {"Runs the stream processor's signal path, QRS detector and beat feature extraction over WFDB "
                + "records and writes the labelled beats as NumPy .npy files for model-store/training.",
            "Labels are the AAMI classes of the reference beats the detected beats match (150 ms). DS2 records "
                + "are refused: they are the independent test set."})
final class DatasetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "WFDB directory with .hea, .dat and reference annotation files")
    Path db;

    @Option(names = "--records", split = ",", paramLabel = "NAMES",
            description = "Records to export, comma-separated (default: DS1, ${DEFAULT-VALUE})")
    List<String> records = InterPatientSplit.DS1;

    @Option(names = "--lead", paramLabel = "LEAD", description = "Lead to use, e.g. MLII (default: each record's first signal)")
    String lead;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the .npy files and manifest.json")
    Path out;

    @Option(names = "--jitter-copies", defaultValue = "2", paramLabel = "N",
            description = "Copies of each labelled beat cut at the reference R peak moved by 1-4 samples (default: ${DEFAULT-VALUE})")
    int jitterCopies;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the jitter (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--reference", defaultValue = "atr", paramLabel = "ANNOTATOR",
            description = "Annotator of the reference annotations (default: ${DEFAULT-VALUE})")
    String reference;

    @Option(names = "--mains", defaultValue = "50", paramLabel = "50|60|off",
            description = "Mains notch of the signal path, as in the processor's mainsNotch (default: ${DEFAULT-VALUE})")
    String mains;

    @Override
    public Integer call() {
        // The options are checked before the export starts, and refused as bad options (status 2);
        // a record's files that cannot be read are found as it is exported (status 1).
        CommandLine commandLine = spec.commandLine();
        RecordNames.check(commandLine, records);
        InputPaths.directory(commandLine, "--db", db);
        OutputPaths.directory(commandLine, "--out", out);
        List<String> test = records.stream().filter(InterPatientSplit::isFromDs2).toList();
        if (!test.isEmpty()) {
            throw new ParameterException(commandLine, "--records: " + test + (test.size() == 1 ? " is" : " are")
                    + " DS2, the independent test set, or made from it; training data comes from DS1 only");
        }
        BeatDatasetExport.Options options = new CommandLineSettings(BeatDatasetExport.SECTION)
                .flag("jitterCopies", "--jitter-copies")
                .checkOptions(commandLine, () -> new BeatDatasetExport.Options(db, records, lead, reference,
                        FlagValue.parse("--mains", mains, MainsFrequency::parse), out, jitterCopies, seed));
        refuseWhatTheRecordsLack(commandLine);
        if (Files.exists(out.resolve("manifest.json"))) {
            // Training reads whatever the folder holds: say that an earlier export is being replaced.
            commandLine.getErr().println("monitor dataset: replacing the export already in " + out);
        }
        long started = System.nanoTime();
        BeatDatasetExport.Summary summary = BeatDatasetExport.run(options, commandLine.getOut());
        commandLine.getOut().printf(Locale.ROOT,
                "%d examples (%d detected beats without a reference beat left out) in %s, %.1f s%n",
                summary.rows(), summary.unmatched(), out, (System.nanoTime() - started) / 1e9);
        return 0;
    }

    /**
     * Refuses a record that is not in {@code --db}, annotations of {@code --reference} it lacks, and
     * a {@code --lead} it does not have, from the headers alone: found during the export, they ended
     * it after the records before had taken their minutes, with nothing written.
     */
    private void refuseWhatTheRecordsLack(CommandLine commandLine) {
        for (String name : records) {
            Path header = db.resolve(name + ".hea");
            if (!Files.isRegularFile(header)) {
                throw new ParameterException(commandLine, "--records: " + name + " is not in --db " + db + " (no "
                        + name + ".hea)");
            }
            if (!Files.isRegularFile(db.resolve(name + "." + reference))) {
                throw new ParameterException(commandLine, "--reference " + reference + ": record " + name
                        + " has no annotations of that annotator (no " + name + "." + reference + " in --db)");
            }
            if (lead != null) {
                WfdbHeader read = WfdbHeader.read(header);
                if (read.signalIndex(lead) < 0) {
                    throw new ParameterException(commandLine, "--lead " + lead + ": record " + name + " has no such "
                            + "lead (it has " + read.signals().stream().map(SignalSpec::description).toList() + ")");
                }
            }
        }
    }
}
