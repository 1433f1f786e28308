package org.arrhythmiamonitor.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.arrhythmiamonitor.beat.BeatClasses;
import org.arrhythmiamonitor.beat.BeatReading;
import org.arrhythmiamonitor.beat.RecordBeatClassifier;
import org.arrhythmiamonitor.episode.EpisodeRules;
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
    /** Episode types that are runs of V beats, whatever their length and rate made them. */
    private static final Set<String> RUN_TYPES = Set.of("COUPLET", "TRIPLET", "VENTRICULAR_RUN",
            "IDIOVENTRICULAR_RUN", "VENTRICULAR_TACHYCARDIA");

    private final MainsFrequency mains;
    private final String annotator;
    private final RecordClassifiers classifiers;

    /** @param classifiers the beat model of each record, or null to score QRS detection only */
    public RecordEvaluator(MainsFrequency mains, String annotator, RecordClassifiers classifiers) {
        this.mains = mains;
        this.annotator = annotator;
        this.classifiers = classifiers;
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
        RecordSignal signal = RecordSignal.read(directory, record, lead, annotator);
        List<Annotation> reference = signal.reference();
        double[] mv = signal.millivolts();
        int fs = signal.fsHz();
        EcgAnalyzer analyzer = new EcgAnalyzer(fs, mains);
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
        signal.analyse(analyzer, output);
        // What is still open at the end of the record is unreadable to its end.
        open.values().forEach(from -> unreadable.add(new long[] {from, mv.length}));

        long start = Math.round(LEARNING_PERIOD_S * fs);
        long end = mv.length;
        List<long[]> flutter = ventricularFibrillation(reference, end);
        List<long[]> scored = Ec57Matcher.subtract(start, end, flutter);
        List<long[]> excluded = new ArrayList<>(flutter);
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
        RecordBeatClassifier.Classified classified = classifiers == null ? null
                : classifiers.forRecord(record).classify(beats, fs);
        if (classified == null) {
            return new RecordResult(record, signal.lead(), fs, mv.length, all, onReadable, fraction, events, beats,
                    null, null, null, null, null, null);
        }
        boolean paced = reference.stream().anyMatch(a -> a.code() == AnnotationCode.PACE || a.code() == AnnotationCode.PFUS);
        int[] modelClasses = classified.modelClasses();
        RecordEpisodes.Found found = RecordEpisodes.run(scoredBeats(beats, classified), unreadable, mv.length, fs,
                EpisodeRules.DEFAULTS);
        int[] classes = new int[beats.size()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = BeatClasses.indexOf(found.reported()[i]);
        }
        BeatMatch match = paced ? null : BeatMatch.of(reference, beats, window);
        long[][] confusion = paced ? null : match.confusion(classes, scored);
        long[][] modelConfusion = paced ? null : match.confusion(modelClasses, scored);
        EpisodeScores episodes = episodes(reference, found, flutter, mv.length, fs, start, window, paced);
        return new RecordResult(record, signal.lead(), fs, mv.length, all, onReadable, fraction, events, beats,
                classes, confusion, modelConfusion, episodes, classified.model(), null);
    }

    private static List<RecordEpisodes.ScoredBeat> scoredBeats(List<DetectedBeat> beats,
            RecordBeatClassifier.Classified classified) {
        List<RecordEpisodes.ScoredBeat> scored = new ArrayList<>(beats.size());
        for (int i = 0; i < beats.size(); i++) {
            DetectedBeat b = beats.get(i);
            BeatReading reading = classified.readings()[i];
            scored.add(new RecordEpisodes.ScoredBeat(b.sampleIndex(), Math.round(b.rrSamples()), reading.beatClass(),
                    b.readable(), reading));
        }
        return scored;
    }

    /**
     * Runs the stream's episode rules over the record twice: on the pipeline's beats and classes,
     * and on the reference beats and labels (which isolates the run logic), and scores AF against
     * the reference rhythm and ventricular runs against the reference beat labels. Records with
     * paced beats are left out of run statistics, as EC57 leaves them out of beat-class statistics.
     */
    private static EpisodeScores episodes(List<Annotation> reference, RecordEpisodes.Found found, List<long[]> flutter,
            long samples, int fs, long start, long window, boolean paced) {
        List<RecordEpisodes.ScoredBeat> labelled = new ArrayList<>();
        long previous = -1;
        for (Annotation a : reference) {
            int c = a.code().isBeat() ? BeatClasses.indexOf(a.code()) : -1;
            if (c >= 0) {
                labelled.add(new RecordEpisodes.ScoredBeat(a.sample(), previous < 0 ? 0 : a.sample() - previous,
                        BeatClasses.wire(c), true, null));
                previous = a.sample();
            }
        }
        RecordEpisodes.Found fromLabels = RecordEpisodes.run(labelled, List.of(), samples, fs, EpisodeRules.DEFAULTS);
        List<SampleSpan> af = found.afSegments().stream()
                .map(s -> SampleSpan.ofOnset(s.getOnsetSample(), s.getEndSample())).toList();
        List<VentricularRun> referenceRuns = ReferenceRhythm.ventricularRuns(reference);
        VentricularRunScore runs = paced ? VentricularRunScore.ZERO
                : VentricularRunScore.of(referenceRuns, ventricularRuns(found), start, flutter, window);
        VentricularRunScore runsFromLabels = paced ? VentricularRunScore.ZERO
                : VentricularRunScore.of(referenceRuns, ventricularRuns(fromLabels), start, flutter, window);
        List<SampleSpan> svt = found.episodes().stream()
                .filter(e -> e.getType().equals("SVT_RUN") && e.getEndTimeMs() != 0)
                .map(e -> SampleSpan.ofOnset(e.getOnsetSample(), e.getEndSample())).toList();
        return new EpisodeScores(EpisodeSpanScore.of(ReferenceRhythm.afSpans(reference, samples), af, start),
                EpisodeSpanScore.of(ReferenceRhythm.svtSpans(reference, samples), svt, start), runs,
                runsFromLabels, found.countsByType(), found.afSegments(), paced);
    }

    /** Every run of two or more V beats the rules reported, whatever type it became. */
    private static List<VentricularRun> ventricularRuns(RecordEpisodes.Found found) {
        return found.episodes().stream()
                .filter(e -> RUN_TYPES.contains(e.getType()) && e.getEndTimeMs() != 0 && e.getBeatCount() >= 2)
                .map(e -> new VentricularRun(e.getOnsetSample(), e.getEndSample(), e.getBeatCount()))
                .toList();
    }

    /**
     * Reference AAMI class (rows) against detected class (columns) of the beats in the scored
     * intervals, with one more row and column ({@link BeatClassScore#UNMATCHED}): detections without a
     * reference beat by their class, and reference beats without a detection by theirs.
     */
    static long[][] confusion(List<Annotation> reference, List<DetectedBeat> beats, int[] classes, long window,
            List<long[]> scored) {
        return BeatMatch.of(reference, beats, window).confusion(classes, scored);
    }

    /**
     * The detected beats matched to the reference beats once, for the confusion of any classes
     * of them (as reported, as the model gave them).
     *
     * @param refOf for each detection, the index of its reference beat, or -1
     */
    record BeatMatch(long[] ref, int[] refClass, long[] det, int[] refOf) {
        static BeatMatch of(List<Annotation> reference, List<DetectedBeat> beats, long window) {
            // Matched against every beat, as the QRS score is: a detection of a beat without an AAMI
            // class is neither right nor wrong about its class, and is not an extra detection either.
            List<Annotation> all = reference.stream().filter(a -> a.code().isBeat()).toList();
            long[] ref = all.stream().mapToLong(Annotation::sample).toArray();
            int[] refClass = all.stream().mapToInt(a -> BeatClasses.indexOf(a.code())).toArray();
            long[] det = beats.stream().mapToLong(DetectedBeat::sampleIndex).toArray();
            return new BeatMatch(ref, refClass, det, Ec57Matcher.match(ref, det, window));
        }

        /**
         * Reference AAMI class (rows) against detected class (columns) in the scored intervals,
         * with one more row and column ({@link BeatClassScore#UNMATCHED}).
         */
        long[][] confusion(int[] classes, List<long[]> scored) {
            int o = BeatClassScore.UNMATCHED;
            long[][] m = new long[o + 1][o + 1];
            boolean[] found = new boolean[ref.length];
            for (int d = 0; d < det.length; d++) {
                int r = refOf[d];
                if (r >= 0) {
                    found[r] = true;
                    if (refClass[r] >= 0 && Ec57Matcher.inside(ref[r], scored)) {
                        m[refClass[r]][classes[d]]++;
                    }
                } else if (Ec57Matcher.inside(det[d], scored)) {
                    m[o][classes[d]]++;
                }
            }
            for (int r = 0; r < ref.length; r++) {
                if (!found[r] && refClass[r] >= 0 && Ec57Matcher.inside(ref[r], scored)) {
                    m[refClass[r]][o]++;
                }
            }
            return m;
        }
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
}
