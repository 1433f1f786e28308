package org.arrhythmiamonitor.eval;

/**
 * Beat-by-beat QRS detection counts, with sensitivity and positive predictivity in percent. Without
 * beats to find (or detections to check) the ratio is 0/0, not a score: NaN, never 100, so a record
 * that was not scored, or a run where no record was, cannot read as perfect detection.
 */
public record QrsScore(long tp, long fn, long fp) {
    public static final QrsScore ZERO = new QrsScore(0, 0, 0);

    public QrsScore plus(QrsScore other) {
        return new QrsScore(tp + other.tp, fn + other.fn, fp + other.fp);
    }

    /** Se = TP / (TP + FN), percent; NaN when there was nothing to find. */
    public double se() {
        return tp + fn == 0 ? Double.NaN : 100.0 * tp / (tp + fn);
    }

    /** +P = TP / (TP + FP), percent; NaN when nothing was detected. */
    public double ppv() {
        return tp + fp == 0 ? Double.NaN : 100.0 * tp / (tp + fp);
    }
}
