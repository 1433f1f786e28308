package org.arrhythmiamonitor.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.arrhythmiamonitor.state.v1.TemplateMatchState;
import org.arrhythmiamonitor.wire.v1.ClassifiedBeat;
import org.junit.jupiter.api.Test;

/**
 * The template match over a device's beats as the stream sees them: each beat goes through the
 * real {@link BeatFeatureExtractor}, so the template it is compared with grows, follows and forgets
 * as it does in the stream; the test plays the model and picks its class.
 */
class TemplateMatchTest {
    private static final int N = 0;
    private static final int S = 1;
    private static final int V = 2;
    private static final int F = 3;
    private static final int Q = 4;
    private static final double ON_TIME = 1.0;
    /** Premature (under 0.9 of the local mean), so not learnt, but not clearly early (0.85). */
    private static final double A_LITTLE_EARLY = 0.88;
    /** Clearly early (under 0.85 of the local mean) after beats on time. */
    private static final double EARLY = 0.7;
    static final float[] USUAL = beat(1.0, 0.010);
    private static final float[] WIDE = beat(-1.2, 0.040);
    /** A second shape of conducted beats: positive and wider than the usual one, unlike WIDE. */
    static final float[] ABERRANT = beat(0.9, 0.022);

    private final BeatFeatureExtractor extractor = new BeatFeatureExtractor();
    private TemplateMatch match = new TemplateMatch();
    private final float[] row = new float[BeatFeatures.CHANNELS.size() * BeatWindow.LENGTH];
    private final float[] rr = new float[BeatFeatures.RR_FEATURES.size()];

    @Test
    void aVentricularCallWithThePatientsUsualQrsIsSupraventricular() {
        usualBeats(20);
        assertThat(next(V, USUAL, ON_TIME)).isEqualTo(N);
        assertThat(next(F, USUAL, ON_TIME)).isEqualTo(N);
        // Clearly early with the usual QRS: an atrial or nodal premature beat.
        assertThat(next(V, USUAL, 0.8)).isEqualTo(S);
        // Early, but not clearly: as a sinus beat in sinus arrhythmia can be.
        assertThat(next(V, USUAL, A_LITTLE_EARLY)).isEqualTo(N);
        // The usual shape at 1.3 times its size matches; at 1.4 times it does not (though it is still
        // of the usual beats' family, a conducted shape, on which ReportedClass reports it N).
        assertThat(next(V, BeatFeaturesTest.scaled(USUAL, 1.3f), A_LITTLE_EARLY)).isEqualTo(N);
        TemplateMatch.Decision larger = decide(V, BeatFeaturesTest.scaled(USUAL, 1.4f), A_LITTLE_EARLY);
        assertThat(larger.beatClass()).isEqualTo(V);
        assertThat(larger.conductedShape()).isTrue();
    }

    @Test
    void aBeatEarlierThanThePatientsRhythmVariesIsUnusuallyEarly() {
        usualBeats(PrematuritySpread.MIN_BEATS - 1);
        assertThat(decide(N, USUAL, A_LITTLE_EARLY).unusuallyEarly()).as("too few beats known").isFalse();
        match = new TemplateMatch();
        usualBeats(20);
        // A steady rhythm: 0.88 of the interval before, and of the local mean, is unusually early.
        assertThat(decide(N, USUAL, A_LITTLE_EARLY).unusuallyEarly()).isTrue();
        usualBeats(20);
        assertThat(decide(V, WIDE, EARLY).unusuallyEarly()).as("whatever the class").isTrue();
        usualBeats(20);
        TemplateMatch restored = TemplateMatch.restore(match.snapshot());
        assertThat(restored.snapshot()).isEqualTo(match.snapshot());
        assertThat(match.snapshot().getRecentPrematurityCount()).as("the N beats, not the V").isEqualTo(61);
        assertThat(match.snapshot().getLastRrS()).isEqualTo(ON_TIME);
        match = restored;
        assertThat(decide(N, USUAL, A_LITTLE_EARLY).unusuallyEarly()).as("after a restore").isTrue();
        // Sinus arrhythmia: intervals swing between 0.8 and 1.2 s, about 0.1 of the local mean each
        // way from it, so 0.88 of the mean is within three spreads.
        for (int i = 0; i < 80; i++) {
            next(N, USUAL, 1.0 + 0.2 * Math.sin(i * 2 * Math.PI / 8));
        }
        assertThat(decide(N, USUAL, 0.8).unusuallyEarly()).isFalse();
    }

    @Test
    void theSpreadLearnsFromTheClassTheTemplateMatchLeft() {
        usualBeats(20);
        int learnt = match.snapshot().getRecentPrematurityCount();
        // V calls with the usual QRS, on time: the template match makes them N, and N beats are learnt.
        for (int i = 0; i < 3; i++) {
            assertThat(next(V, USUAL, ON_TIME)).isEqualTo(N);
        }
        assertThat(match.snapshot().getRecentPrematurityCount()).isEqualTo(learnt + 3);
        next(V, WIDE, ON_TIME);
        assertThat(match.snapshot().getRecentPrematurityCount()).as("a V call that stands").isEqualTo(learnt + 3);
    }

    @Test
    void aBeatReadingTakesTheMeasuredIntervalNotTheFeature() {
        usualBeats(20);
        // A restarted detector's first beat: no interval measured, so the features take the next one
        // (0.8 s) in its place, which looks early; with no interval it is not unusually early.
        extractor.next(USUAL, 0, 0.8, true).writeTo(row, rr, 0);
        float[] sure = {1, 0, 0, 0, 0};
        assertThat(BeatFeatures.prematurityIndex(rr, 0)).isLessThan(0.9f);
        TemplateMatch restarted = TemplateMatch.restore(match.snapshot());
        assertThat(BeatReading.of(sure, restarted, row, rr, 0, 0, true, false).decision().unusuallyEarly()).isFalse();
        assertThat(BeatReading.of(sure, match, row, rr, 0, 0.8, true, false).decision().unusuallyEarly())
                .as("the same beat with its interval measured").isTrue();
    }

    @Test
    void aBeatReadingCarriesTheModelsProbabilitiesToTheEpisodeRules() {
        usualBeats(20);
        extractor.next(USUAL, 0.8, 0.8, true).writeTo(row, rr, 0);
        float[] p = {0.1f, 0.2f, 0.6f, 0.05f, 0.05f};
        BeatReading reading = BeatReading.of(p, match, row, rr, 0, 0.8, true, true);
        p[2] = 0; // the reading keeps its own copy
        // monitor eval hands the rules what the stream forwards: the same ClassifiedBeat.
        assertThat(reading.writeTo(ClassifiedBeat.newBuilder()).getProbabilitiesList())
                .containsExactly(0.1f, 0.2f, 0.6f, 0.05f, 0.05f);
    }

    @Test
    void aDifferentQrsAndOtherCallsStand() {
        usualBeats(20);
        assertThat(next(V, WIDE, 0.7)).isEqualTo(V);
        assertThat(next(F, WIDE, A_LITTLE_EARLY)).isEqualTo(F);
        assertThat(next(S, USUAL, 0.7)).isEqualTo(S);
        assertThat(next(Q, USUAL, ON_TIME)).isEqualTo(Q);
        assertThat(next(N, WIDE, A_LITTLE_EARLY)).isEqualTo(N);
    }

    @Test
    void aShapeThePatientConductsIsMarkedAndTheCallStands() {
        // Atrial premature beats conducted with another shape (aberrantly), which never becomes the
        // template: they come early, and the template learns from beats on time only.
        usualBeats(20);
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS; i++) {
            assertThat(next(S, ABERRANT, EARLY)).isEqualTo(S);
            usualBeats(1);
        }
        TemplateMatch.Decision marked = decide(V, ABERRANT, EARLY);
        assertThat(marked.qrsDifference()).isGreaterThan(TemplateMatch.MAX_QRS_DIFFERENCE);
        assertThat(marked.beatClass()).isEqualTo(V);
        assertThat(marked.conductedShape()).isTrue();
        usualBeats(1);
        assertThat(decide(F, ABERRANT, EARLY).conductedShape()).isTrue();
        usualBeats(1);
        // Another shape is not, and neither is this one once the model calls a fifth of it V or F.
        assertThat(decide(V, WIDE, EARLY).conductedShape()).isFalse();
        usualBeats(1);
        int stillConducted = 0;
        for (int i = 0; i < 10; i++) {
            stillConducted += decide(V, ABERRANT, EARLY).conductedShape() ? 1 : 0;
            usualBeats(1);
        }
        // Checked before it learns: 2 of 18, 3 of 19 and 4 of 20 calls V or F are still a fifth at most.
        assertThat(stillConducted).isEqualTo(3);
        assertThat(decide(V, ABERRANT, EARLY).conductedShape()).isFalse();
    }

    @Test
    void aShapeLearnsFromTheClassTheTemplateLeft() {
        // V calls the template turns N are N to the usual beats' family too: it stays conducted.
        usualBeats(20);
        for (int i = 0; i < 10; i++) {
            assertThat(next(V, USUAL, ON_TIME)).isEqualTo(N);
        }
        assertThat(match.snapshot().getFamilies(0).getOtherShare()).isZero();
        assertThat(decide(V, USUAL, ON_TIME).conductedShape()).isTrue();
    }

    @Test
    void aYoungShapeOrOneSeenInUnreadableBeatsOnlyIsNotAConductedShape() {
        usualBeats(20);
        for (int i = 0; i < BeatFeatureExtractor.TEMPLATE_BEATS - 1; i++) {
            next(S, ABERRANT, EARLY);
            usualBeats(1);
        }
        assertThat(decide(V, ABERRANT, EARLY).conductedShape()).as("young").isFalse();
        match = new TemplateMatch();
        usualBeats(20);
        for (int i = 0; i < 30; i++) {
            BeatFeatures f = extractor.next(ABERRANT, EARLY, ON_TIME, false);
            f.writeTo(row, rr, 0);
            match.classOf(S, row, 0, BeatFeatures.prematurityIndex(rr, 0), EARLY, false, f.taughtTemplate());
            usualBeats(1);
        }
        assertThat(match.snapshot().getFamiliesCount()).isEqualTo(1);
        assertThat(decide(V, ABERRANT, EARLY).conductedShape()).as("unreadable beats do not teach").isFalse();
    }

    @Test
    void aFlatTemplateMatchesNothing() {
        usualBeats(20);
        float[] flatTemplate = new float[row.length];
        System.arraycopy(USUAL, 0, flatTemplate, 0, BeatWindow.LENGTH);
        TemplateMatch.Decision decision = match.classOf(V, flatTemplate, 0, ON_TIME, ON_TIME, true, true);
        assertThat(decision.beatClass()).isEqualTo(V);
        assertThat(decision.heldBy()).isNull();
    }

    @Test
    void aDeviceThatStartsInAVentricularRhythmKeepsItsVCalls() {
        // Its template is its first beat, then an average of a few, so every beat matches it.
        for (int i = 0; i < 100; i++) {
            assertThat(next(V, WIDE, ON_TIME)).isEqualTo(V);
        }
    }

    @Test
    void aYoungTemplateTurnsNothing() {
        usualBeats(BeatFeatureExtractor.TEMPLATE_BEATS - 1);
        TemplateMatch.Decision young = decide(V, USUAL, ON_TIME);
        assertThat(young.beatClass()).isEqualTo(V);
        assertThat(young.heldBy()).isEqualTo(TemplateMatch.Guard.YOUNG_TEMPLATE);
        assertThat(next(V, USUAL, ON_TIME)).isEqualTo(N);
    }

    @Test
    void aLongVentricularRhythmThatBecameTheTemplateStaysVentricular() {
        usualBeats(20);
        // A ventricular rhythm as fast as the usual one: not early, so each beat joins the template,
        // which becomes its QRS. Every one of its beats the model calls V stays V.
        for (int i = 0; i < 60; i++) {
            assertThat(next(V, WIDE, ON_TIME)).isEqualTo(V);
        }
        // The model then calls 40 beats of the rhythm N: they dilute the share of V beats in the
        // template, but it is still the ventricular rhythm's.
        for (int i = 0; i < 40; i++) {
            next(N, WIDE, ON_TIME);
        }
        assertThat(match.snapshot().getVentricularShare()).isLessThan(TemplateMatch.MAX_VENTRICULAR_SHARE);
        TemplateMatch.Decision held = decide(V, WIDE, A_LITTLE_EARLY);
        assertThat(held.beatClass()).isEqualTo(V);
        assertThat(held.heldBy()).isEqualTo(TemplateMatch.Guard.VENTRICULAR_TEMPLATE);
        assertThat(held.ventricularTemplate()).as("forwarded as template_ventricular").isTrue();
        // The usual beats come back. The template learns them again, and they stay unlike the
        // ventricular template as it was: after 16 of them calls are checked again.
        usualBeats(BeatFeatureExtractor.TEMPLATE_BEATS - 1);
        assertThat(match.snapshot().getVentricular()).isTrue();
        usualBeats(1);
        assertThat(match.snapshot().getVentricular()).isFalse();
        usualBeats(40);
        assertThat(next(V, USUAL, A_LITTLE_EARLY)).isEqualTo(N);
    }

    @Test
    void usualBeatsLetTheCheckBackOnEvenWhenTheTemplateLearnsThemFast() {
        // A ventricular rhythm only a little wider than the usual beat: once the usual beats are
        // back, the template is like them again after a few beats, but they are unlike the
        // ventricular template as it was.
        float[] slightlyWide = beat(1.0, 0.020);
        usualBeats(20);
        for (int i = 0; i < 60; i++) {
            next(V, slightlyWide, ON_TIME);
        }
        for (int i = 0; i < 40; i++) {
            next(N, slightlyWide, ON_TIME);
        }
        usualBeats(BeatFeatureExtractor.TEMPLATE_BEATS - 1);
        assertThat(match.snapshot().getVentricular()).isTrue();
        usualBeats(1);
        assertThat(match.snapshot().getVentricular()).isFalse();
    }

    @Test
    void aVentricularRhythmThatComesBackStartsTheWaitAgain() {
        usualBeats(20);
        for (int i = 0; i < 30; i++) {
            next(V, WIDE, ON_TIME);
        }
        usualBeats(30);
        assertThat(match.snapshot().getUnlikeBeats()).isPositive();
        for (int i = 0; i < 10; i++) {
            next(V, WIDE, ON_TIME);
        }
        usualBeats(BeatFeatureExtractor.TEMPLATE_BEATS - 1);
        assertThat(match.snapshot().getVentricular()).isTrue();
        assertThat(next(V, USUAL, A_LITTLE_EARLY)).isEqualTo(V);
    }

    @Test
    void aFastVentricularRhythmTheTemplateLeavesOutDoesNotMakeItVentricular() {
        usualBeats(40);
        // 30 beats of VT at 115 a minute: past its first beats they are not early, but the
        // template leaves a fast shape unlike it out (BeatFeatureExtractor), and so must the share.
        for (int i = 0; i < 30; i++) {
            next(V, WIDE, 0.52);
        }
        int ventricularAfter = 0;
        for (int i = 0; i < 40; i++) {
            ventricularAfter += decide(N, USUAL, ON_TIME).ventricularTemplate() ? 1 : 0;
        }
        assertThat(ventricularAfter).as("usual beats checked on a ventricular template").isZero();
        assertThat(next(V, USUAL, ON_TIME)).as("a V call on the usual QRS is turned again").isEqualTo(N);
    }

    @Test
    void earlyAndUnreadableBeatsDoNotCountTowardsTheTemplate() {
        usualBeats(20);
        // Premature V beats (bigeminy) and V beats in noise stay out of the template as they stay
        // out of the share: the next matching call is still turned.
        for (int i = 0; i < 30; i++) {
            next(V, WIDE, 0.6);
            BeatFeatures f = extractor.next(WIDE, ON_TIME, ON_TIME, false);
            f.writeTo(row, rr, 0);
            assertThat(match.classOf(V, row, 0, BeatFeatures.prematurityIndex(rr, 0), ON_TIME, false,
                    f.taughtTemplate()).beatClass()).isEqualTo(V);
        }
        assertThat(next(V, USUAL, ON_TIME)).isEqualTo(N);
    }

    @Test
    void whatTheCheckKnowsOfTheTemplateSurvivesARestart() {
        usualBeats(20);
        for (int i = 0; i < 30; i++) {
            next(V, WIDE, ON_TIME);
        }
        usualBeats(20);
        TemplateMatchState saved = match.snapshot();
        assertThat(saved.getVentricular()).isTrue();
        assertThat(saved.getVentricularTemplateCount()).isEqualTo(BeatWindow.QRS_END - BeatWindow.QRS_START);
        match = TemplateMatch.restore(saved);
        assertThat(match.snapshot()).isEqualTo(saved);
        assertThat(saved.getFamiliesCount()).isEqualTo(2);
        // Still waiting for usual beats unlike the ventricular template, counted on from where it was.
        int waited = saved.getUnlikeBeats();
        usualBeats(BeatFeatureExtractor.TEMPLATE_BEATS - 1 - waited);
        assertThat(match.snapshot().getVentricular()).isTrue();
        usualBeats(1);
        assertThat(match.snapshot().getVentricular()).isFalse();
    }

    @Test
    void aVentricularStateSavedWithoutItsTemplateStillHoldsCalls() {
        // As the version before the template was kept saved it.
        usualBeats(20);
        match = TemplateMatch.restore(TemplateMatchState.newBuilder().setVentricular(true).setBeats(16)
                .setVentricularShare(0.2).build());
        TemplateMatch.Decision held = decide(V, USUAL, A_LITTLE_EARLY);
        assertThat(held.beatClass()).isEqualTo(V);
        assertThat(held.heldBy()).isEqualTo(TemplateMatch.Guard.VENTRICULAR_TEMPLATE);
        usualBeats(1);
        assertThat(match.snapshot().getVentricularTemplateCount()).isEqualTo(BeatWindow.QRS_END - BeatWindow.QRS_START);
    }

    @Test
    void aDamagedSavedTemplateIsRefused() {
        TemplateMatchState damaged = TemplateMatchState.newBuilder().setVentricular(true).setBeats(16)
                .addVentricularTemplate(1f).addVentricularTemplate(2f).build();
        assertThatThrownBy(() -> TemplateMatch.restore(damaged)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ventricular template has 2 samples");
    }

    private void usualBeats(int n) {
        for (int i = 0; i < n; i++) {
            next(N, USUAL, ON_TIME);
        }
    }

    /** The class of a beat of this shape coming {@code rrS} after the one before, that the model calls {@code modelClass}. */
    private int next(int modelClass, float[] shape, double rrS) {
        return decide(modelClass, shape, rrS).beatClass();
    }

    private TemplateMatch.Decision decide(int modelClass, float[] shape, double rrS) {
        BeatFeatures f = extractor.next(shape, rrS, ON_TIME, true);
        f.writeTo(row, rr, 0);
        return match.classOf(modelClass, row, 0, BeatFeatures.prematurityIndex(rr, 0), rrS, true, f.taughtTemplate());
    }

    /** A window with a QRS complex of {@code mv} and width {@code sigmaS} at the R peak, and a T wave. */
    private static float[] beat(double mv, double sigmaS) {
        float[] w = new float[BeatWindow.LENGTH];
        for (int k = 0; k < w.length; k++) {
            double t = (k - BeatWindow.BEFORE) / (double) BeatWindow.RATE_HZ;
            w[k] = (float) (mv * Math.exp(-t * t / (2 * sigmaS * sigmaS))
                    + 0.25 * Math.exp(-Math.pow(t - 0.25, 2) / (2 * 0.04 * 0.04)));
        }
        return w;
    }
}
