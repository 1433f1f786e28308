package org.arrhythmiamonitor.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.TechnicalEvent;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wfdb.AnnotationFile;
import org.arrhythmiamonitor.wfdb.SignalSpec;
import org.arrhythmiamonitor.wfdb.WfdbFormatException;
import org.arrhythmiamonitor.wfdb.WfdbRecord;

/**
 * Runs the stream processor's signal path ({@link EcgAnalyzer}) over one WFDB record, fed in
 * one-second chunks as a device would send them, and scores its beats against the record's
 * reference annotations under the EC57 rules: 150 ms match window, the first five minutes not
 * scored, and ventricular flutter/fibrillation episodes (between {@code [} and {@code ]}) left out
 * as bxb leaves them out.
 */
public final class RecordEvaluator {
    public static final double MATCH_WINDOW_S = 0.150;
    public static final double LEARNING_PERIOD_S = 300;

    private final MainsFrequency mains;
    private final String annotator;

    public RecordEvaluator(MainsFrequency mains, String annotator) {
        this.mains = mains;
        this.annotator = annotator;
    }

    /** Evaluates {@code record} in {@code directory} on {@code lead}, or on the first signal when it is null. */
    public RecordResult evaluate(Path directory, String record, String lead) {
        try {
            return run(directory, record, lead);
        } catch (WfdbFormatException | IllegalArgumentException e) {
            return RecordResult.failed(record, e.getMessage());
        }
    }

    private RecordResult run(Path directory, String record, String lead) {
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
        List<Annotation> reference = AnnotationFile.read(annotations);
        SignalSpec spec = wfdb.header().signals().get(channel);
        double[] mv = millivolts(wfdb.samples()[channel], spec);

        EcgAnalyzer analyzer = new EcgAnalyzer((int) fs, mains);
        List<DetectedBeat> beats = new ArrayList<>();
        List<long[]> unreadable = new ArrayList<>();
        Map<String, Integer> events = new TreeMap<>();
        Map<String, Long> open = new TreeMap<>();
        EcgAnalyzer.Output output = new EcgAnalyzer.Output() {
            @Override
            public void beat(DetectedBeat beat) {
                beats.add(beat);
            }

            @Override
            public void technicalEvent(TechnicalEvent event) {
                if (event.ongoing()) {
                    events.merge(event.issue().name(), 1, Integer::sum);
                    open.put(event.issue().name(), event.startSample());
                } else {
                    unreadable.add(new long[] {event.startSample(), event.endSample() + 1});
                    open.remove(event.issue().name());
                }
            }
        };
        int chunk = (int) fs;
        for (int from = 0; from < mv.length; from += chunk) {
            analyzer.accept(mv, from, Math.min(mv.length, from + chunk), output);
        }
        analyzer.finish(output);
        // What is still open at the end of the record is unreadable to its end.
        open.values().forEach(from -> unreadable.add(new long[] {from, mv.length}));

        long start = Math.round(LEARNING_PERIOD_S * fs);
        long end = mv.length;
        List<long[]> scored = Ec57Matcher.subtract(start, end, ventricularFibrillation(reference, end));
        List<long[]> excluded = new ArrayList<>(ventricularFibrillation(reference, end));
        excluded.addAll(unreadable);
        List<long[]> readable = Ec57Matcher.subtract(start, end, excluded);
        long[] ref = reference.stream().filter(a -> a.code().isBeat()).mapToLong(Annotation::sample).toArray();
        long[] det = beats.stream().mapToLong(DetectedBeat::sampleIndex).toArray();
        long window = Math.round(MATCH_WINDOW_S * fs);
        QrsScore all = Ec57Matcher.score(ref, Ec57Matcher.sorted(det), window, scored);
        long[] readableDet = beats.stream().filter(DetectedBeat::readable).mapToLong(DetectedBeat::sampleIndex)
                .toArray();
        QrsScore onReadable = Ec57Matcher.score(ref, Ec57Matcher.sorted(readableDet), window, readable);
        double scoredLength = length(scored);
        double fraction = scoredLength == 0 ? 0 : 1 - length(readable) / scoredLength;
        return new RecordResult(record, spec.description(), fs, mv.length, all, onReadable, fraction, events, beats,
                null);
    }

    private static double length(List<long[]> intervals) {
        return intervals.stream().mapToLong(i -> i[1] - i[0]).sum();
    }

    /** Intervals between VF onset {@code [} and offset {@code ]} annotations. */
    static List<long[]> ventricularFibrillation(List<Annotation> reference, long end) {
        List<long[]> intervals = new ArrayList<>();
        long onset = -1;
        for (Annotation a : reference) {
            if (a.code() == AnnotationCode.VFON && onset < 0) {
                onset = a.sample();
            } else if (a.code() == AnnotationCode.VFOFF && onset >= 0) {
                intervals.add(new long[] {onset, a.sample() + 1});
                onset = -1;
            }
        }
        if (onset >= 0) {
            intervals.add(new long[] {onset, end});
        }
        return intervals;
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
