package org.arrhythmiamonitor.eval;

/** How the eval report writes a score. */
final class ScoreJson {
    private ScoreJson() {
    }

    /**
     * A percentage to three decimals; null (JSON null) where there was nothing to score (0/0), so
     * that a run that scored nothing cannot read as perfect.
     */
    static Double percent(double percent) {
        return Double.isNaN(percent) ? null : Math.round(percent * 1000) / 1000.0;
    }
}
