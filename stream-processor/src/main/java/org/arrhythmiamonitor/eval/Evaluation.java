package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.arrhythmiamonitor.beat.BeatClasses;
import org.arrhythmiamonitor.config.IoReasons;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.signal.MainsFrequency;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.arrhythmiamonitor.wfdb.AnnotationFile;

/**
 * Evaluates the signal path on every record of a WFDB directory, prints a per-record table and
 * builds the JSON report that {@code monitor eval} writes.
 */
public final class Evaluation {
    /** Annotator name of the annotation files the evaluation writes. */
    public static final String ANNOTATOR = "ecgmon";

    /**
     * @param db directory with the records
     * @param records record names; empty for every record with a header in {@code db}
     * @param lead lead to analyse; null for each record's first signal
     * @param referenceAnnotator annotator of the reference annotations, usually {@code atr}
     * @param mains mains notch of the signal path
     * @param annotationsOut where to write one {@value #ANNOTATOR} annotation file per record; null for none
     * @param classifiers the beat model of each record; null to score QRS detection only
     */
    public record Options(Path db, List<String> records, String lead, String referenceAnnotator,
            MainsFrequency mains, Path annotationsOut, RecordClassifiers classifiers) {
    }

    /** The evaluation's outcome: per-record results and the report. */
    public record Outcome(List<RecordResult> results, JsonObject report) {
        public boolean anyFailed() {
            return results.stream().anyMatch(r -> !r.ok());
        }
    }

    private Evaluation() {
    }

    public static Outcome run(Options options, PrintWriter out) {
        if (!Files.isDirectory(options.db())) {
            throw new IllegalArgumentException("database directory " + options.db() + " does not exist");
        }
        List<String> records = options.records().isEmpty() ? discover(options.db()) : options.records();
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no WFDB records (*.hea) in " + options.db());
        }
        if (options.annotationsOut() != null) {
            try {
                Files.createDirectories(options.annotationsOut());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + options.annotationsOut() + ": "
                        + IoReasons.of(e, options.annotationsOut()), e);
            }
        }
        RecordEvaluator evaluator = new RecordEvaluator(options.mains(), options.referenceAnnotator(),
                options.classifiers());
        out.printf(Locale.ROOT, "%-8s %-6s %7s %6s %5s %5s %8s %8s %11s%n", "record", "lead", "beats", "TP", "FN",
                "FP", "Se %", "+P %", "unreadable");
        long started = System.nanoTime();
        long samples = 0;
        List<RecordResult> results = new ArrayList<>();
        for (String record : records) {
            RecordResult result = evaluator.evaluate(options.db(), record, options.lead());
            results.add(result);
            if (!result.ok()) {
                out.printf(Locale.ROOT, "%-8s error: %s%n", record, result.error());
                continue;
            }
            samples += result.samples();
            QrsScore q = result.qrs();
            out.printf(Locale.ROOT, "%-8s %-6s %7d %6d %5d %5d %8s %8s %10.1f%%%n", record, result.lead(),
                    result.beats().size(), q.tp(), q.fn(), q.fp(), percent(q.se()), percent(q.ppv()),
                    100 * result.unreadableFraction());
            out.flush();
            if (options.annotationsOut() != null) {
                writeAnnotations(options.annotationsOut().resolve(record + "." + ANNOTATOR), result);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        QrsScore gross = results.stream().map(RecordResult::qrs).reduce(QrsScore.ZERO, QrsScore::plus);
        QrsScore readable = results.stream().map(RecordResult::qrsReadable).reduce(QrsScore.ZERO, QrsScore::plus);
        out.printf(Locale.ROOT, "%-8s %-6s %7s %6d %5d %5d %8s %8s%n", "gross", "", "", gross.tp(), gross.fn(),
                gross.fp(), percent(gross.se()), percent(gross.ppv()));
        out.printf(Locale.ROOT, "readable only: Se %s %%, +P %s %%; %d records in %.1f s (%.1f million samples/s)%n",
                percent(readable.se()), percent(readable.ppv()), results.size(), seconds, samples / seconds / 1e6);
        JsonObject report = report(options, results, gross, readable, seconds, samples);
        if (options.classifiers() != null) {
            BeatClassScore beatScore = BeatClassScore.of(results);
            BeatClassScore modelScore = BeatClassScore.ofModel(results);
            out.println(beatScore.table());
            out.printf(Locale.ROOT, "the beat model alone, before the rhythm: S Se %.2f +P %.2f, V Se %.2f +P %.2f%n",
                    modelScore.se(1), modelScore.ppv(1), modelScore.se(2), modelScore.ppv(2));
            report.put("beats", beatScore.toJson().put("model", options.classifiers().describe()));
            report.put("beats_model_only", modelScore.toJson());
            report.put("episodes", episodes(results, out));
        }
        out.flush();
        return new Outcome(results, report);
    }

    private static JsonObject report(Options options, List<RecordResult> results, QrsScore gross,
            QrsScore readable, double seconds, long samples) {
        JsonArray records = new JsonArray();
        double scoredUnreadable = 0;
        long okRecords = 0;
        for (RecordResult r : results) {
            JsonObject json = new JsonObject().put("record", r.record());
            if (!r.ok()) {
                records.add(json.put("error", r.error()));
                continue;
            }
            okRecords++;
            scoredUnreadable += r.unreadableFraction();
            records.add(json.put("lead", r.lead())
                    .put("fs_hz", r.fsHz())
                    .put("samples", r.samples())
                    .put("beats_detected", r.beats().size())
                    .put("qrs", qrs(r.qrs()))
                    .put("qrs_readable", qrs(r.qrsReadable()))
                    .put("unreadable_fraction", r.unreadableFraction())
                    .put("technical_events", new JsonObject(new LinkedHashMap<>(r.technicalEvents()))));
            if (r.model() != null) {
                json.put("model", r.model().id()).put("model_sha256", r.model().sha256());
            }
            if (r.confusion() != null) {
                json.put("beats", new BeatClassScore(r.confusion()).toJson());
                json.put("beats_model_only", new BeatClassScore(r.modelConfusion()).toJson());
            }
            if (r.episodes() != null) {
                json.put("episodes", r.episodes().toJson(r.fsHz()));
            }
        }
        return new JsonObject()
                .put("db", options.db().toString())
                .put("lead", options.lead())
                .put("reference_annotator", options.referenceAnnotator())
                .put("mains_notch", options.mains().toString())
                .put("rules", new JsonObject()
                        .put("match_window_s", RecordEvaluator.MATCH_WINDOW_S)
                        .put("learning_period_s", RecordEvaluator.LEARNING_PERIOD_S)
                        .put("excluded", "ventricular flutter/fibrillation episodes ([ to ])"))
                .put("qrs", qrs(gross))
                .put("qrs_readable", qrs(readable))
                .put("unreadable_fraction", okRecords == 0 ? 0 : scoredUnreadable / okRecords)
                .put("records_failed", results.stream().filter(r -> !r.ok()).count())
                .put("records", records)
                .put("seconds", seconds)
                .put("samples", samples)
                .put("samples_per_second", seconds > 0 ? samples / seconds : 0);
    }

    private static JsonObject qrs(QrsScore score) {
        return new JsonObject().put("tp", score.tp()).put("fn", score.fn()).put("fp", score.fp())
                .put("se", ScoreJson.percent(score.se())).put("ppv", ScoreJson.percent(score.ppv()));
    }

    /** Two decimals for the table; "-" where there was nothing to score, as bxb prints it. */
    private static String percent(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    /**
     * Gross episode scores over the records (durations summed in samples: the records share one
     * sampling rate, as MIT-BIH's do), printed and as the report's {@code episodes}.
     */
    private static JsonObject episodes(List<RecordResult> results, PrintWriter out) {
        EpisodeSpanScore af = EpisodeSpanScore.ZERO;
        EpisodeSpanScore afWithoutPaced = EpisodeSpanScore.ZERO;
        EpisodeSpanScore svt = EpisodeSpanScore.ZERO;
        VentricularRunScore runs = VentricularRunScore.ZERO;
        VentricularRunScore fromLabels = VentricularRunScore.ZERO;
        double fs = 0;
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        for (RecordResult r : results) {
            if (r.ok() && r.episodes() != null) {
                af = af.plus(r.episodes().af());
                svt = svt.plus(r.episodes().svt());
                if (!r.episodes().paced()) {
                    afWithoutPaced = afWithoutPaced.plus(r.episodes().af());
                }
                runs = runs.plus(r.episodes().vrun());
                fromLabels = fromLabels.plus(r.episodes().vrunReferenceLabels());
                r.episodes().counts().forEach((type, n) -> counts.merge(type, n, Integer::sum));
                fs = r.fsHz();
            }
        }
        out.printf(Locale.ROOT, "AF: episode Se %.1f %% +P %.1f %%, duration Se %.1f %% +P %.1f %%%n", af.episodeSe(),
                af.episodePpv(), af.durationSe(), af.durationPpv());
        if (!afWithoutPaced.equals(af)) {
            out.printf(Locale.ROOT, "    without paced records (as beat classes are scored): episode Se %.1f %% "
                    + "+P %.1f %%, duration Se %.1f %% +P %.1f %%%n", afWithoutPaced.episodeSe(),
                    afWithoutPaced.episodePpv(), afWithoutPaced.durationSe(), afWithoutPaced.durationPpv());
        }
        out.printf(Locale.ROOT, "SVT runs against the reference rhythm '(SVTA': episode Se %.1f %% +P %.1f %%%n",
                svt.episodeSe(), svt.episodePpv());
        out.printf(Locale.ROOT, "Ventricular runs: Se %.1f %% +P %.1f %% (from reference labels: Se %.1f %% +P %.1f %%)%n",
                runs.se(), runs.ppv(), fromLabels.se(), fromLabels.ppv());
        return new JsonObject()
                .put("af", af.toJson(fs))
                .put("af_without_paced", afWithoutPaced.toJson(fs))
                .put("svt", svt.toJson(fs))
                .put("vrun", runs.toJson())
                .put("vrun_reference_labels", fromLabels.toJson())
                .put("counts", new JsonObject(new java.util.LinkedHashMap<>(counts)));
    }

    /**
     * One beat annotation per detection, coded by its class when there is one (N, A, V, F, Q) so
     * bxb scores VEB and SVEB, and a rhythm annotation ({@code (AFIB}, then {@code (N}) at each AF
     * onset and end so epicmp can score AF.
     */
    private static void writeAnnotations(Path file, RecordResult result) {
        List<DetectedBeat> beats = result.beats();
        int[] classes = result.classes();
        List<Annotation> annotations = new ArrayList<>(beats.size());
        for (int i = 0; i < beats.size(); i++) {
            annotations.add(Annotation.beat(beats.get(i).sampleIndex(),
                    classes == null ? AnnotationCode.NORMAL : BeatClasses.annotationCode(classes[i])));
        }
        if (result.episodes() != null) {
            for (var segment : result.episodes().afSegments()) {
                annotations.add(Annotation.rhythm(segment.getOnsetSample(), "(AFIB"));
                if (segment.getEndSample() < result.samples()) {
                    annotations.add(Annotation.rhythm(segment.getEndSample(), "(N"));
                }
            }
        }
        annotations.sort(java.util.Comparator.comparingLong(Annotation::sample));
        // Annotation files must ascend; two annotations cannot share a sample.
        List<Annotation> ascending = new ArrayList<>(annotations.size());
        long last = -1;
        for (Annotation a : annotations) {
            long sample = Math.max(a.sample(), last + 1);
            ascending.add(new Annotation(sample, a.code(), a.subtype(), a.channel(), a.num(), a.aux()));
            last = sample;
        }
        AnnotationFile.write(file, ascending);
    }

    /** The records of {@code db}: the names of its headers ({@code *.hea}), sorted. */
    public static List<String> discover(Path db) {
        try (Stream<Path> files = Files.list(db)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".hea"))
                    .map(name -> name.substring(0, name.length() - 4))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + db + ": " + IoReasons.of(e, db), e);
        }
    }
}
