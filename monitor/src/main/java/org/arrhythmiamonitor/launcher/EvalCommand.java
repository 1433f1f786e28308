package org.arrhythmiamonitor.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.eval.Evaluation;
import org.arrhythmiamonitor.eval.HeldOutModels;
import org.arrhythmiamonitor.eval.RecordClassifiers;
import org.arrhythmiamonitor.inference.InferenceSettings;
import org.arrhythmiamonitor.inference.ModelException;
import org.arrhythmiamonitor.inference.ModelRegistry;
import org.arrhythmiamonitor.eval.RecordResult;
import org.arrhythmiamonitor.signal.MainsFrequency;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code monitor eval}: scores the stream processor's signal path on a WFDB database as EC57 does. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Runs the stream processor's signal path and QRS detector over every record of a WFDB "
                + "directory and scores the beats against the reference annotations under ANSI/AAMI EC57 rules "
                + "(150 ms match window, first 5 minutes not scored, VF episodes left out), then classifies the "
                + "beats with the beat model and scores the classes (records with paced beats left out).",
            "Exit status: 0 when every record was evaluated, 1 when some could not be (the rest are still "
                + "scored and reported), 2 on bad options."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "WFDB directory with .hea, .dat and reference annotation files")
    Path db;

    @Option(names = "--records", split = ",", paramLabel = "NAMES",
            description = "Records to evaluate, comma-separated (default: every record with a header in --db)")
    List<String> records = List.of();

    @Option(names = "--lead", paramLabel = "LEAD", description = "Lead to analyse, e.g. MLII (default: each record's first signal)")
    String lead;

    @Option(names = "--report", required = true, paramLabel = "FILE.json", description = "Where to write the JSON report")
    Path report;

    @Option(names = "--annotations", paramLabel = "OUTDIR",
            description = "Write one WFDB annotation file per record here (annotator " + Evaluation.ANNOTATOR
                    + "), for PhysioNet's bxb")
    Path annotations;

    @Option(names = "--reference", defaultValue = "atr", paramLabel = "ANNOTATOR",
            description = "Annotator of the reference annotations (default: ${DEFAULT-VALUE})")
    String reference;

    @Option(names = "--mains", defaultValue = "50", paramLabel = "50|60|off",
            description = "Mains notch of the signal path, as in the processor's mainsNotch (default: ${DEFAULT-VALUE})")
    String mains;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Beat classifier models and cards (default: the models packaged with the processor)")
    Path modelDir;

    @Option(names = "--no-classify", description = "Score QRS detection only, without the beat classifier")
    boolean noClassify;

    @Option(names = "--held-out", paramLabel = "FOLDS.json",
            description = "Score each record with the model of the cross-validation fold that left it out, as "
                    + "an unseen patient: a folds file written by train_beat_classifier.py --fold-models (each "
                    + "fold's records and model directory). --records defaults to the file's records")
    Path heldOut;

    @Override
    public Integer call() {
        // Bad options are status 2, as the help says: 1 means some records could not be evaluated.
        // Everything an option names is checked here, before the run: a report that cannot be
        // written found only after scoring a whole database is a bad option found too late.
        CommandLine commandLine = spec.commandLine();
        RecordNames.check(commandLine, records);
        InputPaths.directory(commandLine, "--db", db);
        if (heldOut != null && heldOut.toString().isEmpty()) {
            throw new ParameterException(commandLine, "--held-out must name a folds file, got an empty path");
        }
        MainsFrequency notch = FlagValue.parse(commandLine, "--mains", mains, MainsFrequency::parse);
        if (modelDir != null && modelDir.toString().isBlank()) {
            throw new ParameterException(commandLine, "--model-dir " + InferenceSettings.EMPTY_MODEL_DIRECTORY);
        }
        if (heldOut != null && (modelDir != null || noClassify)) {
            throw new ParameterException(commandLine, "--held-out names each record's model itself: "
                    + "leave out " + (noClassify ? "--no-classify" : "--model-dir"));
        }
        if (noClassify && modelDir != null) {
            throw new ParameterException(commandLine, "--model-dir names the beat classifier's models, which "
                    + "--no-classify does not use: leave one of them out");
        }
        OutputPaths.file(commandLine, "--report", report);
        if (annotations != null) {
            OutputPaths.directory(commandLine, "--annotations", annotations);
        }
        refuseOverwritingTheRecords(commandLine);
        List<String> names = records;
        if (names.isEmpty() && heldOut == null) {
            names = Evaluation.discover(db);
            if (names.isEmpty()) {
                throw new ParameterException(commandLine, "--db: " + db + " holds no WFDB records (*.hea)");
            }
        }
        Evaluation.Outcome outcome;
        if (noClassify) {
            outcome = evaluate(names, notch, null);
        } else if (heldOut != null) {
            try (HeldOutModels models = heldOutModels()) {
                outcome = evaluate(models.records(), notch, models);
            }
        } else {
            try (ModelRegistry models = models()) {
                outcome = evaluate(names, notch, RecordClassifiers.one(new RecordBeatClassifier(models)));
            }
        }
        return finish(outcome);
    }

    /**
     * The run writes only beside the records it reads, never over them: a report named like a
     * record's file, or annotations of the reference's annotator in the database itself, replaced
     * what was being scored.
     */
    private void refuseOverwritingTheRecords(CommandLine commandLine) {
        String recordFile = ".*\\.(hea|dat|atr|" + java.util.regex.Pattern.quote(reference) + ")";
        for (Path written : linkChain(report)) {
            // A link is written through, dangling or not: each path on the way names what would be replaced.
            String name = written.getFileName() == null ? "" : written.getFileName().toString();
            if (sameDirectory(written.toAbsolutePath().getParent(), db) && name.matches(recordFile)) {
                throw new ParameterException(commandLine, "--report " + report + " would replace a file of the "
                        + "records in --db " + db
                        + (written.equals(report) ? "" : " (" + written + ", through the link)")
                        + ": write the report elsewhere");
            }
        }
        if (annotations != null && Evaluation.ANNOTATOR.equals(reference) && sameDirectory(annotations, db)) {
            throw new ParameterException(commandLine, "--annotations " + annotations + " would replace the "
                    + "reference annotations (--reference " + reference + ") in --db: write them elsewhere");
        }
    }

    /** {@code path}, then each target its symbolic links lead to, relative ones resolved beside their link. */
    private static List<Path> linkChain(Path path) {
        List<Path> chain = new ArrayList<>(List.of(path));
        Path at = path;
        // 40 hops, as the kernel's own limit on following links; a loop ends there too.
        while (chain.size() <= 40 && Files.isSymbolicLink(at)) {
            try {
                Path parent = at.toAbsolutePath().getParent();
                at = parent.resolve(Files.readSymbolicLink(at));
            } catch (IOException | UnsupportedOperationException e) {
                break;
            }
            chain.add(at);
        }
        return chain;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a != null && Files.isDirectory(a) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The models of {@code --model-dir}, or the packaged ones. A model that {@code --model-dir} names
     * and that cannot be used (missing, not its card's sha256, failing its parity fixture) is a bad
     * option; the packaged models failing is a broken installation, status 1 as any other failure.
     */
    private ModelRegistry models() {
        try {
            return RecordBeatClassifier.registry(modelDir);
        } catch (ModelException e) {
            if (modelDir == null) {
                throw e;
            }
            throw new ParameterException(spec.commandLine(), "--model-dir: " + e.getMessage());
        }
    }

    /** The folds of {@code --held-out}; a folds file, or a fold's model, that cannot be used is a bad option. */
    private HeldOutModels heldOutModels() {
        try {
            return HeldOutModels.open(heldOut, records);
        } catch (IllegalArgumentException | ModelException e) {
            throw new ParameterException(spec.commandLine(), "--held-out: " + e.getMessage());
        }
    }

    private Evaluation.Outcome evaluate(List<String> names, MainsFrequency notch, RecordClassifiers classifiers) {
        return Evaluation.run(new Evaluation.Options(db, names, lead, reference, notch, annotations, classifiers),
                spec.commandLine().getOut());
    }

    private int finish(Evaluation.Outcome outcome) {
        try {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(report, outcome.report().encodePrettily() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the report to " + report + ": " + IoReasons.of(e, report), e);
        }
        spec.commandLine().getOut().println("report: " + report);
        List<RecordResult> failed = outcome.results().stream().filter(r -> !r.ok()).toList();
        if (!failed.isEmpty()) {
            spec.commandLine().getErr().println("monitor eval: " + failed.size() + " record(s) could not be evaluated: "
                    + failed.stream().map(RecordResult::record).toList());
            return 1;
        }
        return 0;
    }
}
