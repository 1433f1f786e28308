package org.arrhythmiamonitor.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.arrhythmiamonitor.wfdb.WfdbRecord;

/**
 * One lead of a WFDB record in millivolts with its reference annotations: what the evaluator and
 * the training data export read.
 *
 * @param lead the lead's description in the header, for example MLII
 */
public record RecordSignal(String record, String lead, int fsHz, double[] millivolts, List<Annotation> reference) {

    /**
     * Reads {@code record} from {@code directory}, on {@code lead} or, when it is null, on the
     * first signal, with the annotations of {@code annotator}.
     *
     * @throws WfdbFormatException when a file is missing or malformed, the lead does not exist, or
     *     the rate is not a whole number of Hz
     */
    public static RecordSignal read(Path directory, String record, String lead, String annotator) {
        if (!Files.isDirectory(directory)) {
            throw new WfdbFormatException("database directory " + directory + " does not exist or is not a directory");
        }
        if (!Files.isRegularFile(directory.resolve(record + ".hea"))) {
            // Said first: a record that is not there at all is not one whose annotations are missing.
            throw new WfdbFormatException("record " + record + " is not in " + directory + " (no " + record + ".hea)");
        }
        Path annotations = directory.resolve(record + "." + annotator);
        if (!Files.isRegularFile(annotations)) {
            throw new WfdbFormatException("reference annotations " + annotations + " do not exist");
        }
        WfdbRecord wfdb = WfdbRecord.read(directory, record);
        int channel = lead == null ? 0 : wfdb.header().signalIndex(lead);
        if (channel < 0) {
            throw new WfdbFormatException("record " + record + " has no lead " + lead + " (it has "
                    + wfdb.header().signals().stream().map(SignalSpec::description).toList() + ")");
        }
        double fs = wfdb.fsHz();
        if (fs != Math.rint(fs)) {
            throw new WfdbFormatException("record " + record + " is sampled at " + fs
                    + " Hz; only whole-number rates are supported");
        }
        SignalSpec spec = wfdb.header().signals().get(channel);
        List<Annotation> reference = AnnotationFile.read(annotations);
        int length = wfdb.samples()[channel].length;
        long last = reference.stream().mapToLong(Annotation::sample).max().orElse(-1);
        if (last >= length) {
            // Scored as they are, the beats past the end were dropped without a word.
            long past = reference.stream().filter(a -> a.sample() >= length).count();
            throw new WfdbFormatException("reference annotations " + annotations + " reach sample " + last
                    + ", past the signal's last, " + (length - 1) + " (" + past + " of them after its end): they are "
                    + "not this record's, or its signal is cut short");
        }
        return new RecordSignal(record, spec.description(), (int) fs, millivolts(wfdb.samples()[channel], spec),
                reference);
    }

    /** Feeds the whole lead through {@code analyzer} in one-second chunks, as a device sends them, then finishes it. */
    public void analyse(EcgAnalyzer analyzer, EcgAnalyzer.Output output) {
        for (int from = 0; from < millivolts.length; from += fsHz) {
            analyzer.accept(millivolts, from, Math.min(millivolts.length, from + fsHz), output);
        }
        analyzer.finish(output);
    }

    static double[] millivolts(int[] adc, SignalSpec spec) {
        double[] mv = new double[adc.length];
        double scale = spec.units() != null && spec.units().equalsIgnoreCase("uV") ? 1000 : 1;
        for (int i = 0; i < adc.length; i++) {
            mv[i] = (adc[i] - spec.baseline()) / spec.gain() / scale;
        }
        return mv;
    }
}
