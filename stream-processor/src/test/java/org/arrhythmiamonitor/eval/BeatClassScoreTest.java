package org.arrhythmiamonitor.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.arrhythmiamonitor.qrs.EcgAnalyzer.DetectedBeat;
import org.arrhythmiamonitor.wfdb.Annotation;
import org.arrhythmiamonitor.wfdb.AnnotationCode;
import org.junit.jupiter.api.Test;

class BeatClassScoreTest {
    // Rows: reference N, S, V, F, Q, then detections without a reference beat.
    // Columns: detected N, S, V, F, Q, then reference beats without a detection.
    private static final long[][] MATRIX = {
        {900, 10, 20, 1, 0, 5},
        {30, 60, 2, 0, 0, 4},
        {5, 1, 80, 2, 0, 3},
        {4, 1, 9, 6, 0, 1},
        {1, 3, 7, 0, 2, 0},
        {2, 6, 4, 0, 0, 0},
    };

    @Test
    void vebAndSvebAreScoredAsBxbScoresThem() {
        BeatClassScore score = new BeatClassScore(MATRIX);

        // Vv / (Vn + Vs + Vv + Vf + Vq + Vo): a V beat the detector missed counts against Se.
        assertThat(score.vebSe()).isCloseTo(100.0 * 80 / (5 + 1 + 80 + 2 + 0 + 3), within(1e-9));
        // Vv / (Nv + Sv + Vv + Ov): fusion and Q beats called V are not false positives.
        assertThat(score.vebPpv()).isCloseTo(100.0 * 80 / (20 + 2 + 80 + 4), within(1e-9));
        // Ss / (Sn + Ss + Sv + Sf + Sq + So).
        assertThat(score.svebSe()).isCloseTo(100.0 * 60 / (30 + 60 + 2 + 0 + 0 + 4), within(1e-9));
        // Ss / (Ns + Ss + Vs + Fs + Os): Q beats called S are not false positives.
        assertThat(score.svebPpv()).isCloseTo(100.0 * 60 / (10 + 60 + 1 + 1 + 6), within(1e-9));
    }

    @Test
    void perClassFiguresAreThoseOfTheMatchedBeats() {
        BeatClassScore score = new BeatClassScore(MATRIX);

        assertThat(score.se(2)).isCloseTo(100.0 * 80 / (5 + 1 + 80 + 2 + 0), within(1e-9));
        assertThat(score.ppv(2)).isCloseTo(100.0 * 80 / (20 + 2 + 80 + 9 + 7), within(1e-9));
        JsonObject json = score.toJson();
        assertThat(json.getJsonObject("confusion").getJsonArray("matrix")).hasSize(5)
                .allSatisfy(row -> assertThat(((io.vertx.core.json.JsonArray) row)).hasSize(5));
        assertThat(json.getJsonObject("confusion").getJsonArray("reference_not_detected").getList())
                .containsExactly(5L, 4L, 3L, 1L, 0L);
        assertThat(json.getJsonObject("confusion").getJsonArray("detected_without_reference").getList())
                .containsExactly(2L, 6L, 4L, 0L, 0L);
        assertThat(json.getJsonObject("ec57").getJsonObject("veb").getDouble("ppv")).isEqualTo(75.47);
    }

    @Test
    void aDetectedBeatWithoutAnAamiClassIsNeitherScoredNorAnExtraDetection() {
        // An R-on-T beat has no class in EC57's table; its detection is a true QRS all the same.
        List<Annotation> reference = List.of(
                new Annotation(100_000, AnnotationCode.PVC, 0, 0, 0, null),
                new Annotation(100_300, AnnotationCode.RONT, 0, 0, 0, null),
                new Annotation(100_600, AnnotationCode.RONT, 0, 0, 0, null));
        List<DetectedBeat> beats = List.of(
                new DetectedBeat(100_001, 0, 1, Set.of(), new float[0]),
                new DetectedBeat(100_301, 0, 1, Set.of(), new float[0]),
                new DetectedBeat(100_900, 0, 1, Set.of(), new float[0]));
        long[][] m = RecordEvaluator.confusion(reference, beats, new int[] {2, 2, 2}, 54,
                List.of(new long[] {0, 1_000_000}));

        assertThat(m[2][2]).isEqualTo(1);
        assertThat(m[BeatClassScore.UNMATCHED][2]).as("only the detection of no beat").isEqualTo(1);
        assertThat(m[2][BeatClassScore.UNMATCHED]).isZero();
        assertThat(new BeatClassScore(m).vebPpv()).isEqualTo(50.0);
    }

    @Test
    void aClassWithoutBeatsHasNoFigure() {
        BeatClassScore score = new BeatClassScore(new long[6][6]);

        assertThat(score.vebSe()).isNaN();
        assertThat(score.toJson().getJsonObject("ec57").getJsonObject("sveb").getValue("ppv")).isNull();
    }
}
