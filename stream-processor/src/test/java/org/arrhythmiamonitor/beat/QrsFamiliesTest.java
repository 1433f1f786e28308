package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.arrhythmiamonitor.state.v1.QrsFamilyState;
import org.junit.jupiter.api.Test;

/** The families of QRS shapes one device has shown, fed batch rows whose QRS is a spike at a chosen place. */
class QrsFamiliesTest {
    private static final int N = 0;
    private static final int V = 2;
    private static final int F = 3;

    private QrsFamilies families = new QrsFamilies();

    @Test
    void aBeatJoinsTheNearestShapeWithinReachAndAnotherStartsAFamily() {
        learn(spike(10, 1f), N);
        learn(spike(30, 1f), N);
        assertThat(families.familyOf(spike(10, 1.05f), 0)).isZero();
        assertThat(families.familyOf(spike(30, 0.95f), 0)).isEqualTo(1);
        // The same place at half the size is a different QRS: its difference is 0.25.
        assertThat(families.familyOf(spike(10, 0.5f), 0)).isEqualTo(-1);
        assertThat(families.familyOf(spike(50, 1f), 0)).isEqualTo(-1);
    }

    @Test
    void aShapeIsSupraventricularFromTemplateBeatsWithFewCallsOtherThanNOrS() {
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS - 1; i++) {
            learn(spike(10, 1f), N);
        }
        assertThat(families.supraventricular(0)).as("young").isFalse();
        learn(spike(10, 1f), N);
        assertThat(families.supraventricular(0)).isTrue();
        assertThat(families.supraventricular(-1)).isFalse();
        // 4 of 20 called V or F: a share of 0.2 (as a running mean, 0.19999999999999998).
        learn(spike(10, 1f), V);
        learn(spike(10, 1f), F);
        learn(spike(10, 1f), V);
        learn(spike(10, 1f), V);
        assertThat(families.snapshot().get(0).getOtherShare()).isCloseTo(0.2, within(1e-9));
        assertThat(families.supraventricular(0)).isTrue();
        learn(spike(10, 1f), V);
        assertThat(families.supraventricular(0)).isFalse();
    }

    @Test
    void aNewShapeReplacesTheFamilyWithFewestBeatsJoinedLongestAgo() {
        for (int f = 0; f < QrsFamilies.MAX_FAMILIES; f++) {
            for (int i = 0; i <= f % 3; i++) {
                learn(spike(4 + 4 * f, 1f), N);
            }
        }
        // Families 0, 3, 6 and 9 have one beat each; 0 was joined longest ago.
        learn(spike(60, 1f), V);
        List<QrsFamilyState> kept = families.snapshot();
        assertThat(kept).hasSize(QrsFamilies.MAX_FAMILIES);
        assertThat(families.familyOf(spike(4, 1f), 0)).isEqualTo(-1);
        assertThat(families.familyOf(spike(16, 1f), 0)).isGreaterThanOrEqualTo(0);
        assertThat(families.familyOf(spike(60, 1f), 0)).isEqualTo(QrsFamilies.MAX_FAMILIES - 1);
        assertThat(kept.get(QrsFamilies.MAX_FAMILIES - 1).getOtherShare()).isEqualTo(1.0);
    }

    @Test
    void theFamiliesSurviveARestartAndADamagedOneIsRefused() {
        for (int i = 0; i < 20; i++) {
            learn(spike(10, 1f), i % 7 == 1 ? V : N);
            learn(spike(40, -1f), V);
        }
        QrsFamilies restored = QrsFamilies.restore(families.snapshot());
        assertThat(restored.snapshot()).isEqualTo(families.snapshot());
        // The count of beats learnt from goes on from 40: the next beat is the 41st.
        families = restored;
        learn(spike(10, 1f), N);
        assertThat(families.snapshot().get(0).getLastJoined()).isEqualTo(41);
        assertThat(restored.supraventricular(0)).isTrue();
        assertThat(restored.supraventricular(1)).isFalse();

        QrsFamilyState damaged = QrsFamilyState.newBuilder().addQrs(1f).setBeats(3).build();
        assertThatThrownBy(() -> QrsFamilies.restore(List.of(damaged)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 samples and 3 beats");
    }

    @Test
    void theThresholdsAndWeightsAreTheDocumentedOnes() {
        float[] qrs = qrsOf(spike(10, 1f));
        assertThat(restored(family(qrs, 16, 0.2)).supraventricular(0)).as("a fifth, exactly").isTrue();
        assertThat(restored(family(qrs, 16, 0.2 + 1e-9)).supraventricular(0)).isFalse();
        assertThat(restored(family(qrs, 15, 0.0)).supraventricular(0)).as("young").isFalse();
        // An old family: its share moves by 1/500 of a call, its mean by 1/16 of a beat.
        families = restored(family(qrs, 1000, 0.0));
        learn(spike(10, 1.2f), V);
        QrsFamilyState after = families.snapshot().get(0);
        assertThat(after.getOtherShare()).isEqualTo(1.0 / QrsFamilies.SHARE_BEATS);
        assertThat(after.getQrs(10)).isCloseTo(1f + 0.2f / BeatFeatureExtractor.TEMPLATE_BEATS, within(1e-6f));
        assertThat(after.getBeats()).isEqualTo(1001);
    }

    @Test
    void aBeatWithinReachOfTwoFamiliesJoinsTheNearer() {
        families = QrsFamilies.restore(List.of(family(qrsOf(spike(10, 1f)), 20, 0.0),
                family(qrsOf(spike(10, 1.3f)), 20, 1.0)));
        assertThat(families.familyOf(spike(10, 1.25f), 0)).isEqualTo(1);
        assertThat(families.familyOf(spike(10, 1.05f), 0)).isZero();
    }

    @Test
    void numbersOutOfRangeInASavedFamilyFailSafe() {
        float[] qrs = qrsOf(spike(10, 1f));
        families = restored(family(qrs, 40, Double.NaN));
        assertThat(families.supraventricular(0)).isFalse();
        // Read as all V: it learns back from there, where a NaN share would never.
        learn(spike(10, 1f), N);
        assertThat(families.snapshot().get(0).getOtherShare()).isCloseTo(1 - 1.0 / 41, within(1e-12));
        assertThat(restored(family(qrs, Integer.MAX_VALUE, 0.0)).snapshot().get(0).getBeats())
                .isLessThan(Integer.MAX_VALUE);
        assertThat(restored(family(qrs, 40, -0.5)).supraventricular(0)).isFalse();
    }

    @Test
    void theStateStaysSmallWhateverTheBeats() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 5_000; i++) {
            learn(spike(random.nextInt(BeatWindow.QRS_END - BeatWindow.QRS_START), 0.2f + random.nextFloat()),
                    random.nextInt(5));
        }
        List<QrsFamilyState> kept = families.snapshot();
        assertThat(kept).hasSize(QrsFamilies.MAX_FAMILIES);
        int bytes = kept.stream().mapToInt(f -> f.getSerializedSize() + 3).sum();
        assertThat(bytes).isLessThan(3_500);
    }

    private static QrsFamilies restored(QrsFamilyState family) {
        return QrsFamilies.restore(List.of(family));
    }

    private static QrsFamilyState family(float[] qrs, int beats, double share) {
        QrsFamilyState.Builder f = QrsFamilyState.newBuilder().setBeats(beats).setOtherShare(share).setLastJoined(1);
        for (float v : qrs) {
            f.addQrs(v);
        }
        return f.build();
    }

    private static float[] qrsOf(float[] row) {
        return java.util.Arrays.copyOfRange(row, BeatWindow.QRS_START, BeatWindow.QRS_END);
    }

    private void learn(float[] row, int beatClass) {
        families.learn(families.familyOf(row, 0), row, 0, beatClass);
    }

    /** A batch row whose beat is flat but for a spike of {@code mv} at {@code at} samples into the QRS stretch. */
    private static float[] spike(int at, float mv) {
        float[] row = new float[BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH];
        row[BeatWindow.QRS_START + at] = mv;
        return row;
    }
}
