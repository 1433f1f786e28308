package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import org.arrhythmiamonitor.beat.BeatClasses;

/**
 * Beat classification scored as EC57 scores it: a confusion matrix of matched beats, reference
 * class by detected class, and per class sensitivity and positive predictivity.
 *
 * @param confusion rows: reference N, S, V, F, Q; columns: detected
 */
public record BeatClassScore(long[][] confusion) {
    private static final List<String> CLASSES = BeatClasses.NAMES;

    /**
     * The sum over the records that have a matrix (records with paced beats have none), of the
     * classes the pipeline reports.
     */
    public static BeatClassScore of(List<RecordResult> results) {
        return sum(results, RecordResult::confusion);
    }

    /** The same for the beat model's own classes, before the rhythm is known. */
    public static BeatClassScore ofModel(List<RecordResult> results) {
        return sum(results, RecordResult::modelConfusion);
    }

    private static BeatClassScore sum(List<RecordResult> results, Function<RecordResult, long[][]> matrix) {
        long[][] total = new long[CLASSES.size()][CLASSES.size()];
        for (RecordResult r : results) {
            long[][] m = r.ok() ? matrix.apply(r) : null;
            if (m != null) {
                for (int i = 0; i < total.length; i++) {
                    for (int j = 0; j < total.length; j++) {
                        total[i][j] += m[i][j];
                    }
                }
            }
        }
        return new BeatClassScore(total);
    }

    /** Percent of reference beats of class {@code k} detected as {@code k}; NaN without any. */
    public double se(int k) {
        long row = 0;
        for (long v : confusion[k]) {
            row += v;
        }
        return row == 0 ? Double.NaN : 100.0 * confusion[k][k] / row;
    }

    /** Percent of beats detected as class {@code k} that are {@code k}; NaN without any. */
    public double ppv(int k) {
        long column = 0;
        for (long[] row : confusion) {
            column += row[k];
        }
        return column == 0 ? Double.NaN : 100.0 * confusion[k][k] / column;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        JsonArray matrix = new JsonArray();
        for (long[] row : confusion) {
            JsonArray r = new JsonArray();
            for (long v : row) {
                r.add(v);
            }
            matrix.add(r);
        }
        json.put("confusion", new JsonObject().put("classes", new JsonArray(CLASSES))
                .put("rows", "reference").put("columns", "detected").put("matrix", matrix));
        for (int k = 0; k < CLASSES.size(); k++) {
            json.put(CLASSES.get(k), new JsonObject().put("se", percent(se(k))).put("ppv", percent(ppv(k))));
        }
        return json;
    }

    public String table() {
        StringBuilder s = new StringBuilder("beat classes (matched beats, records without paced beats)\n");
        s.append(String.format(Locale.ROOT, "%-10s", "ref\\det"));
        for (String c : CLASSES) {
            s.append(String.format(Locale.ROOT, "%8s", c));
        }
        s.append(String.format(Locale.ROOT, "%9s %8s%n", "Se %", "+P %"));
        for (int i = 0; i < CLASSES.size(); i++) {
            s.append(String.format(Locale.ROOT, "%-10s", CLASSES.get(i)));
            for (long v : confusion[i]) {
                s.append(String.format(Locale.ROOT, "%8d", v));
            }
            s.append(String.format(Locale.ROOT, "%9.2f %8.2f%n", se(i), ppv(i)));
        }
        return s.toString().stripTrailing();
    }

    /** Two decimals; null (JSON null) where the class has no beats to score. */
    private static Double percent(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
