package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.arrhythmiamonitor.state.v1.BeatFeatureState;
import org.junit.jupiter.api.Test;

class BeatFeatureExtractorTest {
    private static float[] beat(float height) {
        float[] w = new float[BeatWindow.LENGTH];
        for (int k = 0; k < w.length; k++) {
            w[k] = 0.1f + (float) (height * Math.exp(-Math.pow(k - BeatWindow.BEFORE, 2) / 20.0));
        }
        return w;
    }

    @Test
    void aPrematureBeatShowsInItsRatiosAndStaysOutOfTheTemplate() {
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        for (int i = 0; i < 30; i++) {
            extractor.next(beat(1f), 0.8, 0.8, true);
        }
        BeatFeatures pvc = extractor.next(beat(3f), 0.5, 1.1, true);
        // prev, next, local, prev/local, next/local, next/prev, local/long
        assertThat(pvc.rr()[0]).isEqualTo(0.5f);
        assertThat(pvc.rr()[3]).isCloseTo(0.625f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(pvc.rr()[4]).isCloseTo(1.375f, org.assertj.core.data.Offset.offset(1e-3f));
        // The window is centred on its median (the baseline), the template is the usual beat.
        assertThat(pvc.beat()[0]).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(pvc.beat()[BeatWindow.BEFORE]).isCloseTo(3f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(pvc.template()[BeatWindow.BEFORE]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-3f));
        BeatFeatures next = extractor.next(beat(1f), 1.1, 0.8, true);
        assertThat(next.template()[BeatWindow.BEFORE]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-3f));
    }

    /** A wide beat of the other polarity: a ventricular shape, its QRS correlating negatively with {@link #beat}'s. */
    private static float[] wide(float depth) {
        float[] w = new float[BeatWindow.LENGTH];
        for (int k = 0; k < w.length; k++) {
            w[k] = 0.1f - (float) (depth * Math.exp(-Math.pow(k - BeatWindow.BEFORE - 6, 2) / 120.0));
        }
        return w;
    }

    private static double likeTemplate(BeatFeatures f) {
        return BeatFeatures.qrsShapeSimilarity(f.beat(), f.template());
    }

    /** An extractor that has learnt the usual beat ({@link #beat} of height 1) at this interval. */
    private static BeatFeatureExtractor usedTo(double rrS) {
        BeatFeatureExtractor extractor = new BeatFeatureExtractor();
        feed(extractor, beat(1f), rrS, 30);
        return extractor;
    }

    /** The features of the last of {@code n} beats of this window at this interval. */
    private static BeatFeatures feed(BeatFeatureExtractor extractor, float[] window, double rrS, int n) {
        BeatFeatures f = null;
        for (int i = 0; i < n; i++) {
            f = extractor.next(window, rrS, rrS, true);
        }
        return f;
    }

    @Test
    void aFastRhythmOfAnotherShapeNeverBecomesTheTemplateAndASlowerOneThenDoes() throws Exception {
        // Ventricular tachycardia at 115 a minute: once the local mean has caught up its beats are
        // no longer early, and learnt they became the template about 10 s in (and, learnt after 96
        // beats, a 144 s VT was reported ended 64 s in).
        BeatFeatureExtractor extractor = usedTo(0.8);
        assertThat(likeTemplate(feed(extractor, wide(1.5f), 0.52, 50))).as("50 beats in").isLessThan(0);
        // The template is part of the device's state, moved between instances with it.
        BeatFeatureExtractor moved = BeatFeatureExtractor.restore(BeatFeatureState.parseFrom(
                extractor.snapshot().toByteArray()));
        assertThat(likeTemplate(feed(moved, wide(1.5f), 0.52, 450))).as("500 beats in").isLessThan(0);
        // Under 100 a minute the same shape is learnt, as any new shape is.
        assertThat(likeTemplate(feed(moved, wide(1.5f), 0.8, 60))).as("at 75 a minute").isGreaterThan(0.9);
    }

    @Test
    void aSlowRhythmOfAnotherShapeBecomesTheTemplateAsBefore() {
        // A bundle branch block that comes, or an electrode moved, at 75 a minute.
        assertThat(likeTemplate(feed(usedTo(0.8), wide(1.5f), 0.8, 40))).isGreaterThan(0.9);
    }

    @Test
    void aRhythmOfTheSameShapeAtAnotherSizeStillTeachesTheTemplateWhenFast() {
        assertThat(feed(usedTo(0.5), beat(2.5f), 0.5, 40).template()[BeatWindow.BEFORE]).isGreaterThan(2.2f);
    }

    @Test
    void unknownIntervalsFallBackToTheKnownOnesAndTheStateSurvivesASnapshot() throws Exception {
        BeatFeatureExtractor a = new BeatFeatureExtractor();
        BeatFeatures first = a.next(beat(1f), 0, 0.9, true);
        assertThat(first.rr()[0]).isEqualTo(0.9f);
        assertThat(first.template()).isEqualTo(first.beat());
        for (int i = 0; i < 5; i++) {
            a.next(beat(1f + i / 10f), 0.9, 0.9, true);
        }
        BeatFeatureState saved = a.snapshot();
        BeatFeatureExtractor b = BeatFeatureExtractor.restore(BeatFeatureState.parseFrom(saved.toByteArray()));
        BeatFeatures fromA = a.next(beat(1.2f), 0.9, 0, true);
        BeatFeatures fromB = b.next(beat(1.2f), 0.9, 0, true);
        assertThat(fromB.rr()).isEqualTo(fromA.rr());
        assertThat(fromB.template()).isEqualTo(fromA.template());
        assertThat(fromA.rr()[1]).isEqualTo(0.9f);
        assertThatThrownBy(() -> a.next(new float[10], 1, 1, true)).hasMessageContaining("160 samples");
    }
}
