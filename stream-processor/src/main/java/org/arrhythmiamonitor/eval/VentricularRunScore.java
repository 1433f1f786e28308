package org.arrhythmiamonitor.eval;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.arrhythmiamonitor.eval.VentricularRun.RunLength;

/**
 * Ventricular run detection scored per run length, as EC57 (and PhysioNet's {@code bxb}) report
 * it for couplets, short runs and long runs: a detector that finds single PVCs well may still
 * miss the runs, which matter more clinically.
 *
 * <p>Rule: a detected run matches a reference run when they overlap in time once one of them is
 * widened by the tolerance (the 150 ms beat match window) on each side, i.e. when
 * {@code detected.firstSample <= reference.lastSample + tolerance} and
 * {@code detected.lastSample >= reference.firstSample - tolerance}. A reference run matched by
 * any detected run is detected, and counts in the length class of the reference run (sensitivity);
 * a detected run matching any reference run is true, and counts in the length class of the
 * detected run (positive predictivity). The lengths need not agree: a reference short run found
 * as a couplet is a detected short run and a true couplet. Runs whose first beat is before
 * {@code scoredFrom} (the learning period) are not counted on either side, but may still match a
 * counted run, so that a run straddling the edge is neither missed nor false (as single beats
 * straddling it are in {@link Ec57Matcher}). Runs that touch an excluded span (ventricular
 * flutter or fibrillation, which EC57 and {@code bxb} leave out of beat scoring: its flutter
 * waves carry no beat labels) are not counted either.
 *
 * @param couplet counts for runs of 2 beats
 * @param shortRun counts for runs of 3 to 5 beats
 * @param longRun counts for runs of 6 beats or more
 */
public record VentricularRunScore(Counts couplet, Counts shortRun, Counts longRun) {
    public static final VentricularRunScore ZERO = new VentricularRunScore(Counts.ZERO, Counts.ZERO, Counts.ZERO);

    /**
     * The counts of one length class: sensitivity over reference runs of the class, positive
     * predictivity over detected runs of the class.
     *
     * @param reference reference runs
     * @param referenceDetected reference runs some detected run matches
     * @param detected detected runs
     * @param detectedTrue detected runs that match some reference run
     */
    public record Counts(long reference, long referenceDetected, long detected, long detectedTrue) {
        public static final Counts ZERO = new Counts(0, 0, 0, 0);

        public Counts plus(Counts other) {
            return new Counts(reference + other.reference, referenceDetected + other.referenceDetected,
                    detected + other.detected, detectedTrue + other.detectedTrue);
        }

        /** Percent of reference runs detected; NaN without reference runs. */
        public double se() {
            return reference == 0 ? Double.NaN : 100.0 * referenceDetected / reference;
        }

        /** Percent of detected runs that are true; NaN without detected runs. */
        public double ppv() {
            return detected == 0 ? Double.NaN : 100.0 * detectedTrue / detected;
        }

        JsonObject toJson() {
            return new JsonObject().put("se", ScoreJson.percent(se())).put("ppv", ScoreJson.percent(ppv()))
                    .put("reference", reference).put("detected", detected)
                    .put("reference_detected", referenceDetected).put("detected_true", detectedTrue);
        }
    }

    /**
     * Scores one record's runs under the rule above.
     *
     * @param reference the reference runs
     * @param detected the detected runs
     * @param scoredFrom first scored sample
     * @param toleranceSamples how far apart in samples runs may be and still match
     */
    public static VentricularRunScore of(List<VentricularRun> reference, List<VentricularRun> detected,
            long scoredFrom, long toleranceSamples) {
        return of(reference, detected, scoredFrom, List.of(), toleranceSamples);
    }

    /**
     * Scores one record's runs under the rule above, leaving out runs that touch an excluded span.
     *
     * @param excluded half-open sample spans [from, to) not scored
     */
    public static VentricularRunScore of(List<VentricularRun> reference, List<VentricularRun> detected,
            long scoredFrom, List<long[]> excluded, long toleranceSamples) {
        Scope scope = new Scope(scoredFrom, excluded);
        return new VentricularRunScore(count(RunLength.COUPLET, reference, detected, scope, toleranceSamples),
                count(RunLength.SHORT_RUN, reference, detected, scope, toleranceSamples),
                count(RunLength.LONG_RUN, reference, detected, scope, toleranceSamples));
    }

    /** Which runs are counted: those from the first scored sample on that touch no excluded span. */
    private record Scope(long scoredFrom, List<long[]> excluded) {
        boolean counts(VentricularRun run) {
            return run.firstSample() >= scoredFrom
                    && excluded.stream().noneMatch(x -> run.firstSample() < x[1] && run.lastSample() >= x[0]);
        }
    }

    public VentricularRunScore plus(VentricularRunScore other) {
        return new VentricularRunScore(couplet.plus(other.couplet), shortRun.plus(other.shortRun),
                longRun.plus(other.longRun));
    }

    public Counts counts(RunLength length) {
        return switch (length) {
            case COUPLET -> couplet;
            case SHORT_RUN -> shortRun;
            case LONG_RUN -> longRun;
        };
    }

    /** The counts over every run of two beats or more. */
    public Counts all() {
        return couplet.plus(shortRun).plus(longRun);
    }

    public double se(RunLength length) {
        return counts(length).se();
    }

    public double ppv(RunLength length) {
        return counts(length).ppv();
    }

    public double se() {
        return all().se();
    }

    public double ppv() {
        return all().ppv();
    }

    /** Percentages with three decimals, JSON null where there is no run to score. */
    public JsonObject toJson() {
        Counts all = all();
        JsonObject json = new JsonObject().put("se", ScoreJson.percent(all.se())).put("ppv", ScoreJson.percent(all.ppv()));
        for (RunLength length : RunLength.values()) {
            json.put(length.key(), counts(length).toJson());
        }
        return json.put("reference", all.reference()).put("detected", all.detected())
                .put("reference_detected", all.referenceDetected()).put("detected_true", all.detectedTrue());
    }

    private static boolean matches(VentricularRun reference, VentricularRun detected, long tolerance) {
        return detected.firstSample() <= reference.lastSample() + tolerance
                && detected.lastSample() >= reference.firstSample() - tolerance;
    }

    /** The counted runs of one class, each matched against every run of the other side. */
    private static Counts count(RunLength length, List<VentricularRun> reference, List<VentricularRun> detected,
            Scope scope, long tolerance) {
        List<VentricularRun> ref = counted(reference, length, scope);
        List<VentricularRun> det = counted(detected, length, scope);
        return new Counts(ref.size(),
                ref.stream().filter(r -> detected.stream().anyMatch(d -> matches(r, d, tolerance))).count(),
                det.size(),
                det.stream().filter(d -> reference.stream().anyMatch(r -> matches(r, d, tolerance))).count());
    }

    private static List<VentricularRun> counted(List<VentricularRun> runs, RunLength length, Scope scope) {
        return runs.stream().filter(r -> r.lengthClass() == length && scope.counts(r)).toList();
    }
}
