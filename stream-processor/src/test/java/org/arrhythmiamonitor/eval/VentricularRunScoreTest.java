package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.arrhythmiamonitor.eval.VentricularRun.RunLength;
import org.arrhythmiamonitor.eval.VentricularRunScore.Counts;
import org.junit.jupiter.api.Test;

class VentricularRunScoreTest {
    private static final int FS = 360;
    /** The 150 ms beat match window at 360 Hz. */
    private static final long TOLERANCE = 54;

    @Test
    void lengthClassesAreCoupletsShortRunsAndLongRuns() {
        assertThat(new VentricularRun(0, 100, 2).lengthClass()).isEqualTo(RunLength.COUPLET);
        assertThat(new VentricularRun(0, 200, 3).lengthClass()).isEqualTo(RunLength.SHORT_RUN);
        assertThat(new VentricularRun(0, 400, 5).lengthClass()).isEqualTo(RunLength.SHORT_RUN);
        assertThat(new VentricularRun(0, 500, 6).lengthClass()).isEqualTo(RunLength.LONG_RUN);
    }

    @Test
    void sensitivityCountsInTheReferenceClassAndPredictivityInTheDetectedClass() {
        // A reference couplet detected as a short run: a detected couplet, a true short run.
        VentricularRunScore score = VentricularRunScore.of(List.of(new VentricularRun(1000, 1100, 2)),
                List.of(new VentricularRun(1000, 1200, 3)), 0, TOLERANCE);

        assertThat(score.couplet()).isEqualTo(new Counts(1, 1, 0, 0));
        assertThat(score.shortRun()).isEqualTo(new Counts(0, 0, 1, 1));
        assertThat(score.longRun()).isEqualTo(Counts.ZERO);
        assertThat(score.se(RunLength.COUPLET)).isEqualTo(100);
        assertThat(score.ppv(RunLength.COUPLET)).isNaN();
        assertThat(score.se(RunLength.SHORT_RUN)).isNaN();
        assertThat(score.ppv(RunLength.SHORT_RUN)).isEqualTo(100);
        assertThat(score.se()).isEqualTo(100);
        assertThat(score.ppv()).isEqualTo(100);
    }

    @Test
    void runsMatchWithinTheToleranceOnly() {
        VentricularRun reference = new VentricularRun(10_000, 10_300, 4);
        VentricularRun after100ms = new VentricularRun(10_300 + FS / 10, 10_500, 3);
        VentricularRun before100ms = new VentricularRun(9_600, 10_000 - FS / 10, 3);
        VentricularRun after1s = new VentricularRun(10_300 + FS, 10_900, 3);

        assertThat(VentricularRunScore.of(List.of(reference), List.of(after100ms), 0, TOLERANCE).shortRun())
                .isEqualTo(new Counts(1, 1, 1, 1));
        assertThat(VentricularRunScore.of(List.of(reference), List.of(before100ms), 0, TOLERANCE).shortRun())
                .isEqualTo(new Counts(1, 1, 1, 1));
        assertThat(VentricularRunScore.of(List.of(reference), List.of(after1s), 0, TOLERANCE).shortRun())
                .isEqualTo(new Counts(1, 0, 1, 0));
        assertThat(VentricularRunScore.of(List.of(reference), List.of(after100ms), 0, 0).shortRun())
                .isEqualTo(new Counts(1, 0, 1, 0));
    }

    @Test
    void runsStartingInTheLearningPeriodAreNotScored() {
        VentricularRunScore score = VentricularRunScore.of(
                List.of(new VentricularRun(100, 200, 2), new VentricularRun(950, 1_500, 8), new VentricularRun(2_000, 2_100, 2)),
                List.of(new VentricularRun(100, 200, 2), new VentricularRun(1_000, 1_500, 7)), 1_000, TOLERANCE);

        // The reference long run starts before sample 1000 and is not counted, but the detected one
        // starting after it is counted and true: it found the run straddling the edge.
        assertThat(score.couplet()).isEqualTo(new Counts(1, 0, 0, 0));
        assertThat(score.longRun()).isEqualTo(new Counts(0, 0, 1, 1));
        assertThat(score.all()).isEqualTo(new Counts(1, 0, 1, 1));
    }

    @Test
    void runsTouchingVentricularFlutterAreNotScored() {
        // Flutter waves carry no beat labels: runs found in them are neither true nor false.
        List<long[]> flutter = List.<long[]>of(new long[] {10_000, 20_000});
        VentricularRunScore score = VentricularRunScore.of(List.of(new VentricularRun(2_000, 2_500, 6)),
                List.of(new VentricularRun(2_000, 2_500, 6), new VentricularRun(12_000, 15_000, 30),
                        new VentricularRun(9_800, 10_100, 3), new VentricularRun(20_000, 20_300, 3)),
                0, flutter, TOLERANCE);

        assertThat(score.longRun()).isEqualTo(new Counts(1, 1, 1, 1));
        assertThat(score.shortRun()).as("the run just after the flutter's end is scored")
                .isEqualTo(new Counts(0, 0, 1, 0));
    }

    @Test
    void oneDetectedRunMayDetectSeveralReferenceRuns() {
        VentricularRunScore score = VentricularRunScore.of(
                List.of(new VentricularRun(1000, 1100, 2), new VentricularRun(1300, 1500, 3)),
                List.of(new VentricularRun(1000, 1500, 6)), 0, TOLERANCE);

        assertThat(score.all()).isEqualTo(new Counts(2, 2, 1, 1));
    }

    @Test
    void plusSumsEveryClassAndJsonHasNullForUndefinedPercentages() {
        VentricularRunScore a = VentricularRunScore.of(
                List.of(new VentricularRun(1000, 1100, 2), new VentricularRun(5000, 6000, 9)),
                List.of(new VentricularRun(1000, 1100, 2)), 0, TOLERANCE);
        VentricularRunScore b = VentricularRunScore.of(
                List.of(new VentricularRun(1000, 1100, 2)),
                List.of(new VentricularRun(3000, 3100, 2), new VentricularRun(1000, 1300, 4)), 0, TOLERANCE);

        VentricularRunScore gross = VentricularRunScore.ZERO.plus(a).plus(b);

        assertThat(gross).isEqualTo(new VentricularRunScore(new Counts(2, 2, 2, 1), new Counts(0, 0, 1, 1),
                new Counts(1, 0, 0, 0)));
        assertThat(gross.se()).isCloseTo(200.0 / 3, within(1e-9));
        assertThat(gross.toJson()).isEqualTo(new JsonObject()
                .put("se", 66.667)
                .put("ppv", 66.667)
                .put("couplet", new JsonObject().put("se", 100.0).put("ppv", 50.0).put("reference", 2L)
                        .put("detected", 2L).put("reference_detected", 2L).put("detected_true", 1L))
                .put("short_run", new JsonObject().put("se", null).put("ppv", 100.0).put("reference", 0L)
                        .put("detected", 1L).put("reference_detected", 0L).put("detected_true", 1L))
                .put("long_run", new JsonObject().put("se", 0.0).put("ppv", null).put("reference", 1L)
                        .put("detected", 0L).put("reference_detected", 0L).put("detected_true", 0L))
                .put("reference", 3L)
                .put("detected", 3L)
                .put("reference_detected", 2L)
                .put("detected_true", 2L));
    }
}
