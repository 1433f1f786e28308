package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import org.arrhythmiamonitor.beat.BeatClasses;

/**
 * Beat classification scored as EC57 scores it. The confusion matrix holds the beats in the scored
 * intervals, reference class by detected class, N, S, V, F, Q, with one more row for detections
 * that match no reference beat and one more column for reference beats that no detection matches.
 *
 * <p>Two sets of figures come from it. Per class, the sensitivity and positive predictivity of the
 * matched beats. And the gross VEB and SVEB statistics of EC57, with the formulas of its reference
 * implementation (PhysioNet's {@code bxb}): a V or S beat that was not detected counts against the
 * sensitivity, and an extra detection called V or S against the positive predictivity; fusion and
 * unclassifiable beats called V, and unclassifiable beats called S, are not false positives (a
 * fusion beat is half ventricular, and Q is no claim about the rhythm). The classes are EC57's
 * (DESIGN.md), where bxb's own table, asked for SVEB figures, also counts nodal and atrial escape
 * beats ({@code j}, {@code e}) as S; reference beats without an AAMI class ({@code r}, {@code n},
 * {@code ?}) are left out.
 *
 * @param confusion rows: reference N, S, V, F, Q, then detections without a reference beat;
 *     columns: detected N, S, V, F, Q, then reference beats without a detection
 */
public record BeatClassScore(long[][] confusion) {
    private static final List<String> CLASSES = BeatClasses.NAMES;
    /** Index of the unmatched row and column. */
    public static final int UNMATCHED = CLASSES.size();
    private static final int N = 0;
    private static final int S = 1;
    private static final int V = 2;
    private static final int F = 3;

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
        long[][] total = new long[UNMATCHED + 1][UNMATCHED + 1];
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

    /** EC57's VEB sensitivity: V beats called V over all V beats, the undetected ones too. */
    public double vebSe() {
        return percent(confusion[V][V], rowWithUnmatched(V));
    }

    /** EC57's VEB positive predictivity: F and Q beats called V are not false positives. */
    public double vebPpv() {
        long[] column = column(V);
        return percent(column[V], column[N] + column[S] + column[V] + column[UNMATCHED]);
    }

    /** EC57's SVEB sensitivity: S beats called S over all S beats, the undetected ones too. */
    public double svebSe() {
        return percent(confusion[S][S], rowWithUnmatched(S));
    }

    /** EC57's SVEB positive predictivity: Q beats called S are not false positives. */
    public double svebPpv() {
        long[] column = column(S);
        return percent(column[S], column[N] + column[S] + column[V] + column[F] + column[UNMATCHED]);
    }

    private long rowWithUnmatched(int k) {
        return rowSum(k, confusion[k].length);
    }

    /** The first {@code upTo} columns of row {@code k}. */
    private long rowSum(int k, int upTo) {
        long row = 0;
        for (int j = 0; j < upTo; j++) {
            row += confusion[k][j];
        }
        return row;
    }

    private long[] column(int k) {
        long[] column = new long[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            column[i] = confusion[i][k];
        }
        return column;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? Double.NaN : 100.0 * part / whole;
    }

    /** Percent of the matched reference beats of class {@code k} detected as {@code k}; NaN without any. */
    public double se(int k) {
        return percent(confusion[k][k], rowSum(k, UNMATCHED));
    }

    /** Percent of the matched beats detected as class {@code k} that are {@code k}; NaN without any. */
    public double ppv(int k) {
        long[] column = column(k);
        long matched = 0;
        for (int i = 0; i < UNMATCHED; i++) {
            matched += column[i];
        }
        return percent(confusion[k][k], matched);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        JsonArray matrix = new JsonArray();
        JsonArray missed = new JsonArray();
        JsonArray extra = new JsonArray();
        for (int i = 0; i < UNMATCHED; i++) {
            JsonArray r = new JsonArray();
            for (int j = 0; j < UNMATCHED; j++) {
                r.add(confusion[i][j]);
            }
            matrix.add(r);
            missed.add(confusion[i][UNMATCHED]);
            extra.add(confusion[UNMATCHED][i]);
        }
        json.put("confusion", new JsonObject().put("classes", new JsonArray(CLASSES))
                .put("rows", "reference").put("columns", "detected").put("matrix", matrix)
                .put("reference_not_detected", missed).put("detected_without_reference", extra));
        for (int k = 0; k < CLASSES.size(); k++) {
            json.put(CLASSES.get(k), new JsonObject().put("se", rounded(se(k))).put("ppv", rounded(ppv(k))));
        }
        json.put("ec57", new JsonObject()
                .put("veb", new JsonObject().put("se", rounded(vebSe())).put("ppv", rounded(vebPpv())))
                .put("sveb", new JsonObject().put("se", rounded(svebSe())).put("ppv", rounded(svebPpv()))));
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
            for (int j = 0; j < UNMATCHED; j++) {
                s.append(String.format(Locale.ROOT, "%8d", confusion[i][j]));
            }
            s.append(String.format(Locale.ROOT, "%9.2f %8.2f%n", se(i), ppv(i)));
        }
        s.append(String.format(Locale.ROOT, "EC57 gross, with undetected and extra beats: VEB Se %.2f +P %.2f, "
                + "SVEB Se %.2f +P %.2f", vebSe(), vebPpv(), svebSe(), svebPpv()));
        return s.toString();
    }

    /** Two decimals; null (JSON null) where the class has no beats to score. */
    private static Double rounded(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
