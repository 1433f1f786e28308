package org.arrhythmiamonitor.dataset;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.arrhythmiamonitor.beat.BeatClasses;
import org.arrhythmiamonitor.beat.BeatFeatureExtractor;
import org.arrhythmiamonitor.beat.BeatFeatures;
import org.arrhythmiamonitor.beat.BeatWindow;
import org.arrhythmiamonitor.beat.FeatureCheck;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.config.SettingException;
import org.arrhythmiamonitor.eval.Ec57Matcher;
import org.arrhythmiamonitor.eval.RecordEvaluator;
import org.arrhythmiamonitor.eval.RecordSignal;
import org.arrhythmiamonitor.qrs.EcgAnalyzer;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.wfdb.Annotation;

/**
 * Exports the beat classifier's training data: runs the stream processor's signal path and
 * {@link BeatFeatureExtractor} over WFDB records exactly as the stream runs them, labels each
 * detected beat with the AAMI class of the reference beat it matches (EC57, 150 ms), and adds
 * copies cut at the reference R peak moved by a few samples, so the model learns the placement
 * jitter it will see. Detected beats without a reference beat are left out.
 *
 * <p>Files, one row per example: {@code beats.npy} float32 [n, 2, 160] (beat, template),
 * {@code rr.npy} float32 [n, 7], {@code labels.npy} int64 [n] (index into {@link BeatClasses#NAMES}),
 * {@code records.npy} int32 [n] (record number, or the record's index when its name is not a
 * number), {@code jitter.npy} int32 [n] (0 for the detected beat itself, else the shift in 250 Hz
 * samples), {@code samples.npy} int64 [n] (reference sample), and {@code manifest.json}.
 *
 * <p>{@code previous.npy} float32 [n, 160] is context for trying models, not an input the stream
 * gives a model: the window of the beat the detector found before the example's own (centred as
 * the beat channel is, false detections included, as the stream sees them; zeros for a record's
 * first beat). A model trained with it ({@code train_beat_classifier.py --previous-beat}) has an input
 * spec the stream does not produce, and the inference engine refuses it.
 */
public final class BeatDatasetExport {
    /** Whose settings the options are, in messages. */
    public static final String SECTION = "dataset";
    /** Largest placement shift of a jittered copy, 250 Hz samples (16 ms). */
    static final int MAX_JITTER = 4;

    /**
     * @param db directory with the WFDB records
     * @param records record names
     * @param lead lead to use, or null for each record's first signal
     * @param jitterCopies jittered copies per labelled beat
     */
    public record Options(Path db, List<String> records, String lead, String annotator, MainsFrequency mains,
            Path out, int jitterCopies, long seed) {
        public Options {
            if (records.isEmpty()) {
                throw new IllegalArgumentException("no records to export");
            }
            SettingException.requireBetween(SECTION, "jitterCopies", jitterCopies, 0, 2 * MAX_JITTER);
            // Training forms its patient-wise folds by these ids: two records under one id would
            // be one patient, trained on in one fold and scored in the same.
            Map<Integer, String> byId = new HashMap<>();
            for (int r = 0; r < records.size(); r++) {
                String other = byId.putIfAbsent(recordId(records.get(r), r), records.get(r));
                if (other != null) {
                    throw new IllegalArgumentException("records " + other + " and " + records.get(r) + " would both be "
                            + "record " + recordId(records.get(r), r) + " in records.npy (a number names itself, any "
                            + "other name its place in the list); rename one");
                }
            }
        }
    }

    /** Rows per class and record, and the beats detected without a reference beat. */
    public record Summary(int rows, long[][] perRecordClass, int unmatched) {
    }

    private final FloatColumn beats = new FloatColumn();
    private final FloatColumn rr = new FloatColumn();
    private final FloatColumn previous = new FloatColumn();
    private final List<Long> labels = new ArrayList<>();
    private final List<Integer> recordIds = new ArrayList<>();
    private final List<Integer> jitters = new ArrayList<>();
    private final List<Long> samples = new ArrayList<>();

    private BeatDatasetExport() {
    }

    public static Summary run(Options options, PrintWriter log) {
        return new BeatDatasetExport().export(options, log);
    }

    private Summary export(Options options, PrintWriter log) {
        Random random = new Random(options.seed());
        long[][] perRecord = new long[options.records().size()][BeatClasses.NAMES.size()];
        int unmatched = 0;
        for (int r = 0; r < options.records().size(); r++) {
            String name = options.records().get(r);
            RecordSignal signal = RecordSignal.read(options.db(), name, options.lead(), options.annotator());
            int recordId = recordId(name, r);
            unmatched += exportRecord(signal, recordId, options.jitterCopies(), random, perRecord[r], options.mains());
            log.printf(Locale.ROOT, "%s (%s): %s%n", name, signal.lead(), counts(perRecord[r]));
        }
        try {
            write(options, perRecord, unmatched);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dataset to " + options.out() + ": "
                    + IoReasons.of(e, options.out()), e);
        }
        return new Summary(labels.size(), perRecord, unmatched);
    }

    private int exportRecord(RecordSignal signal, int recordId, int copies, Random random, long[] counts,
            MainsFrequency mains) {
        EcgAnalyzer analyzer = new EcgAnalyzer(signal.fsHz(), mains);
        FloatColumn filtered = new FloatColumn();
        analyzer.tapFilteredSignal(x -> filtered.add((float) x));
        List<DetectedBeat> detected = new ArrayList<>();
        signal.analyse(analyzer, detected::add);

        List<Annotation> reference = signal.reference().stream()
                .filter(a -> a.code().isBeat() && BeatClasses.indexOf(a.code()) >= 0).toList();
        long[] refSamples = reference.stream().mapToLong(Annotation::sample).toArray();
        long[] detSamples = detected.stream().mapToLong(DetectedBeat::sampleIndex).toArray();
        int[] refOf = Ec57Matcher.match(refSamples, detSamples,
                Math.round(RecordEvaluator.MATCH_WINDOW_S * signal.fsHz()));

        BeatWindow.Source whole = filtered.asSource();
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        int unmatched = 0;
        float[] before = new float[BeatWindow.LENGTH];
        for (int d = 0; d < detected.size(); d++) {
            BeatFeatures features = extractor.next(detected, d, signal.fsHz());
            float[] previousBeat = before;
            before = features.beat();
            if (refOf[d] < 0) {
                unmatched++;
                continue;
            }
            Annotation ref = reference.get(refOf[d]);
            int label = BeatClasses.indexOf(ref.code());
            add(features, previousBeat, label, recordId, 0, ref.sample());
            counts[label]++;
            long refCentre = Math.round(analyzer.filteredIndexOf(ref.sample()));
            for (int shift : shifts(copies, random)) {
                add(features.withWindow(BeatWindow.cut(whole, refCentre + shift)), previousBeat, label, recordId,
                        shift, ref.sample());
            }
        }
        return unmatched;
    }

    /** Distinct non-zero shifts of at most {@link #MAX_JITTER} samples. */
    private static int[] shifts(int copies, Random random) {
        List<Integer> all = new ArrayList<>();
        for (int s = -MAX_JITTER; s <= MAX_JITTER; s++) {
            if (s != 0) {
                all.add(s);
            }
        }
        Collections.shuffle(all, random);
        return all.subList(0, copies).stream().mapToInt(Integer::intValue).toArray();
    }

    private void add(BeatFeatures features, float[] previousBeat, int label, int recordId, int jitter, long sample) {
        beats.addAll(features.beat());
        beats.addAll(features.template());
        rr.addAll(features.rr());
        previous.addAll(previousBeat);
        labels.add((long) label);
        recordIds.add(recordId);
        jitters.add(jitter);
        samples.add(sample);
    }

    private void write(Options options, long[][] perRecord, int unmatched) throws IOException {
        Path out = options.out();
        Files.createDirectories(out);
        int n = labels.size();
        NpyWriter.floats(out.resolve("beats.npy"), beats.toArray(), n, BeatFeatures.CHANNELS.size(),
                BeatWindow.LENGTH);
        NpyWriter.floats(out.resolve("rr.npy"), rr.toArray(), n, BeatFeatures.RR_FEATURES.size());
        NpyWriter.floats(out.resolve("previous.npy"), previous.toArray(), n, BeatWindow.LENGTH);
        NpyWriter.longs(out.resolve("labels.npy"), labels.stream().mapToLong(Long::longValue).toArray());
        NpyWriter.ints(out.resolve("records.npy"), recordIds.stream().mapToInt(Integer::intValue).toArray());
        NpyWriter.ints(out.resolve("jitter.npy"), jitters.stream().mapToInt(Integer::intValue).toArray());
        NpyWriter.longs(out.resolve("samples.npy"), samples.stream().mapToLong(Long::longValue).toArray());
        JsonObject counts = new JsonObject();
        for (int r = 0; r < perRecord.length; r++) {
            JsonObject c = new JsonObject();
            for (int k = 0; k < BeatClasses.NAMES.size(); k++) {
                c.put(BeatClasses.NAMES.get(k), perRecord[r][k]);
            }
            counts.put(options.records().get(r), c);
        }
        JsonObject manifest = new JsonObject()
                .put("input", BeatFeatures.SPEC.toJson())
                .put("classes", new JsonArray(BeatClasses.NAMES))
                .put("records", new JsonArray(options.records()))
                .put("lead", options.lead() == null ? "first signal" : options.lead())
                .put("annotator", options.annotator())
                .put("jitter_copies", options.jitterCopies())
                // With the rest, what `bin/monitor dataset` was given: a model card names the export it was trained on.
                .put("jitter_seed", options.seed())
                .put("mains", options.mains() == MainsFrequency.OFF ? "off" : String.valueOf(options.mains().hz()))
                .put("rows", n)
                .put("unmatched_detections", unmatched)
                .put("beats_per_record_and_class", counts)
                .put(FeatureCheck.CARD_FIELD, FeatureCheck.current());
        Files.writeString(out.resolve("manifest.json"), manifest.encodePrettily(), StandardCharsets.UTF_8);
    }

    private static int recordId(String name, int index) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return index;
        }
    }

    private static String counts(long[] perClass) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < BeatClasses.NAMES.size(); k++) {
            s.append(k == 0 ? "" : ", ").append(BeatClasses.NAMES.get(k)).append(' ').append(perClass[k]);
        }
        return s.toString();
    }

    /** A growable float array. */
    private static final class FloatColumn {
        private float[] values = new float[1 << 16];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = v;
        }

        void addAll(float[] vs) {
            while (size + vs.length > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            System.arraycopy(vs, 0, values, size, vs.length);
            size += vs.length;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }

        BeatWindow.Source asSource() {
            return new BeatWindow.Source() {
                @Override
                public long first() {
                    return 0;
                }

                @Override
                public long last() {
                    return size - 1;
                }

                @Override
                public float at(long index) {
                    return values[(int) index];
                }
            };
        }
    }
}
