package org.arrhythmiamonitor.eval;

/** Beat-by-beat QRS detection counts, with sensitivity and positive predictivity in percent. */
public record QrsScore(long tp, long fn, long fp) {
    public static final QrsScore ZERO = new QrsScore(0, 0, 0);

    public QrsScore plus(QrsScore other) {
        return new QrsScore(tp + other.tp, fn + other.fn, fp + other.fp);
    }

    /** Se = TP / (TP + FN), percent; 100 when there was nothing to find. */
    public double se() {
        return tp + fn == 0 ? 100 : 100.0 * tp / (tp + fn);
    }

    /** +P = TP / (TP + FP), percent; 100 when nothing was detected. */
    public double ppv() {
        return tp + fp == 0 ? 100 : 100.0 * tp / (tp + fp);
    }
}
